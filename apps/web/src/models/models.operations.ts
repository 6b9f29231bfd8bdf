/** GraphQL operations of the model registry: registered models, their versions with the ONNX validation, registration. */
import { graphql } from '../gql';

/** A project's registered models with their newest version (the list page). */
export const ProjectModelsQuery = graphql(`
  query ProjectModels($projectId: ID!, $first: Int!, $after: String) {
    registeredModels(projectId: $projectId, first: $first, after: $after) {
      edges {
        node {
          id
          name
          description
          lastUpdatedAt
          versions {
            id
            version
            lastUpdatedAt
            validation {
              status
            }
          }
        }
      }
      pageInfo {
        endCursor
        hasNextPage
      }
    }
  }
`);

/** A version's ONNX validation as the model page shows it. */
export const ModelValidationFields = graphql(`
  fragment ModelValidationFields on ModelValidation {
    status
    reason
    sha256
    opset
    taskType
    preprocessing
    postprocessing
    filePath
    validatedAt
    inputs {
      name
      dtype
      shape
    }
    outputs {
      name
      dtype
      shape
    }
  }
`);

export const RegisteredModelQuery = graphql(`
  query RegisteredModel($projectId: ID!, $name: String!) {
    registeredModel(projectId: $projectId, name: $name) {
      id
      name
      description
      createdAt
      lastUpdatedAt
      versions {
        id
        version
        createdAt
        lastUpdatedAt
        runId
        artifactPath
        artifactDigest
        stage
        description
        validation {
          ...ModelValidationFields
        }
      }
    }
  }
`);

export const RegisterModelVersionMutation = graphql(`
  mutation RegisterModelVersion($input: RegisterModelVersionInput!) {
    registerModelVersion(input: $input) {
      id
      version
      modelName
    }
  }
`);
