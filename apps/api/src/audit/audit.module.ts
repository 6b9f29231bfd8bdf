/** The audit log in GraphQL: events, filters, and the chain's verification with its checkpoints. */
import { Module } from '@nestjs/common';
import { AuditResolver } from './audit.resolver';
import { AuditService } from './audit.service';

@Module({ providers: [AuditService, AuditResolver], exports: [AuditService] })
export class AuditModule {}
