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

export const ExperimentQuery = graphql(`
  query Experiment($id: ID!, $first: Int, $after: String) {
    experiment(id: $id) {
      id
      name
      isDefault
      lifecycleStage
      artifactLocation
      createdAt
      lastUpdatedAt
      tags {
        key
        value
      }
      project {
        id
        slug
        name
      }
      runs(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            runId
            name
            status
            mlflowStatus
            startTime
            endTime
            durationMs
            user {
              id
              username
              displayName
            }
            params {
              key
              value
            }
            latestMetrics {
              key
              value
              nonFinite
              step
            }
          }
        }
      }
    }
  }
`);

export const RunQuery = graphql(`
  query Run($runId: String!) {
    run(runId: $runId) {
      runId
      name
      status
      mlflowStatus
      lifecycleStage
      startTime
      endTime
      durationMs
      heartbeatAt
      artifactUri
      gitCommit
      gitRepo
      imageDigest
      user {
        id
        username
        displayName
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
      params {
        key
        value
      }
      tags {
        key
        value
      }
      latestMetrics {
        key
        value
        nonFinite
        step
        timestamp
      }
      inputs {
        kind
        name
        digest
        descriptor
      }
    }
  }
`);

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
