/** GraphQL operations of a version's lineage: the runs that used it and the models trained from them. */
import { graphql } from '../gql';

export const VersionRunFields = graphql(`
  fragment VersionRunFields on DatasetVersionRunConnection {
    totalCount
    edges {
      cursor
      node {
        runId
        name
        status
        startTime
        experimentId
        experimentName
        createdByName
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
`);

export const DatasetVersionUsageQuery = graphql(`
  query DatasetVersionUsage($id: ID!, $first: Int!) {
    datasetVersion(id: $id) {
      id
      runs(first: $first) {
        ...VersionRunFields
      }
      models(first: 50) {
        id
        modelName
        version
        stage
        status
        runId
        runName
        createdAt
      }
    }
  }
`);

export const DatasetVersionRunsPageQuery = graphql(`
  query DatasetVersionRunsPage($id: ID!, $first: Int!, $after: String) {
    datasetVersion(id: $id) {
      id
      runs(first: $first, after: $after) {
        ...VersionRunFields
      }
    }
  }
`);
