/**
 * GET /api/v1/projects/:slug/runs.csv: the runs table as the web shows it (its filter, order and
 * columns) streamed as CSV, a page of runs at a time, so 10,000 runs never sit in memory at once.
 * Query: experimentId (an MLflow experiment_id; absent: every active experiment of the project), filter
 * (MLflow's grammar), orderBy (repeatable), columns (repeatable column ids; run_id always comes
 * first). Needs project.read, located by slug like the other native routes.
 */
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { badInput, notFound, parseRunFilter, parseTableOrderBy, TrackingError } from '@caliper/domain';
import { ProjectsRepository, RunSearchRepository } from '@caliper/persistence';
import { projectOfSlug, Requires } from '../auth/access.decorators';
import { TrackingService } from '../tracking/tracking.service';
import { columnHeader, CsvColumn, csvLine, MAX_CSV_COLUMNS, parseCsvColumn, runCells } from './runs-csv';

const bySlug = projectOfSlug();

/** Runs read per query while streaming. */
const EXPORT_PAGE = 500;
const DEFAULT_COLUMNS = ['attributes.run_name', 'attributes.status', 'attributes.user', 'attributes.start_time', 'attributes.duration'];

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const text = (v: unknown, name: string): string | null => {
  if (v === undefined || v === '') return null;
  if (typeof v !== 'string') throw badInput(name, 'must be given once');
  return v;
};

@Controller('api/v1')
export class RunsExportController {
  constructor(
    private readonly ds: DataSource,
    private readonly tracking: TrackingService,
    private readonly projects: ProjectsRepository,
    private readonly search: RunSearchRepository,
  ) {}

  @Get('projects/:slug/runs.csv')
  @Requires('project.read', bySlug)
  async exportCsv(@Param('slug') slug: string, @Query() q: Record<string, unknown>, @Res() res: Response): Promise<void> {
    const project = await this.projects.findBySlug(slug.toLowerCase());
    if (!project) throw notFound(`Project "${slug}"`);
    const filter = text(q.filter, 'filter');
    const orderBy = list(q.orderBy);
    for (const [arg, check] of [
      ['filter', () => parseRunFilter(filter)],
      ['orderBy', () => parseTableOrderBy(orderBy)],
    ] as const) {
      try {
        check();
      } catch (e) {
        if (e instanceof TrackingError) throw badInput(arg, e.message);
        throw e;
      }
    }
    const ids = list(q.columns)
      .flatMap((c) => c.split('\n'))
      .filter((c) => c !== '');
    if (ids.length > MAX_CSV_COLUMNS) throw badInput('columns', `at most ${MAX_CSV_COLUMNS} columns`);
    const columns: CsvColumn[] = [];
    for (const id of ['attributes.run_id', ...(ids.length ? ids : DEFAULT_COLUMNS)]) {
      const c = parseCsvColumn(id);
      if (typeof c === 'string') throw badInput('columns', c);
      if (!columns.some((x) => columnHeader(x) === columnHeader(c))) columns.push(c);
    }
    const experimentArg = text(q.experimentId, 'experimentId');
    let experimentIds: string[];
    if (experimentArg !== null) {
      if (!/^\d{1,18}$/.test(experimentArg)) throw badInput('experimentId', 'must be an experiment id (digits)');
      const e = (await this.tracking.listExperiments([project.id], 'active')).find((x) => x.id === experimentArg);
      if (!e) throw notFound(`Experiment ${experimentArg} in project "${project.slug}"`);
      experimentIds = [e.id];
    } else {
      experimentIds = (await this.tracking.listExperiments([project.id], 'active')).map((e) => e.id);
    }

    // The first page is read before anything is sent, so a bad cursor or filter still answers 400.
    let page = await this.search.searchTable({ projectId: project.id, experimentIds, filter, orderBy, first: EXPORT_PAGE });
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${project.slug}-runs.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    res.write(csvLine(columns.map(columnHeader)));
    try {
      for (;;) {
        const views = await this.tracking.views(page.runs);
        const userIds = [...new Set(page.runs.map((r) => r.userId).filter((u): u is string => u !== null))];
        const users: { id: string; username: string }[] = userIds.length
          ? await this.ds.query(`SELECT id, username FROM users WHERE id = ANY($1::uuid[])`, [userIds])
          : [];
        const names = new Map(users.map((u) => [u.id, u.username]));
        res.write(views.map((v) => csvLine(runCells(v, columns, names))).join(''));
        if (!page.hasNextPage) break;
        page = await this.search.searchTable({
          projectId: project.id,
          experimentIds,
          filter,
          orderBy,
          first: EXPORT_PAGE,
          after: page.cursors[page.cursors.length - 1],
        });
      }
    } catch (e) {
      // Headers are gone: cut the response so the client sees an incomplete download, not a short file.
      res.destroy(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    res.end();
  }
}
