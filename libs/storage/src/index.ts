export * from './object-store';
export * from './audit-checkpoint.store';
export * from './testing/local-s3';
export * from './testing/test-object-store';
