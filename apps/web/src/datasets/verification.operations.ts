/** GraphQL operations for verifying a dataset version against its sources (PACS and datasets bucket). */
import { graphql } from '../gql';

export const DatasetVerificationFields = graphql(`
  fragment DatasetVerificationFields on DatasetVerification {
    id
    status
    total
    checked
    ok
    changed
    missing
    errors
    error
    createdAt
    startedAt
    finishedAt
  }
`);

export const DatasetVerificationDriftFields = graphql(`
  fragment DatasetVerificationDriftFields on DatasetVerificationDrift {
    itemKey
    kind
    sopUid
    objectKey
    expectedSha256
    actualSha256
    reason
  }
`);

/** The latest verification of a version, with its first page of drift. */
export const LatestVerificationQuery = graphql(`
  query LatestVerification($id: ID!, $first: Int!) {
    datasetVersion(id: $id) {
      id
      verifications(first: 1) {
        ...DatasetVerificationFields
        drifts(first: $first) {
          drifts {
            ...DatasetVerificationDriftFields
          }
          next
        }
      }
    }
  }
`);

export const VerificationDriftsQuery = graphql(`
  query VerificationDrifts($id: ID!, $first: Int!, $after: String) {
    datasetVersion(id: $id) {
      id
      verifications(first: 1) {
        id
        drifts(first: $first, after: $after) {
          drifts {
            ...DatasetVerificationDriftFields
          }
          next
        }
      }
    }
  }
`);

export const VerifyDatasetVersionMutation = graphql(`
  mutation VerifyDatasetVersion($versionId: ID!) {
    verifyDatasetVersion(versionId: $versionId) {
      ...DatasetVerificationFields
    }
  }
`);
