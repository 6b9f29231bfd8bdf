/** GraphQL enums over the domain's role names (GraphQL spells VIEWER, the domain 'viewer'). */
import { registerEnumType } from '@nestjs/graphql';

export enum ProjectRoleGql {
  VIEWER = 'viewer',
  RESEARCHER = 'researcher',
  PI = 'pi',
  CLINICAL_APPROVER = 'clinical_approver',
  QA = 'qa',
}
export enum GlobalRoleGql {
  SYSTEM_ADMIN = 'system_admin',
  AUDITOR = 'auditor',
}
export enum UserKindGql {
  HUMAN = 'human',
  SERVICE = 'service',
}

registerEnumType(ProjectRoleGql, { name: 'ProjectRole' });
registerEnumType(GlobalRoleGql, { name: 'GlobalRole' });
registerEnumType(UserKindGql, { name: 'UserKind' });
