export * from './client';
export * from './errors';
export * from './http';
export * from './retry';
export * from './run-logger';
export * from './sha256';
export * from './types';
export * from './system-metrics';
