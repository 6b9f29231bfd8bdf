import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsEnum, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';
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
