/**
 * GraphQL fragments for the run fields that several pages select alike (runs table, experiment,
 * run page, compare page), so each selection is written once. Each page still picks which of them
 * it spreads and adds its own fields: none of these widens what a page asks for.
 */
import { graphql } from '../gql';

/** A key/value pair as runs and experiments carry them: params and tags. */
export const KeyValueFields = graphql(`
  fragment KeyValueFields on KeyValue {
    key
    value
  }
`);

/** A run's last value of one metric (`nonFinite` holds NaN/Infinity, which JSON cannot). */
export const LatestMetricFields = graphql(`
  fragment LatestMetricFields on LatestMetric {
    key
    value
    nonFinite
    step
  }
`);

/**
 * A metric's lowest and highest finite value with the first step each was reached at: its best
 * is one of them, by the project's direction for the key (metric-directions.ts), so a change of
 * direction shows at once without reading the runs again.
 */
export const MetricExtremesFields = graphql(`
  fragment MetricExtremesFields on LatestMetric {
    key
    min {
      value
      step
    }
    max {
      value
      step
    }
  }
`);

/** What a page shows to name a user: a run's owner, a token's owner. */
export const UserRefFields = graphql(`
  fragment UserRefFields on User {
    id
    username
    displayName
  }
`);

/** The identity and timing of a run, the least any list of runs draws. */
export const RunSummaryFields = graphql(`
  fragment RunSummaryFields on Run {
    runId
    name
    status
    startTime
    endTime
  }
`);

/** A run's key/value columns: params, tags and latest metrics, which tables and the compare page draw. */
export const RunValuesFields = graphql(`
  fragment RunValuesFields on Run {
    params {
      ...KeyValueFields
    }
    tags {
      ...KeyValueFields
    }
    latestMetrics {
      ...LatestMetricFields
    }
  }
`);

/** One row of a runs list, less its key/value columns (lists differ in which of those they want). */
export const RunRowFields = graphql(`
  fragment RunRowFields on Run {
    ...RunSummaryFields
    mlflowStatus
    durationMs
    user {
      ...UserRefFields
    }
  }
`);
