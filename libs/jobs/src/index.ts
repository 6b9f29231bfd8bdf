export * from './jobs';
export * from './failed-logins';
export * from './worker-presence';
