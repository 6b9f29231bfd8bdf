/** The compare page's downsampled series: one request per set of variables, refetched on demand, the last answer kept meanwhile. */
import { useEffect, useState } from 'react';
import { useApolloClient } from '@apollo/client/react';
import type { MetricSeriesQuery as MetricSeriesResult, MetricSeriesQueryVariables } from '../gql/graphql';
import { MetricSeriesQuery } from './compare.operations';
import { takePrefetched } from '../app/prefetch';

export type SeriesSet = MetricSeriesResult['metricSeries'];
export interface SeriesState {
  data: SeriesSet | null;
  /** The failure of the request named by `answered`. */
  error: unknown;
  /** The variables `data` (or `error`) answers (null before the first answer). */
  answered: string | null;
}

/** Downsampled series for these variables, refetched when `tick` moves; the last answer stays on screen meanwhile. */
export function useSeries(vars: MetricSeriesQueryVariables | null, tick: number): SeriesState & { wanted: string | null } {
  const client = useApolloClient();
  const wanted = vars ? JSON.stringify(vars) : null;
  const [state, setState] = useState<SeriesState>({ data: null, error: null, answered: null });
  useEffect(() => {
    if (!wanted) return;
    let cancelled = false;
    const variables = JSON.parse(wanted) as MetricSeriesQueryVariables;
    // The page's first series may have been asked for at startup (compare-page-prefetch.ts).
    (takePrefetched(MetricSeriesQuery, variables) ?? client.query({ query: MetricSeriesQuery, variables, fetchPolicy: 'no-cache' }))
      .then((r: { data?: MetricSeriesResult }) => {
        if (!cancelled && r.data) setState({ data: r.data.metricSeries, error: null, answered: wanted });
      })
      .catch((error: unknown) => {
        if (!cancelled) setState((s) => ({ ...s, error, answered: wanted }));
      });
    return () => {
      cancelled = true;
    };
  }, [client, wanted, tick]);
  return { ...state, error: state.answered === wanted ? state.error : null, wanted };
}
