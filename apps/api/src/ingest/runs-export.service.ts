/**
 * The runs table as CSV (the web's filter, order and columns), read a page of runs at a time so
 * 10,000 runs never sit in memory at once. Input is checked, and the first page read, before
 * the caller sends a byte, so bad input still answers 400.
 */
import { Injectable } from '@nestjs/common';
import { badInput, notFound } from '@caliper/domain';
import { AccountsRepository, ProjectsRepository } from '@caliper/persistence';
import { RunsTableService } from '../tracking/runs-table.service';
import { TrackingService } from '../tracking/tracking.service';
import { ATTRIBUTE_COLUMNS, columnHeader, CsvColumn, csvLine, MAX_CSV_COLUMNS, parseCsvColumn, runCells } from './runs-csv';

/** Runs read per query while streaming. */
const EXPORT_PAGE = 500;
const DEFAULT_COLUMNS = ['attributes.run_name', 'attributes.status', 'attributes.user', 'attributes.start_time', 'attributes.duration'];

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const text = (v: unknown, name: string): string | null => {
  if (v === undefined || v === '') return null;
  if (typeof v !== 'string') throw badInput(name, 'must be given once');
  return v;
};

export interface RunsCsv {
  filename: string;
  /** The header line, then the lines of each page of runs. */
  chunks: AsyncGenerator<string>;
}

@Injectable()
export class RunsExportService {
  constructor(
    private readonly tracking: TrackingService,
    private readonly table: RunsTableService,
    private readonly projects: ProjectsRepository,
    private readonly accounts: AccountsRepository,
  ) {}

  /**
   * Query: experimentId, filter, orderBy (repeatable), and either columns (repeatable column ids;
   * run_id always first) or all=1: every attribute, then every metric, param and tag key of the
   * exported experiments' runs (what the table could show, not only what it shows).
   */
  async open(slug: string, q: Record<string, unknown>): Promise<RunsCsv> {
    const project = await this.projects.findBySlug(slug.toLowerCase());
    if (!project) throw notFound(`Project "${slug}"`);
    const filter = text(q.filter, 'filter');
    const orderBy = list(q.orderBy);
    this.table.check(filter, orderBy);
    const every = text(q.all, 'all');
    if (every !== null && every !== '1' && every !== 'true') throw badInput('all', 'must be 1 (every column) or left out');
    const ids = list(q.columns)
      .flatMap((c) => c.split('\n'))
      .filter((c) => c !== '');
    if (every !== null && ids.length) throw badInput('columns', 'give either columns or all=1, not both');
    if (ids.length > MAX_CSV_COLUMNS) throw badInput('columns', `at most ${MAX_CSV_COLUMNS} columns`);
    const columns: CsvColumn[] = [];
    const addColumns = (wanted: readonly string[]) => {
      for (const id of wanted) {
        const c = parseCsvColumn(id);
        if (typeof c === 'string') throw badInput('columns', c);
        if (!columns.some((x) => columnHeader(x) === columnHeader(c))) columns.push(c);
      }
    };
    addColumns([
      'attributes.run_id',
      ...(every !== null ? ATTRIBUTE_COLUMNS.map((a) => `attributes.${a}`) : ids.length ? ids : DEFAULT_COLUMNS),
    ]);
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
    if (every !== null) {
      const keys = await this.table.columnKeys(project.id, experimentIds);
      addColumns([
        ...keys.metrics.map((k) => `metrics.${k}`),
        ...keys.params.map((k) => `params.${k}`),
        ...keys.tags.map((k) => `tags.${k}`),
      ]);
    }
    const query = { projectId: project.id, experimentIds, filter, orderBy, first: EXPORT_PAGE };
    const first = await this.table.page(query);
    const accounts = this.accounts;
    const table = this.table;
    async function* chunks(): AsyncGenerator<string> {
      yield csvLine(columns.map(columnHeader));
      for (let page = first; ;) {
        const userIds = [...new Set(page.runs.map((v) => v.run.userId).filter((u): u is string => u !== null))];
        const names = new Map((userIds.length ? await accounts.findUsersByIds(userIds) : []).map((u) => [u.id, u.username]));
        yield page.runs.map((v) => csvLine(runCells(v, columns, names))).join('');
        // Without a cursor the next request would start over from the first page.
        const after = page.cursors.at(-1);
        if (!page.hasNextPage || after === undefined) return;
        page = await table.page({ ...query, after });
      }
    }
    return { filename: `${project.slug}-runs.csv`, chunks: chunks() };
  }
}
