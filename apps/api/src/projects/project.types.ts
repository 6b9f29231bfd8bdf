import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ProjectRoleGql } from '../graphql/enums';
import { UserGql } from '../users/user.types';

@ObjectType('Project')
export class ProjectGql {
  @Field(() => ID) id: string;
  @Field() slug: string;
  @Field() name: string;
  @Field() description: string;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) archivedAt: Date | null;
}

@ObjectType('ProjectMember')
export class ProjectMemberGql {
  userId: string;
  projectId: string;
  @Field(() => UserGql) user?: UserGql;
  @Field(() => [ProjectRoleGql]) roles: ProjectRoleGql[];
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

const roles = () => [
  ArrayMinSize(1, { message: 'roles must name at least one role' }),
  ArrayUnique(),
  ArrayMaxSize(5),
  IsEnum(ProjectRoleGql, { each: true }),
];
function RoleSet(): PropertyDecorator {
  return (target, key) => roles().forEach((d) => d(target, key));
}

@InputType()
export class CreateProjectInput {
  @Field()
  @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'slug must be 2-63 lowercase letters, digits or "-", starting with a letter or digit' })
  slug: string;
  @Field() @IsString() @Length(1, 200) name: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(5000) description?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "Username of the project's principal investigator, made a member with the PI role in the same transaction (recorded in the project.created event). The web app sends the creator unless they pick someone else; left out, the project starts without members.",
  })
  @IsOptional()
  @IsString()
  @Length(1, 63)
  piUsername?: string | null;
}

@InputType()
export class UpdateProjectInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @Length(1, 200) name?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(5000) description?: string | null;
}

@InputType()
export class AddProjectMemberInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field() @IsString() @Length(1, 63) username: string;
  @Field(() => [ProjectRoleGql]) @RoleSet() roles: ProjectRoleGql[];
}

@InputType()
export class SetProjectMemberRolesInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field(() => ID) @IsUUID() userId: string;
  @Field(() => [ProjectRoleGql]) @RoleSet() roles: ProjectRoleGql[];
}

@InputType()
export class RemoveProjectMemberInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field(() => ID) @IsUUID() userId: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(2000) reason?: string | null;
}

/** Someone a picker may offer: the username and display name of an active account, nothing else. */
@ObjectType('UserSuggestion')
export class UserSuggestionGql {
  @Field() username: string;
  @Field() displayName: string;
}

const SEARCH_DESCRIPTION = 'Start of a username, or part of a display name (any case), 1-63 characters';

@InputType()
export class MemberCandidatesInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field({ description: SEARCH_DESCRIPTION }) @IsString() @Length(1, 63) search: string;
  @Field(() => Int, { defaultValue: 10, description: 'At most 20' }) @IsInt() @Min(1) @Max(20) first: number;
}

@InputType()
export class PiCandidatesInput {
  @Field({ description: SEARCH_DESCRIPTION }) @IsString() @Length(1, 63) search: string;
  @Field(() => Int, { defaultValue: 10, description: 'At most 20' }) @IsInt() @Min(1) @Max(20) first: number;
}
