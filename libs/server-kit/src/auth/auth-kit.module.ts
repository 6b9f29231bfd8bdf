/**
 * Authentication and authorisation for a NestJS app of Caliper: principal resolution (session
 * cookie, Bearer API token, Basic credentials; AuthService), project roles (AccessService), the
 * login throttle, and the global guard that enforces each handler's `@Requires`/`@Public`.
 * Needs CONFIG, REDIS and LOADERS_FOR provided, and PersistenceModule imported.
 */
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Redis } from 'ioredis';
import type { Config } from '@caliper/config';
import { CONFIG, REDIS } from '../tokens';
import { AccessService } from './access.service';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';

@Global()
@Module({
  providers: [
    {
      provide: LoginThrottle,
      useFactory: (redis: Redis, config: Config) =>
        new LoginThrottle(
          redis,
          { maxFailures: config.LOGIN_MAX_FAILURES, lockoutSeconds: config.LOGIN_LOCKOUT_SECONDS },
          config.REDIS_PREFIX,
        ),
      inject: [REDIS, CONFIG],
    },
    AuthService,
    AccessService,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, AccessService, LoginThrottle],
})
export class AuthKitModule {}
