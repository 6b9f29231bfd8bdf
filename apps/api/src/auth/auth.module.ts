/** Signing in and out of the web app (session cookies); the guard and the auth services come from the server kit. */
import { Module } from '@nestjs/common';
import { AuthKitModule } from '@caliper/server-kit';
import { AuthController } from './auth.controller';
import { AuthLoaders } from './auth.loaders';

@Module({ imports: [AuthKitModule], controllers: [AuthController], providers: [AuthLoaders] })
export class AuthModule {}
