/**
 * Metric histories as every transport pages them. Clients read a long history one page after
 * another, so the next page is read ahead while this one travels (see metricHistoryJson).
 */
import { Injectable } from '@nestjs/common';
import { MetricsRepository, StoredPoint } from '@caliper/persistence';
import { TrackingService } from './tracking.service';

/** How long a prefetched history page waits for its request, and how many wait at most. */
const HISTORY_PREFETCH_MS = 5000;
const HISTORY_PREFETCH_MAX = 4;

type HistoryJsonPage = Awaited<ReturnType<MetricsRepository['historyJson']>>;

const historyPageId = (
  runId: string,
  key: string,
  opts: { after?: StoredPoint | null; limit: number; withKey: boolean; columns?: boolean; clampInfinity?: boolean },
) =>
  JSON.stringify([
    runId,
    key,
    opts.limit,
    opts.withKey,
    opts.columns === true,
    opts.clampInfinity === true,
    opts.after ? [opts.after.step, opts.after.timestamp, String(opts.after.value)] : null,
  ]);

@Injectable()
export class MetricHistoryService {
  /** Next pages of histories being read, by historyPageId (see metricHistoryJson). */
  private readonly prefetched = new Map<string, { at: number; page: Promise<HistoryJsonPage | null> }>();

  constructor(
    private readonly tracking: TrackingService,
    private readonly metrics: MetricsRepository,
  ) {}

  /**
   * A page of history as JSON text built by the database (see MetricsRepository.historyJson).
   * Clients page a long history one request after another (the mlflow client 25,000 points at a
   * time), so when a page is full the next one is read at once, while this one travels and the
   * client parses it; the client's next request, within HISTORY_PREFETCH_MS, takes it from here.
   * A prefetched page is a snapshot a moment older than the request — as if the client had been
   * faster. Every request is still authorised by the guard before it gets here.
   */
  async metricHistoryJson(
    uuid: string,
    key: string,
    opts: { after?: StoredPoint | null; limit: number; withKey: boolean; columns?: boolean; clampInfinity?: boolean },
  ) {
    const run = await this.tracking.findRun(uuid);
    const id = historyPageId(run.id, key, opts);
    const hit = this.prefetched.get(id);
    this.prefetched.delete(id);
    const page =
      (hit && Date.now() - hit.at < HISTORY_PREFETCH_MS ? await hit.page : null) ?? (await this.metrics.historyJson(run.id, key, opts));
    if (page.more && page.last) {
      const next = { ...opts, after: page.last };
      this.prefetched.set(historyPageId(run.id, key, next), {
        at: Date.now(),
        page: this.metrics.historyJson(run.id, key, next).catch(() => null),
      });
      // A handful of readers at once at most; the oldest prefetch goes first.
      while (this.prefetched.size > HISTORY_PREFETCH_MAX) this.prefetched.delete(this.prefetched.keys().next().value!);
    }
    return page;
  }

  async metricHistory(uuid: string, key: string, opts: { after?: StoredPoint | null; limit: number }): Promise<StoredPoint[]> {
    const run = await this.tracking.findRun(uuid);
    return this.metrics.history(run.id, key, opts);
  }
}
