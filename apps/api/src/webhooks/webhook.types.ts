/** GraphQL types of webhooks on registry events (issue 14, item 5). The signing secret appears only in CreatedWebhook. */
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsBoolean, IsEnum, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { PageInfoGql } from '../audit/audit.types';

export enum WebhookEventTypeGql {
  MODEL_VERSION_REGISTERED = 'model_version.registered',
  PROMOTION_REQUESTED = 'promotion.requested',
  PROMOTION_SIGNED = 'promotion.signed',
  PROMOTION_APPROVED = 'promotion.approved',
  PROMOTION_REJECTED = 'promotion.rejected',
  DEPLOYMENT_CHANGED = 'deployment.changed',
}
registerEnumType(WebhookEventTypeGql, {
  name: 'WebhookEventType',
  description: "A registry event a webhook can subscribe to; sent as X-Caliper-Event in its dotted form (e.g. 'promotion.signed')",
});

export enum WebhookDeliveryStatusGql {
  PENDING = 'pending',
  DELIVERED = 'delivered',
  FAILED = 'failed',
}
registerEnumType(WebhookDeliveryStatusGql, {
  name: 'WebhookDeliveryStatus',
  description: 'PENDING: an attempt is due; DELIVERED: a 2xx answer came; FAILED: every attempt of the last round failed',
});

@ObjectType('Webhook')
export class WebhookGql {
  @Field(() => ID) id: string;
  @Field(() => ID) projectId: string;
  @Field() url: string;
  @Field(() => [WebhookEventTypeGql]) events: WebhookEventTypeGql[];
  @Field() active: boolean;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

@ObjectType('CreatedWebhook')
export class CreatedWebhookGql {
  @Field(() => WebhookGql) webhook: WebhookGql;
  @Field({
    description:
      'The signing secret, shown this once: receivers check X-Caliper-Signature = sha256=HMAC-SHA256(secret, `${X-Caliper-Timestamp}.${body}`) in hex',
  })
  secret: string;
}

@ObjectType('WebhookDeliveryAttempt')
export class WebhookDeliveryAttemptGql {
  @Field(() => Int) attempt: number;
  @Field(() => Int, { nullable: true, description: "The receiver's HTTP status; null when no answer came" }) statusCode: number | null;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => Int) durationMs: number;
  @Field() attemptedAt: Date;
}

@ObjectType('WebhookDelivery')
export class WebhookDeliveryGql {
  @Field(() => ID) id: string;
  webhookId: string;
  @Field(() => ID, { description: 'The event id, sent as X-Caliper-Delivery: the same on every attempt' }) eventId: string;
  @Field(() => WebhookEventTypeGql) eventType: WebhookEventTypeGql;
  @Field(() => GraphQLJSON, { description: 'The JSON body sent' }) payload: unknown;
  @Field(() => WebhookDeliveryStatusGql) status: WebhookDeliveryStatusGql;
  @Field(() => Int) attempts: number;
  @Field(() => Int, { nullable: true }) lastStatusCode: number | null;
  @Field(() => String, { nullable: true }) lastError: string | null;
  @Field(() => Date, { nullable: true }) nextAttemptAt: Date | null;
  @Field(() => Date, { nullable: true }) deliveredAt: Date | null;
  @Field() createdAt: Date;
  @Field(() => [WebhookDeliveryAttemptGql], { description: 'Every attempt, first to last' }) attemptLog?: WebhookDeliveryAttemptGql[];
}

@ObjectType('WebhookDeliveryEdge')
export class WebhookDeliveryEdgeGql {
  @Field() cursor: string;
  @Field(() => WebhookDeliveryGql) node: WebhookDeliveryGql;
}

@ObjectType('WebhookDeliveryConnection')
export class WebhookDeliveryConnectionGql {
  @Field(() => [WebhookDeliveryEdgeGql]) edges: WebhookDeliveryEdgeGql[];
  @Field(() => PageInfoGql) pageInfo: PageInfoGql;
}

@InputType()
export class CreateWebhookInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field({ description: 'http(s) URL of the receiver, without user name or password' }) @IsString() @MaxLength(2048) url: string;
  @Field(() => [WebhookEventTypeGql])
  @ArrayMinSize(1, { message: 'events must name at least one event type' })
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsEnum(WebhookEventTypeGql, { each: true })
  events: WebhookEventTypeGql[];
}

@InputType()
export class UpdateWebhookInput {
  @Field(() => ID) @IsUUID() id: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(2048) url?: string | null;
  @Field(() => [WebhookEventTypeGql], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1, { message: 'events must name at least one event type' })
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsEnum(WebhookEventTypeGql, { each: true })
  events?: WebhookEventTypeGql[] | null;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() active?: boolean | null;
}
