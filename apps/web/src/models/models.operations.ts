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

/** A model card's sections (the suggestion has these only). */
export const ModelCardContentFields = graphql(`
  fragment ModelCardContentFields on ModelCardContent {
    intendedUse
    outOfScopeUse
    trainingData
    validationData
    metrics {
      name
      value
      threshold
    }
    subgroups {
      group
      metric
      value
    }
    limitations
    changes
  }
`);

/** A version's card with its state. */
export const ModelCardFields = graphql(`
  fragment ModelCardFields on ModelCard {
    intendedUse
    outOfScopeUse
    trainingData
    validationData
    metrics {
      name
      value
      threshold
    }
    subgroups {
      group
      metric
      value
    }
    limitations
    changes
    missingSections
    locked
    lockedAt
    updatedAt
    updatedBy
  }
`);

/** One version as its page shows it: identity, ONNX validation and model card. */
export const ModelVersionPageQuery = graphql(`
  query ModelVersionPage($projectId: ID!, $name: String!, $version: Int!) {
    modelVersion(projectId: $projectId, name: $name, version: $version) {
      id
      modelName
      version
      stage
      aliases
      source
      runId
      artifactPath
      artifactDigest
      description
      createdAt
      validation {
        ...ModelValidationFields
      }
      card {
        ...ModelCardFields
      }
    }
  }
`);

/** A draft of the card from the source run and the previous version (nothing is saved). */
export const SuggestedModelCardQuery = graphql(`
  query SuggestedModelCard($projectId: ID!, $name: String!, $version: Int!) {
    modelVersion(projectId: $projectId, name: $name, version: $version) {
      id
      suggestedCard {
        ...ModelCardContentFields
      }
    }
  }
`);

export const UpdateModelCardMutation = graphql(`
  mutation UpdateModelCard($input: UpdateModelCardInput!) {
    updateModelCard(input: $input) {
      id
      card {
        ...ModelCardFields
      }
    }
  }
`);
