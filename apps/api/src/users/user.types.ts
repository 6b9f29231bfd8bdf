import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { IsEmail, IsEnum, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, MinLength } from 'class-validator';
import { GlobalRoleGql, UserKindGql } from '../graphql/enums';

export const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{1,62}$/;

@ObjectType('User')
export class UserGql {
  @Field(() => ID) id: string;
  @Field() username: string;
  @Field() displayName: string;
  @Field(() => String, { nullable: true }) email: string | null;
  @Field(() => UserKindGql) kind: UserKindGql;
  @Field(() => GlobalRoleGql, { nullable: true }) globalRole: GlobalRoleGql | null;
  @Field() isActive: boolean;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) deactivatedAt: Date | null;
}

@ObjectType('Me')
export class MeGql {
  @Field(() => UserGql) user: UserGql;
  @Field(() => [String], { description: 'Permissions that hold outside any project, e.g. project.create, user.manage, audit.read' })
  globalPermissions: string[];
}

@InputType()
export class CreateUserInput {
  @Field()
  @Matches(USERNAME_RE, { message: 'username must be 2-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit' })
  username: string;
  @Field() @IsString() @Length(1, 200) displayName: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsEmail() email?: string | null;
  @Field() @IsString() @MinLength(12, { message: 'password must be at least 12 characters' }) @MaxLength(256) password: string;
  @Field(() => GlobalRoleGql, { nullable: true }) @IsOptional() @IsEnum(GlobalRoleGql) globalRole?: GlobalRoleGql | null;
  @Field(() => UserKindGql, { nullable: true }) @IsOptional() @IsEnum(UserKindGql) kind?: UserKindGql | null;
}

@InputType()
export class DeactivateUserInput {
  @Field(() => ID) @IsUUID() userId: string;
  @Field() @IsString() @Length(3, 2000, { message: 'reason must say why, in 3 to 2000 characters' }) reason: string;
}

@InputType()
export class SetUserGlobalRoleInput {
  @Field(() => ID) @IsUUID() userId: string;
  @Field(() => GlobalRoleGql, { nullable: true, description: 'null removes the global role' })
  @IsOptional()
  @IsEnum(GlobalRoleGql)
  globalRole?: GlobalRoleGql | null;
  @Field() @IsString() @Length(3, 2000, { message: 'reason must say why, in 3 to 2000 characters' }) reason: string;
}

@InputType()
export class ResetUserPasswordInput {
  @Field(() => ID) @IsUUID() userId: string;
  @Field() @IsString() @MinLength(12, { message: 'newPassword must be at least 12 characters' }) @MaxLength(256) newPassword: string;
}

@InputType()
export class ChangeMyPasswordInput {
  @Field() @IsString() @Length(1, 256) currentPassword: string;
  @Field() @IsString() @MinLength(12, { message: 'newPassword must be at least 12 characters' }) @MaxLength(256) newPassword: string;
}

@InputType()
export class ReactivateUserInput {
  @Field(() => ID) @IsUUID() userId: string;
  @Field() @IsString() @Length(3, 2000, { message: 'reason must say why, in 3 to 2000 characters' }) reason: string;
}
