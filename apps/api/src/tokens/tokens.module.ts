/** API tokens: created per project (optionally limited to one run), listed and revoked. */
import { Module } from '@nestjs/common';
import { TokensLoaders } from './tokens.loaders';
import { TokensResolver } from './tokens.resolver';
import { TokensService } from './tokens.service';

@Module({ providers: [TokensService, TokensResolver, TokensLoaders], exports: [TokensService] })
export class TokensModule {}
