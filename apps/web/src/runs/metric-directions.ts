/**
 * Whether each metric is better low or high in a project, and so which of its extremes is its
 * best (issue 12): read from the server for the keys a page shows, changed by anyone who may log
 * runs (the choice is the project's, remembered server-side). The answer is normalised by its id
 * (project and key), so a change made on one page shows on every page that reads the key.
 */
import { useMemo } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import type { MetricDirection } from '../gql/graphql';

export const MetricDirectionsQuery = graphql(`
  query MetricDirections($projectId: ID!, $keys: [String!]!) {
    metricDirections(projectId: $projectId, keys: $keys) {
      id
      key
      direction
      isDefault
    }
  }
`);

export const SetMetricDirectionMutation = graphql(`
  mutation SetMetricDirection($input: SetMetricDirectionInput!) {
    setMetricDirection(input: $input) {
      id
      key
      direction
      isDefault
    }
  }
`);

export type { MetricDirection };

export interface Extremes {
  key: string;
  min?: { value: number; step: number } | null;
  max?: { value: number; step: number } | null;
}

/** The best of a metric by its direction: its lowest (MIN) or highest (MAX) finite value and the first step it was reached at. */
export function bestOf(m: Extremes | undefined, direction: MetricDirection | null): { value: number; step: number } | null {
  if (!m || !direction) return null;
  return (direction === 'MIN' ? m.min : m.max) ?? null;
}

/** "lowest" or "highest", as the UI says a direction. */
export const directionWord = (d: MetricDirection): string => (d === 'MIN' ? 'lowest' : 'highest');

export interface Directions {
  /** The key's direction; null until the server has answered. */
  of(key: string): MetricDirection | null;
  isDefault(key: string): boolean;
  loaded: boolean;
  set(key: string, direction: MetricDirection | null): Promise<void>;
  saving: boolean;
  error: unknown;
}

export function useMetricDirections(projectId: string | null | undefined, keys: readonly string[]): Directions {
  const sorted = useMemo(() => [...new Set(keys)].sort(), [keys]);
  const q = useQuery(MetricDirectionsQuery, {
    variables: { projectId: projectId ?? '', keys: sorted },
    skip: !projectId || sorted.length === 0,
  });
  const [mutate, m] = useMutation(SetMetricDirectionMutation);
  const byKey = useMemo(() => new Map((q.data?.metricDirections ?? []).map((d) => [d.key, d])), [q.data]);
  return {
    of: (key) => byKey.get(key)?.direction ?? null,
    isDefault: (key) => byKey.get(key)?.isDefault ?? true,
    loaded: !!q.data,
    saving: m.loading,
    error: m.error ?? q.error,
    set: async (key, direction) => {
      if (!projectId) return;
      await mutate({ variables: { input: { projectId, key, direction } } });
    },
  };
}
