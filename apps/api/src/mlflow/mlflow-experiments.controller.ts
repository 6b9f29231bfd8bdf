/** MLflow 2.x experiments endpoints (/api/2.0/mlflow/experiments/*). */
import { ReadArgs, ResolvedExperiment, ResolvedName } from '@caliper/server-kit';
import type { Principal, RequestWithPrincipal } from '@caliper/server-kit';
import { Controller, Get, HttpCode, Inject, Post, Req, UseFilters } from '@nestjs/common';
import type { ExperimentEntity } from '@caliper/persistence';
import { LOADERS_FOR, LoadersFor } from '../infra.module';
import { MlflowTrackingErrorFilter } from './mlflow-error.filter';
import { callerProject, projectOfExperimentId, projectOfExperimentName } from './mlflow-project';
import { Caller, MlflowArgs, mlflowArgs } from './mlflow-request';
import { MlflowTrackingService } from './mlflow-tracking.service';
import type { WireArgs } from './mlflow-wire';
import { Requires } from '../auth/locators';

const byId = projectOfExperimentId();

@Controller('api/2.0/mlflow/experiments')
@UseFilters(MlflowTrackingErrorFilter)
@ReadArgs(mlflowArgs)
export class MlflowExperimentsController {
  constructor(
    private readonly mlflow: MlflowTrackingService,
    @Inject(LOADERS_FOR) private readonly loadersFor: LoadersFor,
  ) {}

  @Post('create')
  @HttpCode(200)
  @Requires('run.write', projectOfExperimentName('name'))
  create(@Caller() p: Principal, @ResolvedName() named: { projectId: string; name: string }, @MlflowArgs() args: WireArgs) {
    return this.mlflow.createExperiment(p, named, args);
  }

  @Get('get')
  @Requires('project.read', byId)
  get(@ResolvedExperiment() experiment: ExperimentEntity) {
    return this.mlflow.getExperiment(experiment);
  }

  @Get('get-by-name')
  @Requires('project.read', projectOfExperimentName('experiment_name'))
  getByName(@ResolvedName() named: { projectId: string; name: string }) {
    return this.mlflow.getExperimentByName(named);
  }

  @Get('search')
  @Requires('project.read', (_args, loaders, principal) => callerProject(principal, loaders))
  searchByGet(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.searchExperiments(p, this.loadersFor(req), args);
  }

  @Post('search')
  @HttpCode(200)
  @Requires('project.read', (_args, loaders, principal) => callerProject(principal, loaders))
  search(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.searchExperiments(p, this.loadersFor(req), args);
  }

  @Post('update')
  @HttpCode(200)
  @Requires('run.write', byId)
  update(@Caller() p: Principal, @ResolvedExperiment() experiment: ExperimentEntity, @MlflowArgs() args: WireArgs) {
    return this.mlflow.renameExperiment(p, experiment, args);
  }

  @Post('delete')
  @HttpCode(200)
  @Requires('run.write', byId)
  delete(@Caller() p: Principal, @ResolvedExperiment() experiment: ExperimentEntity) {
    return this.mlflow.setExperimentLifecycle(p, experiment, 'deleted');
  }

  @Post('restore')
  @HttpCode(200)
  @Requires('run.write', byId)
  restore(@Caller() p: Principal, @ResolvedExperiment() experiment: ExperimentEntity) {
    return this.mlflow.setExperimentLifecycle(p, experiment, 'active');
  }

  @Post('set-experiment-tag')
  @HttpCode(200)
  @Requires('run.write', byId)
  setTag(@Caller() p: Principal, @ResolvedExperiment() experiment: ExperimentEntity, @MlflowArgs() args: WireArgs) {
    return this.mlflow.setExperimentTag(p, experiment, args);
  }
}
