export * from './jobs';
export * from './failed-logins';
