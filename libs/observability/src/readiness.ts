/**
 * Readiness as every app reports it: each dependency checked on its own, with its latency and
 * error, so an operator sees which one is down; the `caliper_dependency_up` gauge follows it.
 */
import { Gauge, Registry } from 'prom-client';

export type DependencyCheck = { status: 'ok' | 'down'; latencyMs: number; error?: string };
export type ReadinessReport<K extends string = string> = { status: 'ok' | 'down'; checks: Record<K, DependencyCheck> };

export async function timedCheck(probe: () => Promise<unknown>, timeoutMs = 2000): Promise<DependencyCheck> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return { status: 'ok', latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export function dependencyUpGauge(registry: Registry): Gauge<'dependency'> {
  return new Gauge({
    name: 'caliper_dependency_up',
    help: 'Whether a dependency answered the last readiness check',
    labelNames: ['dependency'],
    registers: [registry],
  });
}

/** Runs the probes together; the report is ok only when every dependency is. */
export async function checkReadiness<K extends string>(
  probes: Record<K, () => Promise<unknown>>,
  gauge?: Gauge<'dependency'>,
): Promise<ReadinessReport<K>> {
  const names = Object.keys(probes) as K[];
  const results = await Promise.all(names.map((n) => timedCheck(probes[n])));
  const checks = Object.fromEntries(names.map((n, i) => [n, results[i]])) as Record<K, DependencyCheck>;
  for (const n of names) gauge?.set({ dependency: n }, checks[n].status === 'ok' ? 1 : 0);
  return { status: results.every((c) => c.status === 'ok') ? 'ok' : 'down', checks };
}
