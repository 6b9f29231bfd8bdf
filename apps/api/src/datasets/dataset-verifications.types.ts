/** GraphQL shapes of dataset version verifications and the drift they found. */
import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum DatasetVerificationStatusGql {
  QUEUED = 'queued',
  RUNNING = 'running',
  DONE = 'done',
  FAILED = 'failed',
}
export enum DatasetDriftKindGql {
  CHANGED = 'changed',
  MISSING = 'missing',
  ERROR = 'error',
}
registerEnumType(DatasetVerificationStatusGql, { name: 'DatasetVerificationStatus' });
registerEnumType(DatasetDriftKindGql, {
  name: 'DatasetDriftKind',
  description: 'changed: another sha256 than recorded; missing: gone from the PACS or the bucket; error: could not be checked',
});

@ObjectType('DatasetVerificationDrift', { description: 'An item that no longer matches what the version recorded' })
export class DatasetVerificationDriftGql {
  @Field() itemKey: string;
  @Field(() => DatasetDriftKindGql) kind: DatasetDriftKindGql;
  @Field(() => String, { nullable: true }) sopUid: string | null;
  @Field(() => String, { nullable: true, description: 'Where a copied item is in the datasets bucket; null: it references the PACS' })
  objectKey: string | null;
  @Field({ description: 'The sha256 the version recorded' }) expectedSha256: string;
  @Field(() => String, { nullable: true, description: 'The sha256 of what was fetched (changed only)' }) actualSha256: string | null;
  @Field(() => String, { nullable: true, description: 'Why it is missing or could not be checked' }) reason: string | null;
}

@ObjectType('DatasetVerificationDriftPage')
export class DatasetVerificationDriftPageGql {
  @Field(() => [DatasetVerificationDriftGql]) drifts: DatasetVerificationDriftGql[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null on the last page' }) next: string | null;
}

@ObjectType('DatasetVerification', {
  description:
    'A re-fetch and re-hash of every item of a version (PACS items by WADO-RS, copied items from the bucket): status, progress and drift',
})
export class DatasetVerificationGql {
  @Field(() => ID) id: string;
  @Field(() => ID) versionId: string;
  @Field(() => DatasetVerificationStatusGql) status: DatasetVerificationStatusGql;
  @Field(() => Int, { nullable: true, description: 'Items the version had when the verification started (null until then)' })
  total: number | null;
  @Field(() => Int, { description: 'Items checked so far' }) checked: number;
  @Field(() => Int, { description: 'Of checked, those whose sha256 is as recorded' }) ok: number;
  @Field(() => Int) changed: number;
  @Field(() => Int) missing: number;
  @Field(() => Int, { description: 'Items that could not be checked' }) errors: number;
  @Field(() => String, { nullable: true, description: 'Why the verification failed (or the last attempt, while it retries)' })
  error: string | null;
  @Field(() => ID, { nullable: true }) createdById: string | null;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) startedAt: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt: Date | null;
}
