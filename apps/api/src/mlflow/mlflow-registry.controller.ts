/**
 * MLflow 2.x model-registry endpoints (/api/2.0/mlflow/registered-models/*, model-versions/*):
 * what mlflow.register_model, MlflowClient aliases, stage transitions, get-latest-versions and
 * the registry searches call. Reads need project.read, writes model.register, in the model's project.
 */
import { ReadArgs, ResolvedName } from '@caliper/server-kit';
import type { Principal, RequestWithPrincipal } from '@caliper/server-kit';
import { Controller, Delete, Get, HttpCode, Inject, Patch, Post, Req, UseFilters } from '@nestjs/common';
import { LOADERS_FOR, LoadersFor } from '../infra.module';
import { MlflowRegistryApi, projectOfModelName, projectOfRegistrySearch } from '../registry/mlflow-registry.api';
import type { ModelRef } from '../registry/registry.types';
import { MlflowErrorFilter } from './mlflow-error.filter';
import { Caller, MlflowArgs, mlflowArgs } from './mlflow-request';
import type { WireArgs } from './mlflow-wire';
import { Requires } from '../auth/locators';

@Controller('api/2.0/mlflow')
@UseFilters(MlflowErrorFilter)
@ReadArgs(mlflowArgs)
export class MlflowRegistryController {
  constructor(
    private readonly api: MlflowRegistryApi,
    @Inject(LOADERS_FOR) private readonly loadersFor: LoadersFor,
  ) {}

  // Registered models

  @Post('registered-models/create')
  @HttpCode(200)
  @Requires('model.register', projectOfModelName)
  createModel(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.createModel(p, this.loadersFor(req), ref, args);
  }

  @Get('registered-models/get')
  @Requires('project.read', projectOfModelName)
  getModel(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.getModel(p, this.loadersFor(req), ref, args);
  }

  @Post('registered-models/rename')
  @HttpCode(200)
  @Requires('model.register', projectOfModelName)
  renameModel(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.renameModel(p, this.loadersFor(req), ref, args);
  }

  @Patch('registered-models/update')
  @Requires('model.register', projectOfModelName)
  updateModel(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.updateModel(p, this.loadersFor(req), ref, args);
  }

  @Delete('registered-models/delete')
  @Requires('model.register', projectOfModelName)
  deleteModel(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.deleteModel(p, this.loadersFor(req), ref, args);
  }

  @Get('registered-models/search')
  @Requires('project.read', projectOfRegistrySearch)
  searchModels(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.api.searchModels(p, this.loadersFor(req), args);
  }

  @Post('registered-models/get-latest-versions')
  @HttpCode(200)
  @Requires('project.read', projectOfModelName)
  latestVersions(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.latestVersions(p, this.loadersFor(req), ref, args);
  }

  @Get('registered-models/get-latest-versions')
  @Requires('project.read', projectOfModelName)
  latestVersionsByGet(
    @Caller() p: Principal,
    @Req() req: RequestWithPrincipal,
    @ResolvedName() ref: ModelRef,
    @MlflowArgs() args: WireArgs,
  ) {
    return this.api.latestVersions(p, this.loadersFor(req), ref, args);
  }

  @Post('registered-models/set-tag')
  @HttpCode(200)
  @Requires('model.register', projectOfModelName)
  setModelTag(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.setModelTag(p, this.loadersFor(req), ref, args);
  }

  @Delete('registered-models/delete-tag')
  @Requires('model.register', projectOfModelName)
  deleteModelTag(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.deleteModelTag(p, this.loadersFor(req), ref, args);
  }

  @Post('registered-models/alias')
  @HttpCode(200)
  @Requires('model.register', projectOfModelName)
  setAlias(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.setAlias(p, this.loadersFor(req), ref, args);
  }

  @Delete('registered-models/alias')
  @Requires('model.register', projectOfModelName)
  deleteAlias(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.deleteAlias(p, this.loadersFor(req), ref, args);
  }

  @Get('registered-models/alias')
  @Requires('project.read', projectOfModelName)
  versionByAlias(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.versionByAlias(p, this.loadersFor(req), ref, args);
  }

  // Model versions

  @Post('model-versions/create')
  @HttpCode(200)
  @Requires('model.register', projectOfModelName)
  createVersion(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.createVersion(p, this.loadersFor(req), ref, args);
  }

  @Get('model-versions/get')
  @Requires('project.read', projectOfModelName)
  getVersion(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.getVersion(p, this.loadersFor(req), ref, args);
  }

  @Patch('model-versions/update')
  @Requires('model.register', projectOfModelName)
  updateVersion(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.updateVersion(p, this.loadersFor(req), ref, args);
  }

  @Post('model-versions/transition-stage')
  @HttpCode(200)
  @Requires('model.register', projectOfModelName)
  transitionStage(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.transitionStage(p, this.loadersFor(req), ref, args);
  }

  @Delete('model-versions/delete')
  @Requires('model.register', projectOfModelName)
  deleteVersion(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.deleteVersion(p, this.loadersFor(req), ref, args);
  }

  @Post('model-versions/set-tag')
  @HttpCode(200)
  @Requires('model.register', projectOfModelName)
  setVersionTag(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.setVersionTag(p, this.loadersFor(req), ref, args);
  }

  @Delete('model-versions/delete-tag')
  @Requires('model.register', projectOfModelName)
  deleteVersionTag(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.deleteVersionTag(p, this.loadersFor(req), ref, args);
  }

  @Get('model-versions/get-download-uri')
  @Requires('project.read', projectOfModelName)
  downloadUri(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @ResolvedName() ref: ModelRef, @MlflowArgs() args: WireArgs) {
    return this.api.downloadUri(p, this.loadersFor(req), ref, args);
  }

  @Get('model-versions/search')
  @Requires('project.read', projectOfRegistrySearch)
  searchVersions(@Caller() p: Principal, @Req() req: RequestWithPrincipal, @MlflowArgs() args: WireArgs) {
    return this.api.searchVersions(p, this.loadersFor(req), args);
  }
}
