/** GraphQL documents of the runs table: one page of an experiment's runs, and its column keys. */
import { graphql } from '../gql';

export const RunsTablePageQuery = graphql(`
  query RunsTablePage($id: ID!, $first: Int, $after: String, $filter: String, $orderBy: [String!]) {
    experiment(id: $id) {
      id
      runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            ...RunRowFields
            ...RunValuesFields
            # Merges into RunValuesFields' latestMetrics: each metric's best sits beside its latest.
            latestMetrics {
              ...MetricExtremesFields
            }
          }
        }
      }
    }
  }
`);

export const RunColumnKeysQuery = graphql(`
  query RunColumnKeys($id: ID!) {
    experiment(id: $id) {
      id
      project {
        id
        myPermissions
      }
      runKeys {
        params
        metrics
        tags
      }
    }
  }
`);

export const RunGroupsQuery = graphql(`
  query RunGroups($id: ID!, $by: String!, $filter: String) {
    experiment(id: $id) {
      id
      runGroups(by: $by, filter: $filter) {
        groups {
          value
          count
        }
        truncated
      }
    }
  }
`);
