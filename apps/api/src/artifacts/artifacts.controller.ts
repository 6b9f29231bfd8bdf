/**
 * Native artifact routes (/api/v1/runs/:runId/artifacts...): streamed upload with sha256,
 * listing by directory, ranged download, presigned GET URLs, delete.
 */
import type { Principal } from '@caliper/server-kit';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { Caller } from '../mlflow/mlflow-request';
import { projectOfRunParam } from '../mlflow/mlflow-project';
import { downloadHeaders, expectedSha256, servedContentType } from './artifact-http';
import { sendArtifact, wildcardPath } from './artifact-response';
import { ArtifactsService, MAX_PRESIGN_SECONDS } from './artifacts.service';
import { Requires } from '../auth/locators';

export class PresignBody {
  @IsString() path: string;
  @IsOptional() @IsInt() @Min(1) @Max(MAX_PRESIGN_SECONDS) expiresInSeconds?: number;
}

const byRun = projectOfRunParam('runId');

/** Content-Length as a number, when the client sent one. */
export function declaredLength(req: Request): number | null {
  const v = req.headers['content-length'];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
}

@Controller('api/v1/runs/:runId')
export class ArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Put('artifacts/*path')
  @Requires('run.write', byRun)
  async upload(@Caller() p: Principal, @Param('runId') runId: string, @Param('path') path: string | string[], @Req() req: Request) {
    const a = await this.artifacts.put(p, runId, wildcardPath(path), req, {
      expectedSha256: expectedSha256(req.headers),
      contentType: req.headers['content-type'] ?? null,
      declaredSize: declaredLength(req),
    });
    return { artifact: { path: a.path, size: a.size, sha256: a.sha256, contentType: a.contentType } };
  }

  @Get('artifacts')
  @Requires('project.read', byRun)
  async list(@Param('runId') runId: string, @Query('prefix') prefix?: string) {
    return { files: await this.artifacts.list(runId, prefix) };
  }

  @Get('artifacts/*path')
  @Requires('project.read', byRun)
  async download(@Param('runId') runId: string, @Param('path') path: string | string[], @Req() req: Request, @Res() res: Response) {
    await sendArtifact(res, await this.artifacts.open(runId, wildcardPath(path), req.headers.range));
  }

  @Delete('artifacts/*path')
  @Requires('run.write', byRun)
  @HttpCode(200)
  async remove(@Caller() p: Principal, @Param('runId') runId: string, @Param('path') path: string | string[]) {
    return { deleted: await this.artifacts.delete(p, runId, wildcardPath(path)) };
  }

  @Post('artifacts-presign')
  @Requires('project.read', byRun)
  @HttpCode(200)
  async presign(@Param('runId') runId: string, @Body() body: PresignBody) {
    const headers = downloadHeaders(body.path);
    const signed = await this.artifacts.presign(
      runId,
      body.path,
      body.expiresInSeconds ?? MAX_PRESIGN_SECONDS,
      headers['Content-Disposition'],
      servedContentType(body.path),
    );
    return { url: signed.url, expiresAt: signed.expiresAt.toISOString() };
  }
}
