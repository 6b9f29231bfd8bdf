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
  Min,
} from 'class-validator';
import { ProjectRoleGql } from '../graphql/enums';
import { UserGql } from '../users/user.types';

@ObjectType('ApiToken')
export class ApiTokenGql {
  userId: string;
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => [ProjectRoleGql]) roles: ProjectRoleGql[];
  @Field(() => String, { nullable: true }) runId: string | null;
  @Field(() => UserGql) owner?: UserGql;
  @Field() createdAt: Date;
  @Field() expiresAt: Date;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
  @Field(() => Date, { nullable: true }) lastUsedAt: Date | null;
}

@ObjectType('CreatedApiToken')
export class CreatedApiTokenGql {
  @Field({ description: 'The full token, shown once: clp_<id>_<secret>' }) token: string;
  @Field(() => ApiTokenGql) apiToken: ApiTokenGql;
}

@InputType()
export class CreateApiTokenInput {
  @Field(() => ID) @IsUUID() projectId: string;
  @Field() @IsString() @Length(1, 100) name: string;
  @Field(() => [ProjectRoleGql])
  @ArrayMinSize(1, { message: 'roles must name at least one role' })
  @ArrayUnique()
  @ArrayMaxSize(5)
  @IsEnum(ProjectRoleGql, { each: true })
  roles: ProjectRoleGql[];
  @Field(() => Int, { nullable: true, description: '1-365 days; default 90' }) @IsOptional() @IsInt() @Min(1) @Max(365) expiresInDays?:
    number | null;
  @Field(() => String, { nullable: true, description: 'Limit the token to one run (training jobs)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  runId?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Issue the token to this service account (a member of the project); needs member.manage',
  })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9._-]{1,62}$/)
  serviceAccount?: string | null;
}
