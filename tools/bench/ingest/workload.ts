/**
 * The benchmark's metric points: `keys` metrics × `points / keys` steps, laid out step by step
 * (every key at a step, then the next step) as a training loop logs them. Point i is a pure
 * function of i, so every phase and process sends exactly the same rows.
 */
export interface Workload {
  points: number;
  keys: number;
  t0: number;
}

export const keyName = (k: number) => `bench/metric_${k}`;

export function pointAt(w: Workload, i: number): { key: number; step: number; timestamp: number; value: number } {
  const key = i % w.keys;
  const step = Math.floor(i / w.keys);
  return { key, step, timestamp: w.t0 + step, value: Math.sin(step / 100) * (key + 1) + step * 1e-6 };
}
