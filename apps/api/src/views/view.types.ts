/** GraphQL types of saved views: a named URL query state of the compare page or the runs table. */
import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsEnum, IsString, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { UserGql } from '../users/user.types';

export enum SavedViewKindGql {
  COMPARE = 'compare',
  RUNS_TABLE = 'runs-table',
}
registerEnumType(SavedViewKindGql, { name: 'SavedViewKind', description: 'The page a view belongs to' });

@ObjectType('ViewStateEntry', { description: 'One URL query parameter of a saved view' })
export class ViewStateEntryGql {
  @Field() key: string;
  @Field() value: string;
}

@ObjectType('SavedView', { description: 'A named URL query state of a project page; reopening it restores the page' })
export class SavedViewGql {
  createdById: string | null;
  @Field(() => ID) id: string;
  @Field(() => ID) projectId: string;
  @Field() name: string;
  @Field(() => SavedViewKindGql) kind: SavedViewKindGql;
  @Field(() => [ViewStateEntryGql], { description: 'The URL query parameters, sorted by key' }) state: ViewStateEntryGql[];
  @Field(() => UserGql, { nullable: true, description: 'Who first saved a view of this name' }) createdBy?: UserGql | null;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

export const MAX_STATE_ENTRIES = 40;
export const MAX_STATE_VALUE = 8000;

@InputType()
export class ViewStateEntryInput {
  @Field()
  @IsString()
  @Matches(/^[a-zA-Z][a-zA-Z0-9_.-]{0,39}$/, {
    message: 'key must be a URL parameter name (a letter, then up to 39 letters, digits, _ . -)',
  })
  key: string;
  @Field() @IsString() @Length(0, MAX_STATE_VALUE, { message: `value must be at most ${MAX_STATE_VALUE} characters` }) value: string;
}

@InputType()
export class SaveViewInput {
  @Field(() => ID) @IsUUID(undefined, { message: 'projectId must be a project id (a UUID)' }) projectId: string;
  @Field(() => SavedViewKindGql) @IsEnum(SavedViewKindGql) kind: SavedViewKindGql;
  @Field({ description: '1-100 characters; saving under an existing name overwrites that view' })
  @IsString()
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name: string;
  @Field(() => [ViewStateEntryInput])
  @ArrayMaxSize(MAX_STATE_ENTRIES, { message: `state must have at most ${MAX_STATE_ENTRIES} entries` })
  @ValidateNested({ each: true })
  @Type(() => ViewStateEntryInput)
  state: ViewStateEntryInput[];
}

@InputType()
export class DeleteViewInput {
  @Field(() => ID) @IsUUID(undefined, { message: 'projectId must be a project id (a UUID)' }) projectId: string;
  @Field(() => ID) @IsUUID(undefined, { message: 'id must be a saved view id (a UUID)' }) id: string;
}
