import { outlineOf, runChartBuckets, runChartSeriesRequests, type ChartSeries } from './run-chart-series';

/** A series as the server answers it: one entry per non-empty bucket. */
function series(s: Partial<ChartSeries> & Pick<ChartSeries, 'steps' | 'last' | 'min' | 'max'>): ChartSeries {
  return {
    key: 'loss',
    pointCount: s.steps.length,
    first: null,
    nanCounts: s.steps.map(() => 0),
    ...s,
  };
}

describe('run page charts from downsampled series', () => {
  it('draws every point as logged when each bucket holds one step, the first point once', () => {
    const o = outlineOf(
      series({
        first: { step: 0, value: 3 },
        steps: [0, 1, 2, 3],
        last: [3, 2, 2.5, 1],
        min: [3, 2, 2.5, 1],
        max: [3, 2, 2.5, 1],
      }),
    );
    expect(o.points).toEqual([
      { step: 0, value: 3 },
      { step: 1, value: 2 },
      { step: 2, value: 2.5 },
      { step: 3, value: 1 },
    ]);
    expect(o).toMatchObject({ pointCount: 4, firstStep: 0, lastStep: 3, lo: 1, hi: 3, nonFinite: 0 });
  });

  it("keeps the first and last point and each bucket's lowest and highest value, continuing the line from the previous bucket", () => {
    const o = outlineOf(
      series({
        pointCount: 300,
        first: { step: 0, value: 5 },
        // Buckets of 100 steps: each entry at its last finite point's step.
        steps: [99, 199, 299],
        last: [4, 0.5, 2.5],
        min: [3, 0.5, 1],
        max: [5, 9, 2.5],
      }),
    );
    expect(o.points).toEqual([
      { step: 0, value: 5 },
      // From 5, the highest comes first, then the lowest.
      { step: 99, value: 5 },
      { step: 99, value: 3 },
      // From 3, the lowest (0.5) is nearer than the spike (9).
      { step: 199, value: 0.5 },
      { step: 199, value: 9 },
      // From 9, the highest comes first; the line then ends on the series' last point.
      { step: 299, value: 2.5 },
      { step: 299, value: 1 },
      { step: 299, value: 2.5 },
    ]);
    expect(o).toMatchObject({ pointCount: 300, firstStep: 0, lastStep: 299, lo: 0.5, hi: 9 });
  });

  it('breaks the line at a bucket without a finite value and counts the non-finite points', () => {
    const o = outlineOf(
      series({
        first: { step: 0, value: 1 },
        steps: [0, 1, 2],
        last: [1, null, 2],
        min: [1, null, 2],
        max: [1, null, 2],
        nanCounts: [0, 1, 0],
      }),
    );
    expect(o.points).toEqual([
      { step: 0, value: 1 },
      { step: 1, value: null },
      { step: 2, value: 2 },
    ]);
    expect(o.nonFinite).toBe(1);
  });

  it('has nothing to draw for a series without points', () => {
    expect(outlineOf(series({ pointCount: 0, steps: [], last: [], min: [], max: [], nanCounts: [] }))).toEqual({
      points: [],
      pointCount: 0,
      firstStep: null,
      lastStep: null,
      lo: null,
      hi: null,
      nonFinite: 0,
    });
  });

  it('asks for about one bucket per pixel of a chart, from the window width before any chart is laid out', () => {
    // Three 22rem columns at 1440 px: a plot about 250 px wide.
    expect(runChartBuckets(1440)).toBe(300);
    // One column on a narrow window: a wider plot.
    expect(runChartBuckets(800)).toBe(450);
    // Never fewer than 200 buckets, never more than the server's 1,000.
    expect(runChartBuckets(320)).toBe(200);
    expect(runChartBuckets(10_000)).toBeLessThanOrEqual(1000);
  });

  it('asks by key only for the metrics after the first 20 (Run.chartSeries gives those), at most 20 per request, the server cap', () => {
    const keys = Array.from({ length: 65 }, (_, i) => `m${i}`);
    const requests = runChartSeriesRequests('p1', 'r1', keys, 300);
    expect(requests.map((r) => r.keys.length)).toEqual([20, 20, 5]);
    expect(requests.flatMap((r) => r.keys)).toEqual(keys.slice(20));
    expect(requests.every((r) => r.projectId === 'p1' && r.buckets === 300 && r.runIds.length === 1 && r.runIds[0] === 'r1')).toBe(true);
    expect(runChartSeriesRequests('p1', 'r1', keys.slice(0, 20), 300)).toEqual([]);
  });
});
