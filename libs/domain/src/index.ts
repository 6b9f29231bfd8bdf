export * from './access';
export * from './audit-chain';
export * from './text-check';
export * from './api-token';
export * from './tracking';
export * from './search-filter';
export * from './registry';
export * from './downsample';
