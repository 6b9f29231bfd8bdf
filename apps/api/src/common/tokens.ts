/** Injection tokens for values that are not classes. */
export const CONFIG = 'CALIPER_CONFIG';
export const REDIS = 'CALIPER_REDIS';
export const CHECKPOINT_READER = 'CALIPER_AUDIT_CHECKPOINT_READER';
