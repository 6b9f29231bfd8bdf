/** Every resolver of the API: the server and the schema emitter (tools/graphql) use this one list. */
import { AuditResolver } from '../audit/audit.resolver';
import { CompareResolver } from '../compare/compare.resolver';
import { ProjectMemberResolver, ProjectsResolver } from '../projects/projects.resolver';
import { TokensResolver } from '../tokens/tokens.resolver';
import {
  ExperimentResolver,
  MeTrackingResolver,
  ProjectTrackingResolver,
  RunResolver,
  TrackingQueriesResolver,
} from '../tracking/graphql/tracking.resolver';
import { UsersResolver } from '../users/users.resolver';
import { ViewsResolver } from '../views/views.resolver';

export const RESOLVERS = [
  UsersResolver,
  ProjectsResolver,
  ProjectMemberResolver,
  TokensResolver,
  AuditResolver,
  TrackingQueriesResolver,
  ProjectTrackingResolver,
  MeTrackingResolver,
  ExperimentResolver,
  RunResolver,
  CompareResolver,
  ViewsResolver,
];
