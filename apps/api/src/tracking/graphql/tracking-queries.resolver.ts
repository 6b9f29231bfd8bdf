/** Root queries and the one write of tracking: an experiment or a run by id, and the caller's default project. Each needs project.read where the entity lives. */
import { SIGNED_IN } from '@caliper/server-kit';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { badInput } from '@caliper/domain';
import { Requires } from '../../auth/locators';
import { GqlContext, principalOf } from '../../graphql/context';
import { ProjectGql } from '../../projects/project.types';
import { TrackingService } from '../tracking.service';
import { DefaultProjectService } from './default-project.service';
import { ExperimentGql, RunGql } from './tracking.types';

import { UUID_RE, projectOfExperiment, projectOfRun, toProjectGql, toExperimentGql, toRunGql } from './tracking-gql.helpers';

@Resolver()
export class TrackingQueriesResolver {
  constructor(
    private readonly tracking: TrackingService,
    private readonly defaults: DefaultProjectService,
  ) {}

  @Query(() => ExperimentGql, { description: 'An experiment by its MLflow experiment_id' })
  @Requires('project.read', projectOfExperiment)
  async experiment(@Args('id', { type: () => ID }) id: string): Promise<ExperimentGql> {
    return toExperimentGql(await this.tracking.getExperiment(id));
  }

  @Query(() => RunGql, { description: 'A run by its MLflow run_id (32 hex characters)' })
  @Requires('project.read', projectOfRun)
  async run(@Args('runId') runId: string): Promise<RunGql> {
    return toRunGql(await this.tracking.getRun(runId));
  }

  @Mutation(() => ProjectGql, {
    description: 'Makes a project you are a member of your default: MLflow clients signed in with Basic auth log there',
  })
  @Requires(SIGNED_IN)
  async setDefaultProject(@Args('projectId', { type: () => ID }) projectId: string, @Context() ctx: GqlContext): Promise<ProjectGql> {
    if (!UUID_RE.test(projectId)) throw badInput('projectId', 'must be a project id (a UUID)');
    return toProjectGql(await this.defaults.set(principalOf(ctx), projectId));
  }
}
