/**
 * SeriesService over real metric points (medium test): points written through MetricsRepository
 * (the trigger keeps metric_tiers), read back bucketed. A window no wider than the budget returns
 * every point as logged; a wider one reads tier blocks and raw ends and must equal the pure
 * reference bucketing of the same points, spikes and non-finite values included; runs of another
 * project read as missing; bad requests are refused naming the argument.
 */
import { type BucketedSeries, planBuckets, referenceDownsample } from '@caliper/domain';
import type { ExperimentEntity, ProjectEntity, RunEntity, UserEntity } from '@caliper/persistence';
import { defined } from '../testing/defined';
import { Medium, startMedium } from '../testing/medium';
import { CompareModule } from './compare.module';
import { SeriesRequest, SeriesService } from './series.service';

const ts = (step: number) => 1_700_000_000_000 + step;
/** The bucketed lists of a series, as the reference bucketing returns them. */
const bucketsOf = ({ buckets, steps, timestamps, last, min, max, counts, nanCounts }: BucketedSeries): BucketedSeries => ({
  buckets,
  steps,
  timestamps,
  last,
  min,
  max,
  counts,
  nanCounts,
});

describe('SeriesService (medium: real metric points, real database)', () => {
  let md: Medium;
  let series: SeriesService;
  let project: ProjectEntity;
  let experiment: ExperimentEntity;
  let user: UserEntity;
  let short: RunEntity;
  let long: RunEntity;
  /** The long run's `loss` points as logged. */
  const longLoss: { step: number; value: number }[] = [];

  const request = (runs: RunEntity[], keys: string[], opts: Partial<SeriesRequest> = {}): SeriesRequest => ({
    projectId: project.id,
    runIds: runs.map((r) => r.uuid),
    keys,
    fromStep: null,
    toStep: null,
    buckets: 1000,
    ...opts,
  });

  beforeAll(async () => {
    md = await startMedium(CompareModule);
    series = md.get(SeriesService);
    project = await md.newProject();
    experiment = await md.newExperiment(project.id);
    user = await md.newUser();
    short = await md.newRun(experiment, user);
    await md.logPoints(short, [
      { key: 'loss', step: 0, value: 0.9 },
      { key: 'loss', step: 1, value: 0.7 },
      { key: 'loss', step: 2, value: 0.8 },
      { key: 'loss', step: 3, value: 0.4 },
      { key: 'dice', step: 3, value: 0.61 },
    ]);
    long = await md.newRun(experiment, user);
    for (let step = 0; step < 5000; step++) {
      // A slow decay with one spike, a NaN and an infinity: a downsample that averages or samples loses them.
      const value = step === 3137 ? 50 : step === 777 ? NaN : step === 4001 ? Infinity : 1 / (1 + step / 100);
      longLoss.push({ step, value });
    }
    // Out of order, and one point logged twice at a step with another value (both are kept).
    const shuffled = [...longLoss].reverse();
    shuffled.push({ step: 2500, value: -3 });
    longLoss.push({ step: 2500, value: -3 });
    for (let i = 0; i < shuffled.length; i += 1000)
      await md.logPoints(
        long,
        shuffled.slice(i, i + 1000).map((p) => ({ key: 'loss', ...p })),
      );
  }, 90000);
  afterAll(() => md?.close());

  it('returns every point as logged when the window fits the budget', async () => {
    const got = await series.downsample(request([short], ['loss', 'dice']), [short]);
    expect(got).toMatchObject({ fromStep: 0, toStep: 3, bucketWidth: 1, bucketCount: 4, exact: true, tierLevel: null });
    const [loss, dice] = got.series;
    expect(loss).toEqual({
      runId: short.uuid,
      key: 'loss',
      pointCount: 4,
      first: { step: 0, timestamp: ts(0), value: 0.9, nonFinite: null },
      buckets: [0, 1, 2, 3],
      steps: [0, 1, 2, 3],
      timestamps: [ts(0), ts(1), ts(2), ts(3)],
      last: [0.9, 0.7, 0.8, 0.4],
      min: [0.9, 0.7, 0.8, 0.4],
      max: [0.9, 0.7, 0.8, 0.4],
      counts: [1, 1, 1, 1],
      nanCounts: [0, 0, 0, 0],
    });
    // The window is shared: dice's one point sits in the last bucket.
    expect(dice).toMatchObject({ key: 'dice', pointCount: 1, buckets: [3], last: [0.61], first: { step: 3, value: 0.61 } });
  });

  it('reads a long series from tiers and raw ends exactly as the reference bucketing of the logged points', async () => {
    const got = await series.downsample(request([long], ['loss'], { buckets: 100 }), [long]);
    const plan = planBuckets(0, 4999, 100);
    expect(plan.level).not.toBeNull();
    expect(got).toMatchObject({
      fromStep: 0,
      toStep: 4999,
      bucketWidth: plan.width,
      bucketCount: plan.bucketCount,
      exact: false,
      tierLevel: plan.level,
    });
    const reference = referenceDownsample(
      plan,
      longLoss.map((p) => ({ step: p.step, timestamp: ts(p.step), value: p.value })),
    );
    const loss = defined(got.series[0], 'the series of loss');
    const { runId, key, pointCount, first } = loss;
    const bucketed = bucketsOf(loss);
    expect({ runId, key, pointCount }).toEqual({ runId: long.uuid, key: 'loss', pointCount: 5001 });
    expect(first).toEqual({ step: 0, timestamp: ts(0), value: 1, nonFinite: null });
    expect(bucketed).toEqual(reference);
    // What a chart must never lose: the spike, the negative duplicate, the NaN and the infinity.
    expect(Math.max(...(bucketed.max as number[]))).toBe(50);
    expect(Math.min(...(bucketed.min as number[]))).toBe(-3);
    expect(bucketed.nanCounts.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('reads a step window, tier-aligned or not, equal to the reference', async () => {
    for (const [fromStep, toStep, buckets] of [
      [1000, 3999, 50],
      [13, 4017, 37],
      [770, 790, 1000],
    ] as const) {
      const got = await series.downsample(request([long], ['loss'], { fromStep, toStep, buckets }), [long]);
      const plan = planBuckets(fromStep, toStep, buckets);
      const reference = referenceDownsample(
        plan,
        longLoss.map((p) => ({ step: p.step, timestamp: ts(p.step), value: p.value })),
      );
      const loss = defined(got.series[0], 'the series of loss');
      expect(bucketsOf(loss)).toEqual(reference);
      expect(loss.first?.step).toBe(fromStep);
    }
  });

  it('names a NaN first point as non-finite', async () => {
    const got = await series.downsample(request([long], ['loss'], { fromStep: 777, toStep: 780 }), [long]);
    expect(got.series[0]?.first).toEqual({ step: 777, timestamp: ts(777), value: null, nonFinite: 'NaN' });
    expect(got.series[0]?.nanCounts).toEqual([1, 0, 0, 0]);
    expect(got.series[0]?.last[0]).toBeNull();
  });

  it('answers empty series for a metric never logged, and no buckets for a window past every point', async () => {
    const got = await series.downsample(request([short, long], ['loss', 'never-logged']), [short, long]);
    expect(got.series.map((s) => [s.runId, s.key, s.pointCount])).toEqual([
      [short.uuid, 'loss', 4],
      [short.uuid, 'never-logged', 0],
      [long.uuid, 'loss', 5001],
      [long.uuid, 'never-logged', 0],
    ]);
    expect(got.series[1]).toMatchObject({ first: null, buckets: [], counts: [] });

    const past = await series.downsample(request([short], ['loss'], { fromStep: 10 }), [short]);
    expect(past).toMatchObject({ fromStep: 10, toStep: 3, bucketCount: 0, series: [{ pointCount: 0, buckets: [] }] });
    const nothing = await series.downsample(request([short], ['never-logged']), [short]);
    expect(nothing).toMatchObject({ fromStep: null, toStep: null, bucketCount: 0, exact: true });
  });

  it('refuses a run of another project, or one that does not exist, as not found', async () => {
    const elsewhere = await md.newRun(await md.newExperiment((await md.newProject()).id), user);
    await expect(series.downsample(request([short, elsewhere], ['loss']), [short, elsewhere])).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `Run ${elsewhere.uuid} in this project was not found.`,
    });
    await expect(
      series.downsample({ ...request([short], ['loss']), runIds: [short.uuid, 'f'.repeat(32)] }, [short, null]),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: `Run ${'f'.repeat(32)} in this project was not found.` });
  });

  it.each([
    ['no runs', { runIds: [] }, 'runIds', 'runIds: name between 1 and 100 runs'],
    ['a run twice', { runIds: ['a'.repeat(32), 'a'.repeat(32)] }, 'runIds', 'runIds: names a run more than once'],
    ['no metrics', { keys: [] }, 'keys', 'keys: name between 1 and 20 metrics'],
    ['a metric twice', { keys: ['loss', 'loss'] }, 'keys', 'keys: names a metric more than once'],
    [
      'too many series',
      {
        runIds: Array.from({ length: 21 }, (_, i) => i.toString(16).padStart(32, '0')),
        keys: Array.from({ length: 20 }, (_, i) => `k${i}`),
      },
      'keys',
      'keys: 21 runs × 20 metrics is over 400 series; ask for fewer',
    ],
    ['one bucket', { buckets: 1 }, 'buckets', 'buckets: must be an integer between 2 and 2000'],
    ['a fractional step', { fromStep: 1.5 }, 'fromStep', 'fromStep: must be an integer step'],
    ['a window ending before it starts', { fromStep: 10, toStep: 5 }, 'toStep', 'toStep: must not be before fromStep (10)'],
  ])('refuses %s naming the argument', async (_what, override, field, message) => {
    const req = { ...request([short], ['loss']), ...override };
    expect(() => series.validate(req)).toThrow(message);
    await expect(
      series.downsample(
        req,
        req.runIds.map(() => short),
      ),
    ).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message,
      details: { field },
    });
  });
});
