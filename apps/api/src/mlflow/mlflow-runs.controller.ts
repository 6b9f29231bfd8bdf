/** MLflow 2.x runs endpoints (/api/2.0/mlflow/runs/*). */
import { Controller, Get, HttpCode, Inject, Post, Req, UseFilters } from '@nestjs/common';
import { Requires } from '../auth/access.decorators';
import { AccessService } from '../auth/access.service';
import type { Principal, RequestWithPrincipal } from '../auth/principal';
import { LOADERS_FOR, LoadersFor } from '../infra.module';
import { MlflowTrackingErrorFilter } from './mlflow-error.filter';
import { projectOfExperimentId, projectOfRunId, projectOfSearchedExperiments } from './mlflow-project';
import { Caller, MlflowArgs } from './mlflow-request';
import { MlflowTrackingService } from './mlflow-tracking.service';
import type { WireArgs } from './mlflow-wire';

const byRun = projectOfRunId('body.run_id', 'body.run_uuid', 'run_id', 'run_uuid');

@Controller('api/2.0/mlflow/runs')
@UseFilters(MlflowTrackingErrorFilter)
export class MlflowRunsController {
  constructor(
    private readonly mlflow: MlflowTrackingService,
    private readonly access: AccessService,
    @Inject(LOADERS_FOR) private readonly loadersFor: LoadersFor,
  ) {}

  @Post('create')
  @HttpCode(200)
  @Requires('run.write', projectOfExperimentId({ defaultWhenAbsent: true }, 'body.experiment_id'))
  create(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.createRun(p, this.loadersFor(req), args);
  }

  @Get('get')
  @Requires('project.read', byRun)
  get(@MlflowArgs() args: WireArgs) {
    return this.mlflow.getRun(args);
  }

  @Post('update')
  @HttpCode(200)
  @Requires('run.write', byRun)
  update(@Caller() p: Principal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.updateRun(p, args);
  }

  /** Every experiment searched must be readable; the guard checks the first known one's project. */
  @Post('search')
  @HttpCode(200)
  @Requires('project.read', projectOfSearchedExperiments('body.experiment_ids'))
  search(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.searchRuns(p, this.loadersFor(req), args, (projectId) => this.access.allows(p, 'project.read', projectId));
  }

  @Post('delete')
  @HttpCode(200)
  @Requires('run.write', byRun)
  delete(@Caller() p: Principal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.setRunLifecycle(p, args, 'deleted');
  }

  @Post('restore')
  @HttpCode(200)
  @Requires('run.write', byRun)
  restore(@Caller() p: Principal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.setRunLifecycle(p, args, 'active');
  }

  @Post('log-metric')
  @HttpCode(200)
  @Requires('run.write', byRun)
  logMetric(@Caller() p: Principal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.logMetric(p, args);
  }

  @Post('log-parameter')
  @HttpCode(200)
  @Requires('run.write', byRun)
  logParam(@Caller() p: Principal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.logParam(p, args);
  }

  @Post('set-tag')
  @HttpCode(200)
  @Requires('run.write', byRun)
  setTag(@Caller() p: Principal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.setTag(p, args);
  }

  @Post('delete-tag')
  @HttpCode(200)
  @Requires('run.write', byRun)
  deleteTag(@Caller() p: Principal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.deleteTag(p, args);
  }

  @Post('log-batch')
  @HttpCode(200)
  @Requires('run.write', byRun)
  logBatch(@Caller() p: Principal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.logBatch(p, args);
  }

  @Post('log-inputs')
  @HttpCode(200)
  @Requires('run.write', byRun)
  logInputs(@Caller() p: Principal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.logInputs(p, args);
  }

  @Post('log-model')
  @HttpCode(200)
  @Requires('run.write', byRun)
  logModel(@Caller() p: Principal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.logModel(p, args);
  }
}
