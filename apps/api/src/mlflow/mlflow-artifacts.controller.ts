/**
 * MLflow's artifact proxy (/api/2.0/mlflow-artifacts/artifacts): runs carry
 * `artifact_uri = mlflow-artifacts:/<experiment id>/<run id>/artifacts`, so the stock client
 * PUTs, GETs and DELETEs `<experiment id>/<run id>/artifacts/<path>` and lists with
 * `?path=<experiment id>/<run id>/artifacts[/<dir>]`. Same storage and rules as the native API.
 */
import { argAt } from '@caliper/server-kit';
import type { Principal } from '@caliper/server-kit';
import { Controller, Delete, Get, HttpCode, Param, Put, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { TrackingError } from '@caliper/domain';
import { ProjectLocator, Requires } from '../auth/locators';
import { expectedSha256 } from '../artifacts/artifact-http';
import { sendArtifact, wildcardPath } from '../artifacts/artifact-response';
import { declaredLength } from '../artifacts/artifacts.controller';
import { ArtifactsService } from '../artifacts/artifacts.service';
import { MlflowErrorFilter } from './mlflow-error.filter';
import { Caller } from './mlflow-request';

interface ArtifactLocation {
  experimentId: string;
  runUuid: string;
  /** Path under the run's artifact root ('' for the root itself). */
  path: string;
}

/** Splits `<experiment id>/<run id>/artifacts[/<path>]` (the wildcard's segments or the list call's `path`). */
function parseLocation(raw: unknown): ArtifactLocation {
  const full = wildcardPath(raw as string | string[] | undefined).replace(/^\/+|\/+$/g, '');
  const [experimentId, runUuid, root, ...rest] = full.split('/');
  if (!experimentId || !runUuid || root !== 'artifacts') {
    throw new TrackingError(
      'INVALID_PARAMETER',
      `Artifact path '${full}' is not under a run: expected '<experiment_id>/<run_id>/artifacts/<path>', as in the run's artifact_uri.`,
    );
  }
  return { experimentId, runUuid, path: rest.join('/') };
}

/** The project of the run the path names; the run must belong to the experiment the path names. */
const projectAt =
  (argPath: string): ProjectLocator =>
  async (args, loaders) => {
    const { experimentId, runUuid } = parseLocation(argAt(args, argPath));
    const run = await loaders.run.load(runUuid);
    if (!run || run.experimentId !== experimentId)
      throw new TrackingError('NOT_FOUND', `Run with id=${runUuid} not found in experiment ${experimentId}`);
    return run.projectId;
  };

@Controller('api/2.0/mlflow-artifacts/artifacts')
@UseFilters(MlflowErrorFilter)
export class MlflowArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  /** MLflow answers `{}` (no `files`) for an empty directory, an unknown one and a file. */
  @Get()
  @Requires('project.read', projectAt('path'))
  async list(@Query('path') path: string) {
    const { runUuid, path: dir } = parseLocation(path);
    const files = await this.artifacts.list(runUuid, dir);
    if (!files.length) return {};
    return {
      files: files.map((f) => ({
        path: f.path.slice(f.path.lastIndexOf('/') + 1),
        is_dir: f.isDir,
        ...(f.isDir ? {} : { file_size: f.size }),
      })),
    };
  }

  @Put('*path')
  @HttpCode(200)
  @Requires('run.write', projectAt('path'))
  async upload(@Caller() p: Principal, @Param('path') path: string[], @Req() req: Request) {
    const { runUuid, path: artifactPath } = parseLocation(path);
    await this.artifacts.put(p, runUuid, artifactPath, req, {
      expectedSha256: expectedSha256(req.headers),
      contentType: req.headers['content-type'] ?? null,
      declaredSize: declaredLength(req),
    });
    return {};
  }

  @Get('*path')
  @Requires('project.read', projectAt('path'))
  async download(@Param('path') path: string[], @Req() req: Request, @Res() res: Response) {
    const { runUuid, path: artifactPath } = parseLocation(path);
    await sendArtifact(res, await this.artifacts.open(runUuid, artifactPath, req.headers.range));
  }

  @Delete('*path')
  @HttpCode(200)
  @Requires('run.write', projectAt('path'))
  async remove(@Caller() p: Principal, @Param('path') path: string[]) {
    const { runUuid, path: artifactPath } = parseLocation(path);
    await this.artifacts.delete(p, runUuid, artifactPath);
    return {};
  }
}
