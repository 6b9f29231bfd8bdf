export * from './logging';
export * from './readiness';
