/**
 * A model version's card as a file: GET /api/v1/projects/:projectId/models/:name/versions/:version/card.md
 * and …/card.pdf (project.read). Both carry the version's identity, every card section and, once
 * promotion requests were signed, the signatures; ModelCardsService gathers them.
 */
import { projectIdAt } from '@caliper/server-kit';
import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Requires } from '../auth/locators';
import { sendFile, versionNumber } from './file-download';
import { cardFilename } from './model-cards.export';
import { ModelCardsService } from './model-cards.service';

const byProjectId = projectIdAt('projectId');

@Controller('api/v1/projects/:projectId/models/:name/versions/:version')
export class ModelCardsController {
  constructor(private readonly cards: ModelCardsService) {}

  @Get('card.md')
  @Requires('project.read', byProjectId)
  async markdown(
    @Param('projectId') projectId: string,
    @Param('name') name: string,
    @Param('version') version: string,
    @Res() res: Response,
  ): Promise<void> {
    const { doc, body } = await this.cards.markdown({ projectId, name }, versionNumber(version));
    sendFile(res, 'text/markdown; charset=utf-8', cardFilename(doc, 'md'), body);
  }

  @Get('card.pdf')
  @Requires('project.read', byProjectId)
  async pdf(
    @Param('projectId') projectId: string,
    @Param('name') name: string,
    @Param('version') version: string,
    @Res() res: Response,
  ): Promise<void> {
    const { doc, body } = await this.cards.pdf({ projectId, name }, versionNumber(version));
    sendFile(res, 'application/pdf', cardFilename(doc, 'pdf'), body);
  }
}
