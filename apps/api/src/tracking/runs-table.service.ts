/**
 * The runs table every reader shares (GraphQL connections, group counts, column keys, the CSV
 * export): MLflow's filter grammar, any order, keyset cursors. Bad input is refused naming the
 * argument at fault (`filter`, `orderBy`, `after`, `by`).
 */
import { Injectable } from '@nestjs/common';
import { badInput, parseRunFilter, parseTableOrderBy, TrackingError } from '@caliper/domain';
import { RunColumnKeys, RunCursorError, RunGroups, RunSearchRepository, RunTableQuery } from '@caliper/persistence';
import { RunView, TrackingService } from './tracking.service';

export interface RunsTablePage {
  runs: RunView[];
  /** The cursor after each run, parallel to runs. */
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

@Injectable()
export class RunsTableService {
  constructor(
    private readonly search: RunSearchRepository,
    private readonly tracking: TrackingService,
  ) {}

  /** Checks the table's filter and order, naming the argument at fault. */
  check(filter: string | null | undefined, orderBy: readonly string[] | null | undefined): void {
    for (const [arg, check] of [
      ['filter', () => parseRunFilter(filter ?? null)],
      ['orderBy', () => parseTableOrderBy(orderBy ? [...orderBy] : null)],
    ] as const) {
      try {
        check();
      } catch (e) {
        if (e instanceof TrackingError) throw badInput(arg, e.message);
        throw e;
      }
    }
  }

  /** One page of runs as every transport shows them; a cursor of another sort is refused as `after`. */
  async page(q: RunTableQuery): Promise<RunsTablePage> {
    this.check(q.filter, q.orderBy);
    let page;
    try {
      page = await this.search.searchTable(q);
    } catch (e) {
      if (e instanceof RunCursorError) throw badInput('after', e.message);
      throw e;
    }
    return {
      runs: await this.tracking.views(page.runs),
      cursors: page.cursors,
      hasNextPage: page.hasNextPage,
      totalCount: page.totalCount,
    };
  }

  /** How many matching runs hold each value of a param or tag (see RunSearchRepository.groupCounts). */
  async groups(q: Pick<RunTableQuery, 'projectId' | 'experimentIds' | 'filter'> & { by: string }): Promise<RunGroups> {
    this.check(q.filter, null);
    try {
      return await this.search.groupCounts(q);
    } catch (e) {
      if (e instanceof TrackingError && e.code === 'INVALID_PARAMETER') throw badInput('by', e.message);
      throw e;
    }
  }

  columnKeys(projectId: string, experimentIds: readonly string[]): Promise<RunColumnKeys> {
    return this.search.columnKeys(projectId, experimentIds);
  }
}
