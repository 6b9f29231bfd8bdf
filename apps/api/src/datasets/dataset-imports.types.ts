/** GraphQL shapes of PACS previews and imports into a draft version. */
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsOptional, IsString, IsUUID, Length, ValidateNested } from 'class-validator';

export enum DatasetImportStatusGql {
  QUEUED = 'queued',
  RUNNING = 'running',
  DONE = 'done',
  FAILED = 'failed',
}
registerEnumType(DatasetImportStatusGql, { name: 'DatasetImportStatus' });

@InputType('PacsQueryInput', { description: 'A series-level QIDO-RS query; at least one filter. Dates are YYYYMMDD, inclusive' })
export class PacsQueryInput {
  @Field(() => [String], { nullable: true, description: 'Series of any of these modalities (CT, MR, ...)' })
  @IsOptional()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  modalities?: string[] | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @Length(8, 8) studyDateFrom?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @Length(8, 8) studyDateTo?: string | null;
  @Field(() => String, { nullable: true, description: '`*` and `?` as wildcards' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  studyDescription?: string | null;
  @Field(() => String, { nullable: true, description: '`*` and `?` as wildcards' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  seriesDescription?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @Length(1, 16) bodyPartExamined?: string | null;
}

@InputType('ImportFromPacsInput')
export class ImportFromPacsInput {
  @Field(() => ID) @IsUUID() versionId: string;
  @Field(() => PacsQueryInput) @ValidateNested() @Type(() => PacsQueryInput) query: PacsQueryInput;
  @Field({ description: 'Copy each instance into the datasets bucket (keyed by sha256); false: reference it by its UIDs' })
  @IsBoolean()
  copy: boolean;
  @Field({
    defaultValue: false,
    description:
      'De-identify each instance with the DICOM PS3.15 basic profile before copying it (needs copy: true); the version then records the method for its attestation',
  })
  @IsBoolean()
  deidentify: boolean;
}

@ObjectType('PacsPreviewStudy', { description: 'A study with series the query matched (no patient identifiers)' })
export class PacsPreviewStudyGql {
  @Field() studyInstanceUid: string;
  @Field(() => String, { nullable: true }) studyDate: string | null;
  @Field(() => [String]) modalities: string[];
  @Field(() => [String]) seriesDescriptions: string[];
  @Field(() => [String]) bodyParts: string[];
  @Field(() => Int) series: number;
  @Field(() => Int) instances: number;
}

@ObjectType('PacsPreview')
export class PacsPreviewGql {
  @Field(() => Int, { description: 'Distinct patients among the matched series (counted, never listed)' }) patients: number;
  @Field(() => Int) studies: number;
  @Field(() => Int) series: number;
  @Field(() => Int) instances: number;
  @Field({ description: 'More series matched than were read: counts are lower bounds; narrow the query' }) truncated: boolean;
  @Field(() => [PacsPreviewStudyGql], { description: 'The first studies, by date then UID, up to the limit' })
  studyList: PacsPreviewStudyGql[];
}

@ObjectType('DatasetImportFailure')
export class DatasetImportFailureGql {
  @Field() sopInstanceUid: string;
  @Field() error: string;
}

@ObjectType('DatasetImport', { description: 'A PACS import into a draft version: query, mode, status and progress' })
export class DatasetImportGql {
  @Field(() => ID) id: string;
  @Field(() => ID) versionId: string;
  @Field(() => DatasetImportStatusGql) status: DatasetImportStatusGql;
  @Field() copy: boolean;
  @Field({ description: 'Instances are de-identified (PS3.15 basic profile) before they are copied' }) deidentify: boolean;
  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'What de-identification changed so far: instances, emptied, replaced, privateRemoved, uidsReplaced',
  })
  deidSummary: unknown;
  @Field(() => String, { description: 'The query, as JSON' }) query: string;
  @Field(() => Int, { nullable: true, description: 'Instances matched (null until listed)' }) total: number | null;
  @Field(() => Int, { description: 'Instances handled (written, or already in the version)' }) done: number;
  @Field(() => Int, { description: 'Of done, those the version already had' }) skipped: number;
  @Field(() => Int) failed: number;
  @Field(() => [DatasetImportFailureGql], { description: 'The first 100 failures' }) failures: DatasetImportFailureGql[];
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => ID, { nullable: true }) createdById: string | null;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) startedAt: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt: Date | null;
}
