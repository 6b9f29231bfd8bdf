/** MLflow 2.x experiments endpoints (/api/2.0/mlflow/experiments/*). */
import { Controller, Get, HttpCode, Inject, Post, Req, UseFilters } from '@nestjs/common';
import { Requires } from '../auth/access.decorators';
import type { Principal, RequestWithPrincipal } from '../auth/principal';
import { LOADERS_FOR, LoadersFor } from '../infra.module';
import { MlflowTrackingErrorFilter } from './mlflow-error.filter';
import { callerProject, projectOfExperimentId, projectOfExperimentName } from './mlflow-project';
import { Caller, MlflowArgs } from './mlflow-request';
import { MlflowTrackingService } from './mlflow-tracking.service';
import type { WireArgs } from './mlflow-wire';

const byId = projectOfExperimentId({}, 'body.experiment_id', 'experiment_id');
const byName = (path: string) => projectOfExperimentName(`body.${path}`, path);

@Controller('api/2.0/mlflow/experiments')
@UseFilters(MlflowTrackingErrorFilter)
export class MlflowExperimentsController {
  constructor(private readonly mlflow: MlflowTrackingService, @Inject(LOADERS_FOR) private readonly loadersFor: LoadersFor) {}

  @Post('create')
  @HttpCode(200)
  @Requires('run.write', byName('name'))
  create(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.createExperiment(p, this.loadersFor(req), args);
  }

  @Get('get')
  @Requires('project.read', byId)
  get(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.getExperiment(p, this.loadersFor(req), args);
  }

  @Get('get-by-name')
  @Requires('project.read', byName('experiment_name'))
  getByName(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.getExperimentByName(p, this.loadersFor(req), args);
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
  update(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.renameExperiment(p, this.loadersFor(req), args);
  }

  @Post('delete')
  @HttpCode(200)
  @Requires('run.write', byId)
  delete(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.setExperimentLifecycle(p, this.loadersFor(req), args, 'deleted');
  }

  @Post('restore')
  @HttpCode(200)
  @Requires('run.write', byId)
  restore(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.setExperimentLifecycle(p, this.loadersFor(req), args, 'active');
  }

  @Post('set-experiment-tag')
  @HttpCode(200)
  @Requires('run.write', byId)
  setTag(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.mlflow.setExperimentTag(p, this.loadersFor(req), args);
  }
}
