/**
 * GraphQL operations of the compare page: the runs (with their sweeps), their downsampled series, saved views. The
 * series ask only for the columns drawn (timestamps only on a time axis): the response is most of
 * the page's load time.
 */
import { graphql } from '../gql';

export const CompareProjectQuery = graphql(`
  query CompareProject($slug: String!) {
    project(slug: $slug) {
      id
      slug
      name
      myPermissions
    }
  }
`);

export const CompareRunsQuery = graphql(`
  query CompareRuns($projectId: ID!, $runIds: [String!]!) {
    compareRuns(projectId: $projectId, runIds: $runIds) {
      ...RunSummaryFields
      experiment {
        id
        name
      }
      ...RunValuesFields
      # Merges into RunValuesFields' latestMetrics: the scatter and parallel coordinates can plot each metric's best.
      latestMetrics {
        ...MetricExtremesFields
      }
      # Runs of one sweep are listed, coloured and switched together, their swept parameters marked.
      sweep {
        ...RunSweepFields
      }
    }
  }
`);

export const RunSweepFields = graphql(`
  fragment RunSweepFields on RunSweep {
    id
    name
    parentRunId
    sweptParameters
    runIds
  }
`);

/** The sweep a run leads or belongs to: the run page's link to compare all its runs. */
export const RunSweepQuery = graphql(`
  query RunSweep($runId: String!) {
    run(runId: $runId) {
      runId
      sweep {
        ...RunSweepFields
      }
    }
  }
`);

export const MetricSeriesQuery = graphql(`
  query MetricSeries(
    $projectId: ID!
    $runIds: [String!]!
    $keys: [String!]!
    $fromStep: Float
    $toStep: Float
    $buckets: Int
    $withTimes: Boolean!
  ) {
    metricSeries(projectId: $projectId, runIds: $runIds, keys: $keys, fromStep: $fromStep, toStep: $toStep, buckets: $buckets) {
      fromStep
      toStep
      bucketWidth
      bucketCount
      exact
      tierLevel
      series {
        runId
        key
        pointCount
        buckets
        steps
        timestamps @include(if: $withTimes)
        last
        min
        max
      }
    }
  }
`);

export const SavedViewsQuery = graphql(`
  query SavedViews($projectId: ID!, $kind: SavedViewKind!) {
    savedViews(projectId: $projectId, kind: $kind) {
      id
      name
      updatedAt
      state {
        key
        value
      }
      createdBy {
        id
        username
      }
    }
  }
`);

export const SaveViewMutation = graphql(`
  mutation SaveView($input: SaveViewInput!) {
    saveView(input: $input) {
      id
      name
      updatedAt
      state {
        key
        value
      }
    }
  }
`);

export const DeleteViewMutation = graphql(`
  mutation DeleteView($input: DeleteViewInput!) {
    deleteView(input: $input)
  }
`);
