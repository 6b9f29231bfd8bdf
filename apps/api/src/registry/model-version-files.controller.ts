/**
 * A model version's pinned files, read out by id (issue 15, transfer learning): GET
 * /api/v1/model-versions/:versionId/files lists them (path, size, sha256), and
 * …/files/<path> streams one with the sha256 it was registered with (X-Checksum-Sha256; the reader
 * checks it). A training job whose executor does not share the worker's disk (a Kubernetes pod)
 * fetches its initial weights here with its run token. Needs project.read on the version's project;
 * an unknown id, a deleted version and one of a project the caller cannot read get the same 404.
 */
import type { Config } from '@caliper/config';
import { DomainError, notFound } from '@caliper/domain';
import { RegistryRepository } from '@caliper/persistence';
import { CONFIG } from '@caliper/server-kit';
import { ObjectNotFoundError, objectStoreFromConfig, type ObjectStore } from '@caliper/storage';
import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { wildcardPath } from '../artifacts/artifact-response';
import { downloadHeaders } from '../artifacts/artifact-http';
import { projectOfIdAt, Requires } from '../auth/locators';

const byVersion = projectOfIdAt('versionId', 'Model version', (l, id) => l.modelVersionProject.load(id));

@Controller('api/v1/model-versions/:versionId')
export class ModelVersionFilesController {
  private readonly store: ObjectStore;

  constructor(
    private readonly registry: RegistryRepository,
    @Inject(CONFIG) config: Config,
  ) {
    this.store = objectStoreFromConfig(config);
  }

  @Get('files')
  @Requires('project.read', byVersion)
  async list(@Param('versionId') versionId: string) {
    const files = await this.registry.filesOf([versionId]);
    return { files: files.map((f) => ({ path: f.path, size: Number(f.size), sha256: f.sha256 })) };
  }

  @Get('files/*path')
  @Requires('project.read', byVersion)
  async download(@Param('versionId') versionId: string, @Param('path') param: string | string[], @Res() res: Response) {
    const path = wildcardPath(param);
    const file = (await this.registry.filesOf([versionId])).find((f) => f.path === path);
    if (!file) throw notFound(`File "${path}" of model version ${versionId}`);
    let body;
    try {
      body = await this.store.read(file.bucket, file.objectKey);
    } catch (err) {
      if (err instanceof ObjectNotFoundError)
        throw new DomainError('NOT_FOUND', `The stored object of "${path}" is missing from the object store (${file.objectKey}).`);
      throw err;
    }
    res.status(200);
    // Whole files only (no Range support here): the reader checks the whole file's sha256.
    res.set({ ...downloadHeaders(path), 'Accept-Ranges': 'none' });
    res.set('Content-Length', String(file.size));
    res.set('X-Checksum-Sha256', file.sha256);
    res.set('ETag', `"${file.sha256}"`);
    // A store failing mid-body ends the response short; the reader's length and sha256 checks catch it.
    await pipeline(body, res).catch(() => res.destroy());
  }
}
