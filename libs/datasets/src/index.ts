export * from './dataset.entities';
export * from './datasets.repository';
export * from './dataset-items.writer';
export * from './dataset-imports';
export * from './dataset-verifications';
export * from './dataset-lineage.repository';
export * from './dataset-item-edits.repository';
