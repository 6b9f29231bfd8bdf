/**
 * A model version's provenance as a file (issue 14, item 4): GET
 * /api/v1/projects/:projectId/models/:name/versions/:version/provenance.json (project.read), the
 * same document as the GraphQL field ModelVersion.provenance, to archive with an audit; and
 * …/provenance.pdf, the same as a printable report.
 */
import { projectIdAt } from '@caliper/server-kit';
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Requires } from '../auth/locators';
import { sendFile, versionNumber } from './file-download';
import { provenanceFilename, renderProvenancePdf } from './provenance.export';
import { ProvenanceService } from './provenance.service';

@Controller('api/v1/projects/:projectId/models/:name/versions/:version')
export class ProvenanceController {
  constructor(private readonly provenance: ProvenanceService) {}

  @Get(['provenance.json', 'provenance.pdf'])
  @Requires('project.read', projectIdAt('projectId'))
  async file(
    @Param('projectId') projectId: string,
    @Param('name') name: string,
    @Param('version') version: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const doc = await this.provenance.ofVersion({ projectId, name }, versionNumber(version));
    if (req.path.endsWith('.pdf')) sendFile(res, 'application/pdf', provenanceFilename(doc, 'pdf'), await renderProvenancePdf(doc));
    else sendFile(res, 'application/json; charset=utf-8', provenanceFilename(doc, 'json'), JSON.stringify(doc, null, 2));
  }
}
