/**
 * GET /api/v1/projects/:slug/runs.csv: the runs table as the web shows it (its filter, order and
 * columns) streamed as CSV, a page of runs at a time, so 10,000 runs never sit in memory at once.
 * Query: experimentId (an MLflow experiment_id; absent: every active experiment of the project), filter
 * (MLflow's grammar), orderBy (repeatable), columns (repeatable column ids; run_id always comes
 * first) or all=1 (every attribute, metric, param and tag of those runs, shown or not). Needs
 * project.read, located by slug like the other native routes.
 */
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { projectOfSlug, Requires } from '../auth/locators';
import { RunsExportService } from './runs-export.service';

const bySlug = projectOfSlug();

@Controller('api/v1')
export class RunsExportController {
  constructor(private readonly exports: RunsExportService) {}

  @Get('projects/:slug/runs.csv')
  @Requires('project.read', bySlug)
  async exportCsv(@Param('slug') slug: string, @Query() q: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const csv = await this.exports.open(slug, q);
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${csv.filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      for await (const chunk of csv.chunks) res.write(chunk);
    } catch (e) {
      // Headers are gone: cut the response so the client sees an incomplete download, not a short file.
      res.destroy(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    res.end();
  }
}
