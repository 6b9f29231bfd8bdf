/**
 * A model version's provenance as a file (issue 14, item 4): GET
 * /api/v1/projects/:projectId/models/:name/versions/:version/provenance.json (project.read), the
 * same document as the GraphQL field ModelVersion.provenance, to archive with an audit.
 */
import { badInput } from '@caliper/domain';
import { projectIdAt } from '@caliper/server-kit';
import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Requires } from '../auth/locators';
import { ProvenanceService } from './provenance.service';

@Controller('api/v1/projects/:projectId/models/:name/versions/:version')
export class ProvenanceController {
  constructor(private readonly provenance: ProvenanceService) {}

  @Get('provenance.json')
  @Requires('project.read', projectIdAt('projectId'))
  async json(
    @Param('projectId') projectId: string,
    @Param('name') name: string,
    @Param('version') version: string,
    @Res() res: Response,
  ): Promise<void> {
    if (!/^[1-9]\d{0,8}$/.test(version))
      throw badInput('version', `must be a version number (1, 2, …), got ${JSON.stringify(version.slice(0, 40))}`);
    const doc = await this.provenance.ofVersion({ projectId, name }, Number(version));
    res.status(200);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="${`${doc.model.name}-v${doc.version.version}-provenance.json`.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    );
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(doc, null, 2));
  }
}
