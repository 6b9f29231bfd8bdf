// NestJS building blocks every Caliper server process shares (api, worker, inference).
export * from './tokens';
export * from './persistence.module';
export * from './errors/domain-error.filter';
export * from './auth/principal';
export * from './auth/access.decorators';
export * from './auth/access.service';
export * from './auth/auth.service';
export * from './auth/auth.guard';
export * from './auth/auth-kit.module';
export * from './auth/login-throttle';
export * from './auth/passwords';
export * from './health/health.service';
export * from './health/health.module';
