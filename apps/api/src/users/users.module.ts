/** Users: the caller's own account (me, password change) and system administration of accounts. */
import { Module } from '@nestjs/common';
import { UsersLoaders } from './users.loaders';
import { UsersResolver } from './users.resolver';
import { UsersService } from './users.service';

@Module({ providers: [UsersService, UsersResolver, UsersLoaders], exports: [UsersService] })
export class UsersModule {}
