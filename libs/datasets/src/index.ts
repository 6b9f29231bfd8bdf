export * from './dataset.entities';
export * from './datasets.repository';
