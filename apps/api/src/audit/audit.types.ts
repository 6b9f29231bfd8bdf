import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { IsDate, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';

@ObjectType('AuditEvent')
export class AuditEventGql {
  @Field({ description: 'Gap-free sequence number (decimal string: may exceed 32 bits)' }) seq: string;
  @Field({ description: 'UTC with microseconds, e.g. 2026-11-27T03:41:00.123456Z' }) time: string;
  @Field(() => ID, { nullable: true }) actorId: string | null;
  @Field() actorLabel: string;
  @Field() action: string;
  @Field() entityType: string;
  @Field(() => String, { nullable: true }) entityId: string | null;
  @Field(() => ID, { nullable: true }) projectId: string | null;
  @Field(() => GraphQLJSON, { nullable: true }) before: unknown;
  @Field(() => GraphQLJSON, { nullable: true }) after: unknown;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field() prevHash: string;
  @Field() hash: string;
}

@ObjectType('PageInfo')
export class PageInfoGql {
  @Field() hasNextPage: boolean;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

@ObjectType('AuditEventEdge')
export class AuditEventEdgeGql {
  @Field() cursor: string;
  @Field(() => AuditEventGql) node: AuditEventGql;
}

@ObjectType('AuditEventConnection')
export class AuditEventConnectionGql {
  @Field(() => [AuditEventEdgeGql]) edges: AuditEventEdgeGql[];
  @Field(() => PageInfoGql) pageInfo: PageInfoGql;
}

@InputType()
export class AuditEventFilter {
  @Field(() => String, { nullable: true, description: 'Exact actor username/label' }) @IsOptional() @IsString() @MaxLength(200) actor?:
    string | null;
  @Field(() => String, { nullable: true, description: "Exact action, or a prefix ending in '.', e.g. 'project.'" })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(100) entityType?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(200) entityId?: string | null;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() projectId?: string | null;
  @Field(() => Date, { nullable: true }) @IsOptional() @IsDate() from?: Date | null;
  @Field(() => Date, { nullable: true }) @IsOptional() @IsDate() to?: Date | null;
}

@ObjectType('AuditBreakAcknowledgement')
export class AuditBreakAcknowledgementGql {
  @Field({ description: 'The audit.break_acknowledged event' }) seq: string;
  @Field({ description: 'The system admin who acknowledged the break' }) by: string;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field() time: string;
}

@ObjectType('AuditChainBreak')
export class AuditChainBreakGql {
  @Field({ description: 'Event where the break shows (a deleted tail: the first deleted seq)' }) seq: string;
  @Field({
    description:
      'events_missing, prev_hash_mismatch, hash_mismatch, canonical_mismatch, checkpoint_past_end, checkpoint_mismatch, checkpoint_missing or checkpoint_overdue',
  })
  kind: string;
  @Field() problem: string;
  @Field(() => String, { nullable: true, description: "The event's stored hash" }) storedHash: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Row breaks: sha256(prev_hash || canonical text); checkpoint breaks: the checkpoint hash',
  })
  expectedHash: string | null;
  @Field(() => AuditBreakAcknowledgementGql, {
    nullable: true,
    description: 'Set when a system admin acknowledged the break (caliper audit acknowledge-break)',
  })
  acknowledged: AuditBreakAcknowledgementGql | null;
}

@ObjectType('AuditChainStatus')
export class AuditChainStatusGql {
  @Field({ description: 'True when every break, if any, is acknowledged' }) ok: boolean;
  @Field(() => Int, { description: 'Events walked, broken ones included' }) checkedEvents: number;
  @Field(() => String, { nullable: true }) lastSeq: string | null;
  @Field(() => String, { nullable: true }) lastHash: string | null;
  @Field(() => String, { nullable: true, description: 'First unacknowledged break, when not ok' }) brokenAtSeq: string | null;
  @Field(() => String, { nullable: true }) problem: string | null;
  @Field(() => [AuditChainBreakGql], { description: 'Every break in seq order, acknowledged ones included' }) breaks: AuditChainBreakGql[];
  @Field(() => Int) unacknowledgedBreaks: number;
  @Field(() => Int, { description: 'Checkpoints in object storage that match the chain' }) checkpointsChecked: number;
  @Field(() => Int, { description: 'Checkpoints found in object storage' }) checkpointsFound: number;
  @Field(() => Int, { description: 'Checkpoints the database records as written: each must still be in object storage' })
  checkpointsExpected: number;
  @Field() verifiedAt: Date;
}
