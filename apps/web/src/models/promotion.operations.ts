/** GraphQL operations of signed promotion (issue 14): a request with its gates, evidence and signatures, signing, the pending-signature inbox, a model's stage history and policies. */
import { graphql } from '../gql';

/** A signature as every place that shows one prints it: printed name, role, meaning, decision, time and the hash it binds. */
export const PromotionSignatureFields = graphql(`
  fragment PromotionSignatureFields on ESignature {
    id
    printedName
    username
    role
    meaning
    decision
    reason
    signedAt
    contentSha256
  }
`);

/** A request as lists show it (inbox, stage history). */
export const PromotionRequestSummaryFields = graphql(`
  fragment PromotionRequestSummaryFields on PromotionRequest {
    id
    projectId
    modelName
    version
    fromStage
    targetStage
    kind
    reason
    status
    requestedAt
    decidedAt
    decisionReason
    requiredRoles
    requiredSignatures
    missingRoles
    requestedBy {
      id
      username
      displayName
    }
    signatures {
      ...PromotionSignatureFields
    }
  }
`);

export const PromotionRequestQuery = graphql(`
  query PromotionRequest($id: ID!) {
    promotionRequest(id: $id) {
      ...PromotionRequestSummaryFields
      registeredModelId
      modelVersionId
      contentSha256
      deploymentId
      gates {
        gate
        status
        detail
      }
      evaluation {
        id
        status
        datasetVersionId
        metrics
        itemCount
        manifestSha256
        modelSha256
        reason
        startedAt
        finishedAt
        criteria {
          metric
          op
          threshold
          value
          passed
        }
      }
    }
  }
`);

export const MyPendingSignaturesQuery = graphql(`
  query MyPendingSignatures {
    myPendingSignatures(first: 200) {
      ...PromotionRequestSummaryFields
    }
  }
`);

/** How many requests wait for the signed-in user's signature (the navigation's count). */
export const PendingSignatureCountQuery = graphql(`
  query PendingSignatureCount {
    myPendingSignatures(first: 200) {
      id
    }
  }
`);

export const SignPromotionMutation = graphql(`
  mutation SignPromotion($input: SignPromotionInput!) {
    signPromotion(input: $input) {
      id
      status
    }
  }
`);

export const CancelPromotionMutation = graphql(`
  mutation CancelPromotion($input: CancelPromotionInput!) {
    cancelPromotion(input: $input) {
      id
      status
    }
  }
`);

export const RequestPromotionMutation = graphql(`
  mutation RequestPromotion($input: RequestPromotionInput!) {
    requestPromotion(input: $input) {
      id
      status
    }
  }
`);

/** A model's promotion side: policies per stage, requests and deployments (the stage history). */
export const ModelPromotionQuery = graphql(`
  query ModelPromotion($projectId: ID!, $name: String!) {
    registeredModel(projectId: $projectId, name: $name) {
      id
      promotionPolicies {
        stage
        requiredRoles
        requiredSignatures
        testDatasetVersionId
        requireCard
        configured
        acceptance {
          metric
          op
          threshold
        }
      }
      promotionRequests(first: 200) {
        ...PromotionRequestSummaryFields
        modelVersionId
      }
      deployments(first: 200) {
        id
        modelVersionId
        version
        promotionRequestId
        site
        mode
        status
        modelSha256
        startedAt
        endedAt
        endedReason
      }
    }
  }
`);

export const SetPromotionPolicyMutation = graphql(`
  mutation SetPromotionPolicy($input: SetPromotionPolicyInput!) {
    setPromotionPolicy(input: $input) {
      stage
      configured
    }
  }
`);

/** A version's promotion requests with their signatures (the version page). */
export const VersionPromotionsQuery = graphql(`
  query VersionPromotions($projectId: ID!, $name: String!, $version: Int!) {
    modelVersion(projectId: $projectId, name: $name, version: $version) {
      id
      promotionRequests {
        ...PromotionRequestSummaryFields
      }
    }
  }
`);
