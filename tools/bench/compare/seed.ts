/** Seeding through the ingest API (never SQL): native JSON batches of 5,000 points, 4 in flight. */
import type { BenchApi } from '../harness';

export interface SeriesSpec {
  runId: string;
  key: string;
  points: number;
  /** Value at a step; deterministic so reruns see the same data. */
  value: (step: number) => number;
}

export async function createRun(api: BenchApi, name: string, params: Record<string, string | number> = {}): Promise<string> {
  const res = await fetch(`${api.base}/api/v1/projects/${api.project.slug}/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
    body: JSON.stringify({ experiment: 'compare-bench', name, params }),
  });
  if (res.status !== 201) throw new Error(`creating run ${name} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { run: { id: string } }).run.id;
}

/** Logs every series, 5,000 points a request, `inFlight` requests at a time; returns points/s. */
export async function seedSeries(api: BenchApi, specs: SeriesSpec[], inFlight = 4): Promise<number> {
  const t0 = Date.now() - 10_000_000;
  // Bodies are built as they are sent: 8 million points at once would be gigabytes of strings.
  const batches: { spec: SeriesSpec; from: number }[] = [];
  for (const spec of specs) for (let from = 0; from < spec.points; from += 5000) batches.push({ spec, from });
  const body = ({ spec, from }: { spec: SeriesSpec; from: number }) => {
    const metrics = [];
    for (let step = from; step < Math.min(spec.points, from + 5000); step++)
      metrics.push({ key: spec.key, step, timestamp: t0 + step * 10, value: spec.value(step) });
    return JSON.stringify({ metrics });
  };
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (;;) {
        const b = batches[next++];
        if (!b) break;
        const res = await fetch(`${api.base}/api/v1/runs/${b.spec.runId}/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
          body: body(b),
        }).catch((err: Error) => {
          throw new Error(
            `batch of run ${b.spec.runId} from step ${b.from} failed: ${err.message} (${String((err as Error & { cause?: unknown }).cause)})`,
          );
        });
        if (!res.ok) throw new Error(`batch answered ${res.status}: ${await res.text()}`);
      }
    }),
  );
  return specs.reduce((n, s) => n + s.points, 0) / ((performance.now() - started) / 1000);
}
