/**
 * Authentication and authorisation for every route: sign-in, sessions, API tokens and Basic
 * credentials (AuthService), project roles (AccessService), and the global guard that resolves
 * each request's principal and checks `@Requires`. Global: every feature's handlers use them.
 */
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Redis } from 'ioredis';
import type { Config } from '@caliper/config';
import { CONFIG, REDIS } from '../common/tokens';
import { AccessService } from './access.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';

@Global()
@Module({
  controllers: [AuthController],
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
  exports: [AuthService, AccessService],
})
export class AuthModule {}
