/**
 * Step sampling of MLflow 2.10's get-history-bulk-interval, reproduced step for step so the
 * MLflow UI's charts get the same points: `maxResults` steps spread evenly over the sorted steps
 * of all runs inside [start, end], plus the last step in range, plus each run's min and max step.
 */
export function sampledSteps(
  stepsPerRun: readonly (readonly number[])[],
  startStep: number | null,
  endStep: number | null,
  maxResults: number,
): number[] {
  const allSteps = [...new Set(stepsPerRun.flat())].sort((a, b) => a - b);
  const start = startStep ?? 0;
  const end = endStep ?? allSteps.at(-1) ?? 0;
  const minsAndMaxes = new Set<number>();
  for (const run of stepsPerRun) {
    if (!run.length) continue;
    for (const s of [run.reduce((a, b) => Math.min(a, b)), run.reduce((a, b) => Math.max(a, b))])
      if (s >= start && s <= end) minsAndMaxes.add(s);
  }
  const sampled = new Set<number>([...stepsFromInterval(start, end, maxResults, allSteps), ...minsAndMaxes]);
  return [...sampled].sort((a, b) => a - b);
}

function stepsFromInterval(start: number, end: number, maxResults: number, allSteps: readonly number[]): number[] {
  const startIdx = lowerBound(allSteps, start);
  const endIdx = upperBound(allSteps, end);
  if (endIdx - startIdx <= maxResults) return allSteps.slice(startIdx, endIdx);
  const numSteps = endIdx - startIdx;
  const interval = numSteps / maxResults;
  const out: number[] = [];
  for (let i = 0; i < maxResults; i++) {
    const idx = startIdx + Math.trunc(i * interval);
    const step = allSteps[idx];
    // MLflow compares with the count, not the end index; kept so the sampled steps match.
    if (idx < numSteps && step !== undefined) out.push(step);
  }
  // More steps in range than maxResults (at least 1), so the range is not empty.
  const lastInRange = allSteps[endIdx - 1];
  if (lastInRange !== undefined) out.push(lastInRange);
  return out;
}

function lowerBound(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1; // lo <= mid < hi <= xs.length
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1; // lo <= mid < hi <= xs.length
    if (xs[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
