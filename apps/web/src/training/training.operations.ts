/** GraphQL operations for run templates, launching runs from them, and a launched run's execution. */
import { graphql } from '../gql';

export const TemplateVersionFields = graphql(`
  fragment TemplateVersionFields on RunTemplateVersion {
    id
    templateId
    version
    description
    architecture
    initialModelVersion {
      id
      label
    }
    datasetVersion {
      id
      label
    }
    parameters {
      name
      type
      default
      min
      max
      choices
      description
    }
    resources {
      gpus
      cpus
      memoryGb
      wallTimeMinutes
      partition
    }
    executor
    image
    command
    createdBy
    createdAt
  }
`);

export const ProjectRunTemplatesQuery = graphql(`
  query ProjectRunTemplates($projectId: ID!) {
    runTemplates(projectId: $projectId) {
      id
      name
      createdAt
      latestVersion {
        id
        version
        executor
        architecture
        datasetVersion {
          id
          label
        }
        initialModelVersion {
          id
          label
        }
      }
    }
  }
`);

export const RunTemplateQuery = graphql(`
  query RunTemplate($id: ID!) {
    runTemplate(id: $id) {
      id
      projectId
      name
      createdAt
      versions {
        ...TemplateVersionFields
      }
    }
  }
`);

export const LaunchPreviewQuery = graphql(`
  query LaunchPreview($templateVersionId: ID!, $values: [ParameterValueInput!]!) {
    launchPreview(templateVersionId: $templateVersionId, values: $values) {
      command
      values {
        name
        value
        isDefault
      }
    }
  }
`);

export const LaunchRunMutation = graphql(`
  mutation LaunchRun($input: LaunchRunInput!) {
    launchRun(input: $input) {
      runId
      experimentId
      name
    }
  }
`);

export const RunExecutionQuery = graphql(`
  query RunExecution($runId: String!) {
    run(runId: $runId) {
      runId
      status
      params {
        key
        value
      }
      execution {
        executor
        templateVersionId
        externalId
        message
        exitCode
        logTail
        command
        launchedAt
        submittedAt
        endedAt
        cancelRequestedAt
      }
    }
  }
`);

export const TemplateOfVersionQuery = graphql(`
  query TemplateOfVersion($id: ID!) {
    runTemplateVersion(id: $id) {
      id
      templateId
      version
    }
  }
`);

export const CancelRunMutation = graphql(`
  mutation CancelRun($runId: String!) {
    cancelRun(runId: $runId) {
      cancelRequestedAt
      endedAt
      message
    }
  }
`);

/** A launched run as the queue page shows it. */
export const TrainingQueueEntryFields = graphql(`
  fragment TrainingQueueEntryFields on TrainingQueueEntry {
    runId
    runName
    status
    templateId
    templateName
    templateVersion
    launchedBy
    execution {
      executor
      externalId
      message
      launchedAt
      submittedAt
      endedAt
      cancelRequestedAt
    }
  }
`);

export const TrainingQueueQuery = graphql(`
  query TrainingQueue($projectId: ID!, $first: Int, $after: String, $recentlyEnded: Int) {
    trainingQueue(projectId: $projectId, first: $first, after: $after, recentlyEnded: $recentlyEnded) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...TrainingQueueEntryFields
        }
      }
      recentlyEnded {
        ...TrainingQueueEntryFields
      }
    }
  }
`);
