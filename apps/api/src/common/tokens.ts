/** Injection tokens of the API's own (CONFIG, REDIS and LOADERS_FOR are the server kit's). */
export const CHECKPOINT_READER = 'CALIPER_AUDIT_CHECKPOINT_READER';
