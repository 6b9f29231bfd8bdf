/**
 * What the compare page reads first, asked for at startup (pages.ts) rather than once its code,
 * the session and the page's first render are done: the project, then, as soon as its answer
 * arrives (before the page renders with it), the compared runs and, when the address names the
 * metrics, their series, as the page itself asks for them before the runs arrive (one round trip
 * less); use-series.ts takes those answers.
 */
import type { ApolloClient } from '@apollo/client';
import { prefetchCached, prefetchUncached } from '../app/prefetch';
import type { MetricSeriesQueryVariables } from '../gql/graphql';
import { CompareProjectQuery, CompareRunsQuery, MetricSeriesQuery } from './compare.operations';
import { isSystemMetric, parseCompareState, type CompareState } from './url-state';

/** The server's cap on buckets per series. */
export const MAX_BUCKETS = 1000;

/**
 * Buckets per series: about one per horizontal pixel of a chart's plot (finer detail cannot be
 * seen; each bucket's min–max band keeps its spikes), estimated from the window before any chart
 * is laid out so the request leaves at once: the page's side navigation and padding, then as many
 * 26rem columns as fit, less the axes. Rounded up to 50, between 200 and MAX_BUCKETS. Zooming asks
 * again at the same budget.
 */
export function bucketBudget(windowWidth: number): number {
  const content = Math.max(320, windowWidth - 260);
  const columns = Math.max(1, Math.floor((content + 16) / (416 + 16)));
  const plot = content / columns - 110;
  return Math.min(MAX_BUCKETS, Math.max(200, Math.ceil(plot / 50) * 50));
}

/** The series request of the page's training or system metrics `keys` (null when there is nothing to ask). */
export function compareSeriesVariables(
  kind: 'training' | 'system',
  projectId: string,
  runIds: string[],
  keys: string[],
  state: CompareState,
  buckets: number,
): MetricSeriesQueryVariables | null {
  if (!runIds.length || !keys.length) return null;
  // System metrics are drawn against time since each run's start, over their whole length.
  return kind === 'training'
    ? { projectId, runIds, keys, fromStep: state.from, toStep: state.to, buckets, withTimes: state.x !== 'step' }
    : { projectId, runIds, keys, buckets, withTimes: true };
}

export function prefetchComparePage(client: ApolloClient, slug: string, search: URLSearchParams): void {
  const state = parseCompareState(search);
  prefetchCached(client, CompareProjectQuery, { slug }, ({ project }) => {
    if (!project || !state.runs.length) return;
    const buckets = bucketBudget(window.innerWidth);
    const metrics = state.metrics ?? [];
    // The series first: theirs is the longest answer, and sending a request costs the main thread
    // tens of milliseconds the first time (Apollo's document transforms), which the runs' request
    // would otherwise hold them back by.
    for (const [kind, keys] of [
      ['training', metrics.filter((k) => !isSystemMetric(k))],
      ['system', metrics.filter(isSystemMetric)],
    ] as const) {
      const variables = compareSeriesVariables(kind, project.id, state.runs, keys, state, buckets);
      if (variables) prefetchUncached(client, MetricSeriesQuery, variables);
    }
    prefetchCached(client, CompareRunsQuery, { projectId: project.id, runIds: state.runs });
  });
}
