/** Injection tokens for values that are not classes, shared by every server process. */
/** The validated Config (`@caliper/config`). */
export const CONFIG = 'CALIPER_CONFIG';
/** The process's ioredis client. */
export const REDIS = 'CALIPER_REDIS';
/** `(req) => loaders`: the request's DataLoaders, shared by the guard, the locators and the handlers. */
export const LOADERS_FOR = 'CALIPER_LOADERS_FOR';
