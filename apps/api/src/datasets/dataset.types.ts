/** GraphQL shapes of datasets, versions, items, counts and diffs. */
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsBoolean, IsNumber, IsOptional, IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';

export enum DatasetVersionStateGql {
  DRAFT = 'draft',
  SEALED = 'sealed',
}
export enum DatasetSplitGql {
  TRAIN = 'train',
  VAL = 'val',
  TEST = 'test',
}
export enum DatasetSplitModeGql {
  SEED = 'seed',
  EXPLICIT = 'explicit',
}
export enum DatasetDiffKindGql {
  ADDED = 'added',
  REMOVED = 'removed',
  CHANGED = 'changed',
  RELABELLED = 'relabelled',
  MOVED = 'moved',
}
registerEnumType(DatasetVersionStateGql, { name: 'DatasetVersionState' });
registerEnumType(DatasetSplitGql, { name: 'DatasetSplit' });
registerEnumType(DatasetDiffKindGql, { name: 'DatasetDiffKind' });
registerEnumType(DatasetSplitModeGql, {
  name: 'DatasetSplitMode',
  description: 'How patients get their splits',
  valuesMap: {
    SEED: { description: 'By the split seed and ratios (stratified by label if asked)' },
    EXPLICIT: { description: 'From split files (PUT /api/v1/dataset-versions/{id}/splits); new patients wait for one' },
  },
});

@ObjectType('Dataset', { description: "A named cohort of a project's data, as numbered versions" })
export class DatasetGql {
  @Field(() => ID) id: string;
  @Field(() => ID) projectId: string;
  @Field() name: string;
  @Field() description: string;
  @Field(() => ID, { nullable: true }) createdById: string | null;
  @Field() createdAt: Date;
}

@ObjectType('SplitRatios')
export class SplitRatiosGql {
  @Field(() => Float) train: number;
  @Field(() => Float) val: number;
  @Field(() => Float) test: number;
}

@ObjectType('DeidAttestation', { description: 'Who attested how the data was de-identified, when sealing' })
export class DeidAttestationGql {
  @Field(() => ID) attestedById: string;
  @Field() method: string;
  @Field() summary: string;
  @Field() attestedAt: Date;
}

@ObjectType('DatasetVersion', { description: 'A version of a dataset: a draft while it changes, immutable once sealed' })
export class DatasetVersionGql {
  @Field(() => ID) id: string;
  @Field(() => ID) datasetId: string;
  @Field(() => Int) number: number;
  @Field(() => ID, { nullable: true }) parentId: string | null;
  @Field(() => DatasetVersionStateGql) state: DatasetVersionStateGql;
  @Field(() => GraphQLJSON, { description: 'How the version was built (PACS query, upload, derived from its parent)' }) source: unknown;
  @Field(() => [String]) labelSet: string[];
  @Field() splitSeed: string;
  @Field(() => SplitRatiosGql) splitRatios: SplitRatiosGql;
  @Field() stratifyByLabel: boolean;
  @Field(() => DatasetSplitModeGql) splitMode: DatasetSplitModeGql;
  @Field(() => ID, { nullable: true }) createdById: string | null;
  @Field() createdAt: Date;
  @Field(() => ID, { nullable: true }) sealedById: string | null;
  @Field(() => Date, { nullable: true }) sealedAt: Date | null;
  @Field(() => String, { nullable: true, description: 'Object key of the canonical manifest (NDJSON) in the datasets bucket' })
  manifestKey: string | null;
  @Field(() => String, { nullable: true }) manifestSha256: string | null;
  @Field(() => DeidAttestationGql, { nullable: true }) deidAttestation: DeidAttestationGql | null;
}

@ObjectType('DatasetSplitCount')
export class DatasetSplitCountGql {
  @Field(() => DatasetSplitGql, { nullable: true, description: 'null: items not yet placed' }) split: DatasetSplitGql | null;
  @Field(() => Int) items: number;
  @Field(() => Int) patients: number;
  @Field(() => Int) studies: number;
}

@ObjectType('DatasetValueCount')
export class DatasetValueCountGql {
  @Field(() => String, { nullable: true }) value: string | null;
  @Field(() => Int) items: number;
}

@ObjectType('DatasetVersionCounts')
export class DatasetVersionCountsGql {
  @Field(() => Int) items: number;
  @Field(() => Int) patients: number;
  @Field(() => Int) studies: number;
  @Field(() => Int) series: number;
  @Field(() => Float) bytes: number;
  @Field(() => [DatasetSplitCountGql]) bySplit: DatasetSplitCountGql[];
  @Field(() => [DatasetValueCountGql]) byModality: DatasetValueCountGql[];
  @Field(() => [DatasetValueCountGql]) byLabel: DatasetValueCountGql[];
}

