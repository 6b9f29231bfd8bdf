/** GraphQL operations for experiments, runs, metric histories and logs. */
import { graphql } from '../gql';

export const TrackingOverviewQuery = graphql(`
  query TrackingOverview {
    projects {
      id
      slug
      name
      experiments {
        id
        name
        isDefault
        runCount
        lastUpdatedAt
      }
    }
  }
`);

export const ProjectTrackingQuery = graphql(`
  query ProjectTracking($slug: String!) {
    project(slug: $slug) {
      id
      slug
      isMyDefault
      experiments {
        id
        name
        isDefault
        runCount
        createdAt
        lastUpdatedAt
      }
    }
  }
`);

export const SetDefaultProjectMutation = graphql(`
  mutation SetDefaultProject($projectId: ID!) {
    setDefaultProject(projectId: $projectId) {
      id
      isMyDefault
    }
  }
`);

export const RunQuery = graphql(`
  query Run($runId: String!) {
    run(runId: $runId) {
      ...RunSummaryFields
      mlflowStatus
      lifecycleStage
      durationMs
      heartbeatAt
      artifactUri
      gitCommit
      gitRepo
      imageDigest
      user {
        ...UserRefFields
      }
      experiment {
        id
        name
        project {
          id
          slug
          name
        }
      }
      parentRun {
        runId
        name
      }
      ...RunValuesFields
      # Merges into RunValuesFields' latestMetrics: the run page also shows when each was logged.
      latestMetrics {
        timestamp
        ...MetricExtremesFields
      }
      inputs {
        kind
        name
        digest
        descriptor
        datasetVersion {
          id
          number
          dataset {
            id
            name
          }
        }
      }
    }
  }
`);

/**
 * What a live run page polls (use-live-poll.ts): the fields that move while a run runs. The answer
 * merges into the run RunQuery loaded (apollo.ts merges Query.run); charts whose latest point
 * moved then read only their newer points.
 */
export const RunLiveQuery = graphql(`
  query RunLive($runId: String!) {
    run(runId: $runId) {
      runId
      status
      mlflowStatus
      endTime
      durationMs
      heartbeatAt
      latestMetrics {
        ...LatestMetricFields
        timestamp
        # As RunQuery reads them: a poll's list replaces the page's, which must not lose fields (or be read again whole).
        ...MetricExtremesFields
      }
    }
  }
`);

/** Points per read of a metric's history. */
export const HISTORY_PAGE = 10000;

/** The variables of one page of a metric's history after `after` (from the first point when null). */
export const historyPageVariables = (runId: string, key: string, after: string | null) => ({ runId, key, first: HISTORY_PAGE, after });

export const MetricHistoryQuery = graphql(`
  query MetricHistory($runId: String!, $key: String!, $first: Int, $after: String) {
    run(runId: $runId) {
      runId
      metricHistory(key: $key, first: $first, after: $after) {
        key
        steps
        timestamps
        values
        nonFinite
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

/** What the run page's charts draw of a downsampled series (run-chart-series.ts outlineOf). */
export const RunChartSeriesFields = graphql(`
  fragment RunChartSeriesFields on MetricSeries {
    key
    pointCount
    first {
      step
      value
    }
    steps
    last
    min
    max
    nanCounts
  }
`);

/**
 * The run page's charts of a run that is not live, drawn from the server's downsampled series
 * (about one bucket per pixel of a chart) rather than every point: the histories of long runs were
 * most of the page's first load (npm run bench:first-visit). The first 20 training metrics come
 * by the run's id alone (RunChartSeriesOfRunQuery, asked for at startup beside the run itself);
 * a run with more asks for the rest by key, up to 20 a request (RunChartSeriesQuery).
 */
export const RunChartSeriesOfRunQuery = graphql(`
  query RunChartSeriesOfRun($runId: String!, $buckets: Int) {
    run(runId: $runId) {
      runId
      chartSeries(buckets: $buckets) {
        series {
          ...RunChartSeriesFields
        }
      }
    }
  }
`);

export const RunChartSeriesQuery = graphql(`
  query RunChartSeries($projectId: ID!, $runIds: [String!]!, $keys: [String!]!, $buckets: Int) {
    metricSeries(projectId: $projectId, runIds: $runIds, keys: $keys, buckets: $buckets) {
      series {
        ...RunChartSeriesFields
      }
    }
  }
`);

export const RunLogTailQuery = graphql(`
  query RunLogTail($runId: String!, $last: Int, $before: String) {
    run(runId: $runId) {
      runId
      logTail(last: $last, before: $before) {
        ...RunLogPageFields
      }
    }
  }
`);

export const RunLogsQuery = graphql(`
  query RunLogs($runId: String!, $first: Int, $after: String) {
    run(runId: $runId) {
      runId
      logs(first: $first, after: $after) {
        ...RunLogPageFields
      }
    }
  }
`);

export const RunLogPageFields = graphql(`
  fragment RunLogPageFields on RunLogPage {
    lines {
      id
      time
      stream
      line
    }
    hasEarlier
    earlierCursor
    pageInfo {
      hasNextPage
      endCursor
    }
  }
`);
