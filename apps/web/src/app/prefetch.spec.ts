import type { ApolloClient } from '@apollo/client';
import { RunChartSeriesQuery } from '../runs/runs.operations';
import { prefetchUncached, takePrefetched } from './prefetch';

/** A client that answers each query with its variables, and counts what it was asked. */
function answeringClient() {
  const asked: unknown[] = [];
  const client = {
    query: (options: { variables: unknown; fetchPolicy?: string }) => {
      asked.push(options);
      return Promise.resolve({ data: { echo: options.variables } });
    },
  } as unknown as ApolloClient;
  return { client, asked };
}

describe('answers prefetched at startup', () => {
  const variables = { projectId: 'p', runIds: ['r'], keys: ['loss'], buckets: 300 };
  // Each answer is let go on a timer: the tests move the clock.
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.runOnlyPendingTimers();
    jest.useRealTimers();
  });

  it("are sent outside Apollo's cache and taken once by the same request, whatever the order of its variables", async () => {
    const { client, asked } = answeringClient();
    prefetchUncached(client, RunChartSeriesQuery, variables);
    expect(asked).toEqual([{ query: RunChartSeriesQuery, variables, fetchPolicy: 'no-cache' }]);
    const answer = takePrefetched(RunChartSeriesQuery, { buckets: 300, keys: ['loss'], runIds: ['r'], projectId: 'p' });
    expect(await answer).toEqual({ data: { echo: variables } });
    expect(takePrefetched(RunChartSeriesQuery, variables)).toBeUndefined();
  });

  it('are not taken by another request', () => {
    const { client } = answeringClient();
    prefetchUncached(client, RunChartSeriesQuery, variables);
    expect(takePrefetched(RunChartSeriesQuery, { ...variables, buckets: 400 })).toBeUndefined();
    expect(takePrefetched(RunChartSeriesQuery, { ...variables, keys: ['loss', 'dice'] })).toBeUndefined();
    expect(takePrefetched(RunChartSeriesQuery, variables)).toBeDefined();
  });

  it('are dropped, and not even sent, when the page has read the request itself first: a later read must not get an answer from before it', async () => {
    const { client, asked } = answeringClient();
    const late = { ...variables, keys: ['dice'] };
    expect(takePrefetched(RunChartSeriesQuery, late)).toBeUndefined();
    prefetchUncached(client, RunChartSeriesQuery, late);
    expect(asked).toEqual([]);
    expect(takePrefetched(RunChartSeriesQuery, late)).toBeUndefined();
  });

  it('are let go after 10 s when nothing took them', () => {
    const { client } = answeringClient();
    prefetchUncached(client, RunChartSeriesQuery, variables);
    jest.advanceTimersByTime(9_000);
    prefetchUncached(client, RunChartSeriesQuery, { ...variables, buckets: 400 });
    jest.advanceTimersByTime(1_001);
    expect(takePrefetched(RunChartSeriesQuery, variables)).toBeUndefined();
    expect(takePrefetched(RunChartSeriesQuery, { ...variables, buckets: 400 })).toBeDefined();
  });
});
