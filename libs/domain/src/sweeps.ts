/**
 * Sweeps over a run template's parameters (issue 15, item 5): grid search (every combination of
 * the given values) or random search (N draws), each run's values checked as a launch checks them.
 * A random sweep is reproducible: the draws come from a PRNG seeded by the sweep's seed, so the
 * same seed over the same template version gives the same runs.
 */
import { createHash } from 'node:crypto';
import { DomainError } from './errors';
import { ParameterValue, parameterText, resolveLaunchValues, TemplateParameter } from './run-templates';

export const SWEEP_METHODS = ['grid', 'random'] as const;
export type SweepMethod = (typeof SWEEP_METHODS)[number];

export interface SweepDimension {
  /** A parameter of the template. */
  name: string;
  /** Grid: the values to try (as text, read by the parameter's type). Random: draw among these (choice, string, bool). */
  values?: string[] | null;
  /** Random, numeric parameters: the range to draw from (default: the parameter's bounds). */
  min?: number | null;
  max?: number | null;
  /** Random, float: draw uniformly in log space (learning rates). */
  log?: boolean | null;
}

export interface SweepSpec {
  method: SweepMethod;
  dimensions: SweepDimension[];
  /** Random: how many runs. Grid: the product of the values' counts. */
  runs?: number | null;
  /** Random: the PRNG's seed (any text). */
  seed?: string | null;
  /** At most this many of the sweep's runs are submitted at once; the others wait queued. */
  maxConcurrent: number;
}

export const SWEEP_LIMITS = { runs: 100, dimensions: 10, valuesPerDimension: 100, maxConcurrent: 50 } as const;

const invalid = (problems: string[]) => new DomainError('BAD_USER_INPUT', `The sweep is not valid: ${problems.join(' ')}`);

/** mulberry32: small, fast, and the same on every platform; seeded from the seed's sha256. */
function prng(seed: string): () => number {
  let a = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Floats drawn at random are kept to 6 significant digits, so params read well and round-trip. */
const sig6 = (v: number) => Number(v.toPrecision(6));

/**
 * The sweep's runs, each as the launch values it is launched with (only the swept parameters;
 * the others take their defaults), every one checked against the parameters. All problems of
 * the spec are named at once.
 */
export function expandSweep(parameters: readonly TemplateParameter[], spec: SweepSpec): { name: string; value: string }[][] {
  const problems: string[] = [];
  const byName = new Map(parameters.map((p) => [p.name, p]));
  if (!(SWEEP_METHODS as readonly string[]).includes(spec.method)) problems.push(`the method '${spec.method}' is not grid or random.`);
  if (!Number.isSafeInteger(spec.maxConcurrent) || spec.maxConcurrent < 1 || spec.maxConcurrent > SWEEP_LIMITS.maxConcurrent)
    problems.push(`maxConcurrent must be a whole number from 1 to ${SWEEP_LIMITS.maxConcurrent}.`);
  if (spec.dimensions.length === 0) problems.push('the sweep varies no parameter.');
  if (spec.dimensions.length > SWEEP_LIMITS.dimensions) problems.push(`more than ${SWEEP_LIMITS.dimensions} dimensions.`);
  const seen = new Set<string>();
  for (const d of spec.dimensions) {
    const p = byName.get(d.name);
    if (!p) problems.push(`'${d.name}' is not a parameter of this template.`);
    else if (seen.has(d.name)) problems.push(`'${d.name}' is swept twice.`);
    seen.add(d.name);
    if ((d.values?.length ?? 0) > SWEEP_LIMITS.valuesPerDimension)
      problems.push(`${d.name}: more than ${SWEEP_LIMITS.valuesPerDimension} values.`);
    if (spec.method === 'grid') {
      if (!d.values?.length) problems.push(`${d.name}: a grid dimension needs its values.`);
      if (d.min != null || d.max != null || d.log) problems.push(`${d.name}: a grid dimension takes values, not a range.`);
    } else if (p) {
      const numeric = p.type === 'int' || p.type === 'float';
      if (numeric && d.values?.length) problems.push(`${d.name}: a random numeric dimension takes a range (min, max), not values.`);
      if (!numeric && (d.min != null || d.max != null)) problems.push(`${d.name}: only numeric parameters take a range.`);
      if (d.log && p.type !== 'float') problems.push(`${d.name}: only float parameters are drawn in log space.`);
      if (numeric) {
        const lo = d.min ?? p.min;
        const hi = d.max ?? p.max;
        if (lo == null || hi == null) problems.push(`${d.name}: give min and max (the parameter has no bounds to draw within).`);
        else if (lo > hi) problems.push(`${d.name}: min ${lo} is above max ${hi}.`);
        else if (d.log && lo <= 0) problems.push(`${d.name}: a log-space range must be above 0.`);
        else if ((p.min != null && lo < p.min) || (p.max != null && hi > p.max))
          problems.push(`${d.name}: the range ${lo}–${hi} leaves the parameter's bounds ${p.min ?? '-∞'}–${p.max ?? '∞'}.`);
      }
      if (p.type === 'string' && !d.values?.length) problems.push(`${d.name}: a random string dimension needs its values.`);
    }
  }
  let count = 0;
  if (spec.method === 'grid') {
    if (spec.runs != null) problems.push('a grid sweep runs every combination: leave runs out.');
    count = spec.dimensions.reduce((n, d) => n * Math.max(d.values?.length ?? 0, 1), 1);
  } else {
    count = spec.runs ?? 0;
    if (!Number.isSafeInteger(count) || count < 1) problems.push('a random sweep needs runs (how many).');
  }
  if (count > SWEEP_LIMITS.runs) problems.push(`the sweep would launch ${count} runs; at most ${SWEEP_LIMITS.runs}.`);
  if (problems.length) throw invalid(problems);

  const combos: { name: string; value: string }[][] = [];
  if (spec.method === 'grid') {
    const walk = (i: number, acc: { name: string; value: string }[]) => {
      if (i === spec.dimensions.length) return void combos.push(acc);
      const d = spec.dimensions[i]!;
      for (const v of d.values!) walk(i + 1, [...acc, { name: d.name, value: v }]);
    };
    walk(0, []);
  } else {
    const next = prng(spec.seed ?? '');
    for (let r = 0; r < count; r++)
      combos.push(
        spec.dimensions.map((d) => {
          const p = byName.get(d.name)!;
          let v: ParameterValue;
          if (p.type === 'int') {
            const lo = Math.ceil(d.min ?? p.min!);
            const hi = Math.floor(d.max ?? p.max!);
            v = lo + Math.floor(next() * (hi - lo + 1));
          } else if (p.type === 'float') {
            const lo = d.min ?? p.min!;
            const hi = d.max ?? p.max!;
            v = sig6(d.log ? Math.exp(Math.log(lo) + next() * (Math.log(hi) - Math.log(lo))) : lo + next() * (hi - lo));
          } else {
            const pool = d.values?.length ? d.values : p.type === 'bool' ? ['true', 'false'] : (p.choices ?? []);
            v = pool[Math.floor(next() * pool.length)]!;
          }
          return { name: d.name, value: parameterText(v) };
        }),
      );
  }
  // Every run's values as a launch would check them; the first bad one is named with its run.
  for (const [i, c] of combos.entries()) {
    try {
      resolveLaunchValues(parameters, c);
    } catch (err) {
      throw invalid([`run ${i + 1} (${c.map((x) => `${x.name}=${x.value}`).join(', ')}): ${(err as Error).message}`]);
    }
  }
  return combos;
}
