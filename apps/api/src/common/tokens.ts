/** Injection tokens for values that are not classes. */
export const CONFIG = 'CALIPER_CONFIG';
export const REDIS = 'CALIPER_REDIS';
/** `(req) => Loaders`: the request's DataLoaders, shared by the guard and the handlers. */
export const LOADERS_FOR = 'CALIPER_LOADERS_FOR';
export const CHECKPOINT_READER = 'CALIPER_AUDIT_CHECKPOINT_READER';
