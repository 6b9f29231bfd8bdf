export * from './object-store';
export * from './audit-checkpoint.store';
