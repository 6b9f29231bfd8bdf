/** The audit log in GraphQL: events, filters, and the chain's verification with its checkpoints. */
import { Module } from '@nestjs/common';
import { AuditResolver } from './audit.resolver';

@Module({ providers: [AuditResolver] })
export class AuditModule {}