@ObjectType('DatasetItem', { description: 'An item: a DICOM instance (by UIDs) or an object, with its hash, patient key, split and label' })
export class DatasetItemGql {
  @Field() itemKey: string;
  @Field(() => String, { nullable: true }) studyUid: string | null;
  @Field(() => String, { nullable: true }) seriesUid: string | null;
  @Field(() => String, { nullable: true }) sopUid: string | null;
  @Field(() => String, { nullable: true }) objectKey: string | null;
  @Field(() => String, { nullable: true }) modality: string | null;
  @Field() sha256: string;
  @Field(() => Float) sizeBytes: number;
  @Field({ description: 'HMAC of the PatientID under the project secret; the PatientID is never stored' }) patientKey: string;
  @Field(() => DatasetSplitGql, { nullable: true }) split: DatasetSplitGql | null;
  @Field(() => String, { nullable: true }) label: string | null;
  @Field(() => String, { nullable: true }) maskKey: string | null;
}

@ObjectType('DatasetItemPage')
export class DatasetItemPageGql {
  @Field(() => [DatasetItemGql]) items: DatasetItemGql[];
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null on the last page' }) next: string | null;
}

@ObjectType('DatasetDiffCounts')
export class DatasetDiffCountsGql {
  @Field(() => Int) added: number;
  @Field(() => Int) removed: number;
  @Field(() => Int) changed: number;
  @Field(() => Int) relabelled: number;
  @Field(() => Int) moved: number;
  @Field(() => Int) unchanged: number;
}

@ObjectType('DatasetDiffRow')
export class DatasetDiffRowGql {
  @Field() itemKey: string;
  @Field(() => DatasetDiffKindGql) kind: DatasetDiffKindGql;
  @Field(() => DatasetSplitGql, { nullable: true }) fromSplit: DatasetSplitGql | null;
  @Field(() => DatasetSplitGql, { nullable: true }) toSplit: DatasetSplitGql | null;
  @Field(() => String, { nullable: true }) fromLabel: string | null;
  @Field(() => String, { nullable: true }) toLabel: string | null;
}

@ObjectType('DatasetDiff')
export class DatasetDiffGql {
  @Field(() => DatasetDiffCountsGql) counts: DatasetDiffCountsGql;
  @Field(() => [DatasetDiffRowGql], { description: 'The first rows that differ, in item order' }) rows: DatasetDiffRowGql[];
}

@InputType()
export class CreateDatasetInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field() @IsString() @Length(1, 100) name: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @Length(0, 2000) description?: string | null;
}

@InputType()
export class SplitRatiosInput {
  @Field(() => Float) @IsNumber() train: number;
  @Field(() => Float) @IsNumber() val: number;
  @Field(() => Float) @IsNumber() test: number;
}

@InputType()
export class RelabelInput {
  @Field() @IsString() @Length(1, 200) itemKey: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @Length(0, 200) label: string | null;
}

@InputType()
export class CreateDatasetVersionInput {
  @Field(() => ID) @IsUUID() datasetId: string;
  @Field(() => ID, { nullable: true, description: 'A sealed version to start from (its items, splits and labels)' })
  @IsOptional()
  @IsUUID()
  parentVersionId?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() splitSeed?: string | null;
  @Field(() => SplitRatiosInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SplitRatiosInput)
  splitRatios?: SplitRatiosInput | null;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() stratifyByLabel?: boolean | null;
  @Field(() => [String], { nullable: true }) @IsOptional() @ArrayMaxSize(10000) @IsString({ each: true }) removeItemKeys?: string[] | null;
  @Field(() => [RelabelInput], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(10000)
  @ValidateNested({ each: true })
  @Type(() => RelabelInput)
  relabel?: RelabelInput[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Place every patient afresh by the seed (else the parent’s splits are kept)' })
  @IsOptional()
  @IsBoolean()
  resplit?: boolean | null;
}

@InputType()
export class SealDatasetVersionInput {
  @Field(() => ID) @IsUUID() versionId: string;
  @Field({ description: 'How the data was de-identified, e.g. "DICOM PS3.15 basic profile"' })
  @IsString()
  @Length(1, 200)
  deidMethod: string;
  @Field({ description: 'What de-identification changed (attributes removed, dates shifted, …)' })
  @IsString()
  @Length(1, 4000)
  deidSummary: string;
}
