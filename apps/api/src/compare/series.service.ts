/**
 * Downsampled metric series for comparing runs: validates the request, plans shared bucket edges
 * (libs/domain downsample), reads tier blocks and raw ends (MetricsRepository.seriesPieces) and
 * buckets each series. The cost follows runs × metrics × budget, not the series' lengths.
 */
import { Injectable } from '@nestjs/common';
import { badInput, bucketize, coverSteps, MAX_BUCKETS, notFound, planBuckets } from '@caliper/domain';
import { MetricsRepository, type RunEntity, type StoredPoint } from '@caliper/persistence';
import type { MetricSeriesSetGql, SeriesPointGql } from './compare.types';

export const MAX_SERIES_RUNS = 100;
export const MAX_SERIES_KEYS = 20;
/** Runs × metrics in one request. */
export const MAX_SERIES = 400;

export interface SeriesRequest {
  projectId: string;
  runIds: string[];
  keys: string[];
  fromStep: number | null;
  toStep: number | null;
  buckets: number;
}

function pointGql(p: StoredPoint): SeriesPointGql {
  const finite = Number.isFinite(p.value);
  return {
    step: p.step,
    timestamp: p.timestamp,
    value: finite ? p.value : null,
    nonFinite: finite ? null : Number.isNaN(p.value) ? 'NaN' : p.value > 0 ? 'Infinity' : '-Infinity',
  };
}

@Injectable()
export class SeriesService {
  constructor(private readonly metrics: MetricsRepository) {}

  /** Checks the request's shape; the runs are checked against the project by `downsample`. */
  validate(req: SeriesRequest): void {
    if (!req.runIds.length || req.runIds.length > MAX_SERIES_RUNS) throw badInput('runIds', `name between 1 and ${MAX_SERIES_RUNS} runs`);
    if (new Set(req.runIds).size !== req.runIds.length) throw badInput('runIds', 'names a run more than once');
    if (!req.keys.length || req.keys.length > MAX_SERIES_KEYS) throw badInput('keys', `name between 1 and ${MAX_SERIES_KEYS} metrics`);
    if (new Set(req.keys).size !== req.keys.length) throw badInput('keys', 'names a metric more than once');
    if (req.runIds.length * req.keys.length > MAX_SERIES)
      throw badInput('keys', `${req.runIds.length} runs × ${req.keys.length} metrics is over ${MAX_SERIES} series; ask for fewer`);
    if (!Number.isInteger(req.buckets) || req.buckets < 2 || req.buckets > MAX_BUCKETS)
      throw badInput('buckets', `must be an integer between 2 and ${MAX_BUCKETS}`);
    for (const f of ['fromStep', 'toStep'] as const) {
      const v = req[f];
      if (v !== null && !Number.isSafeInteger(v)) throw badInput(f, 'must be an integer step');
    }
    if (req.fromStep !== null && req.toStep !== null && req.toStep < req.fromStep)
      throw badInput('toStep', `must not be before fromStep (${req.fromStep})`);
  }

  async downsample(req: SeriesRequest, runs: (RunEntity | null)[]): Promise<MetricSeriesSetGql> {
    this.validate(req);
    const found = req.runIds.map((runUuid, i) => {
      const run = runs[i];
      // A run of another project reads as missing: its existence is not the caller's to learn.
      if (!run || run.projectId !== req.projectId) throw notFound(`Run ${runUuid} in this project`);
      return { runUuid, runId: run.id };
    });
    const keyIds = await this.metrics.existingKeyIds(req.keys);
    const pairs = found.flatMap(({ runUuid, runId }) => req.keys.map((key) => ({ runUuid, key, runId, keyId: keyIds.get(key) ?? null })));
    const stored = pairs.filter((p): p is typeof p & { keyId: string } => p.keyId !== null);
    let { fromStep, toStep } = req;
    if (fromStep === null || toStep === null) {
      const extents = (await this.metrics.stepExtents(stored)).filter((e) => e !== null);
      if (extents.length) {
        fromStep ??= Math.min(...extents.map((e) => e.fromStep));
        toStep ??= Math.max(...extents.map((e) => e.toStep));
      }
    }
    const empty = (p: (typeof pairs)[number]) => ({
      runId: p.runUuid,
      key: p.key,
      pointCount: 0,
      first: null,
      buckets: [],
      steps: [],
      timestamps: [],
      last: [],
      min: [],
      max: [],
      counts: [],
      nanCounts: [],
    });
    if (fromStep === null || toStep === null || toStep < fromStep) {
      // Nothing logged (or a one-sided window past every point): no buckets at all.
      return { fromStep, toStep, bucketWidth: 1, bucketCount: 0, exact: true, tierLevel: null, series: pairs.map(empty) };
    }
    const plan = planBuckets(fromStep, toStep, req.buckets);
    const cover = coverSteps(plan.fromStep, plan.toStep + 1, plan.level);
    const read = await this.metrics.seriesPieces(stored, cover, plan);
    const byPair = new Map(stored.map((p, i) => [p, read[i]]));
    return {
      fromStep: plan.fromStep,
      toStep: plan.toStep,
      bucketWidth: plan.width,
      bucketCount: plan.bucketCount,
      exact: plan.width === 1,
      tierLevel: plan.level,
      series: pairs.map((p) => {
        const got = byPair.get(p as (typeof stored)[number]);
        if (!got) return empty(p);
        const s = bucketize(plan, got.pieces);
        return {
          runId: p.runUuid,
          key: p.key,
          pointCount: s.counts.reduce((a, b) => a + b, 0),
          first: got.first ? pointGql(got.first) : null,
          ...s,
        };
      }),
    };
  }
}
