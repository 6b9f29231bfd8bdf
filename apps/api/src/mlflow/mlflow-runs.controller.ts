/** MLflow 2.x runs endpoints (/api/2.0/mlflow/runs/*). */
import { AccessService, ReadArgs, ResolvedExperiment, ResolvedRun } from '@caliper/server-kit';
import type { Principal, RequestWithPrincipal } from '@caliper/server-kit';
import { Controller, Get, HttpCode, Inject, Post, Req, UseFilters } from '@nestjs/common';
import { LOADERS_FOR, LoadersFor } from '../infra.module';
import { MlflowTrackingErrorFilter } from './mlflow-error.filter';
import type { ExperimentEntity, RunRef } from '@caliper/persistence';
import { projectOfExperimentId, projectOfRun, projectOfSearchedExperiments } from './mlflow-project';
import { Caller, MlflowArgs, mlflowArgs } from './mlflow-request';
import { MlflowTrackingService } from './mlflow-tracking.service';
import type { WireArgs } from './mlflow-wire';
import { Requires } from '../auth/locators';

@Controller('api/2.0/mlflow/runs')
@UseFilters(MlflowTrackingErrorFilter)
@ReadArgs(mlflowArgs)
export class MlflowRunsController {
  constructor(
    private readonly mlflow: MlflowTrackingService,
    private readonly access: AccessService,
    @Inject(LOADERS_FOR) private readonly loadersFor: LoadersFor,
  ) {}

  @Post('create')
  @HttpCode(200)
  @Requires('run.write', projectOfExperimentId({ defaultWhenAbsent: true }))
  create(@Caller() p: Principal, @ResolvedExperiment() experiment: ExperimentEntity, @MlflowArgs() args: WireArgs) {
    return this.mlflow.createRun(p, experiment, args);
  }

  @Get('get')
  @Requires('project.read', projectOfRun)
  get(@ResolvedRun() run: RunRef) {
    return this.mlflow.getRun(run);
  }

  @Post('update')
  @HttpCode(200)
  @Requires('run.write', projectOfRun)
  update(@Caller() p: Principal, @ResolvedRun() run: RunRef, @MlflowArgs() args: WireArgs) {
    return this.mlflow.updateRun(p, run, args);
  }

  /** Every experiment searched must be readable; the guard checks the first known one's project. */
  @Post('search')
  @HttpCode(200)
  @Requires('project.read', projectOfSearchedExperiments())
  search(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.searchRuns(p, this.loadersFor(req), args, (projectId) => this.access.allows(p, 'project.read', projectId));
  }

  @Post('delete')
  @HttpCode(200)
  @Requires('run.write', projectOfRun)
  delete(@Caller() p: Principal, @ResolvedRun() run: RunRef) {
    return this.mlflow.setRunLifecycle(p, run, 'deleted');
  }

  @Post('restore')
  @HttpCode(200)
  @Requires('run.write', projectOfRun)
  restore(@Caller() p: Principal, @ResolvedRun() run: RunRef) {
    return this.mlflow.setRunLifecycle(p, run, 'active');
  }

  @Post('log-metric')
  @HttpCode(200)
  @Requires('run.write', projectOfRun)
  logMetric(@Caller() p: Principal, @ResolvedRun() run: RunRef, @MlflowArgs() args: WireArgs) {
    return this.mlflow.logMetric(p, run, args);
  }

  @Post('log-parameter')
  @HttpCode(200)
  @Requires('run.write', projectOfRun)
  logParam(@Caller() p: Principal, @ResolvedRun() run: RunRef, @MlflowArgs() args: WireArgs) {
    return this.mlflow.logParam(p, run, args);
  }

  @Post('set-tag')
  @HttpCode(200)
  @Requires('run.write', projectOfRun)
  setTag(@Caller() p: Principal, @ResolvedRun() run: RunRef, @MlflowArgs() args: WireArgs) {
    return this.mlflow.setTag(p, run, args);
  }

  @Post('delete-tag')
  @HttpCode(200)
  @Requires('run.write', projectOfRun)
  deleteTag(@Caller() p: Principal, @ResolvedRun() run: RunRef, @MlflowArgs() args: WireArgs) {
    return this.mlflow.deleteTag(p, run, args);
  }

  @Post('log-batch')
  @HttpCode(200)
  @Requires('run.write', projectOfRun)
  logBatch(@Caller() p: Principal, @ResolvedRun() run: RunRef, @MlflowArgs() args: WireArgs) {
    return this.mlflow.logBatch(p, run, args);
  }

  @Post('log-inputs')
  @HttpCode(200)
  @Requires('run.write', projectOfRun)
  logInputs(@Caller() p: Principal, @ResolvedRun() run: RunRef, @MlflowArgs() args: WireArgs) {
    return this.mlflow.logInputs(p, run, args);
  }

  @Post('log-model')
  @HttpCode(200)
  @Requires('run.write', projectOfRun)
  logModel(@Caller() p: Principal, @ResolvedRun() run: RunRef, @MlflowArgs() args: WireArgs) {
    return this.mlflow.logModel(p, run, args);
  }
}
