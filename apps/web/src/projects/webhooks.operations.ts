/** GraphQL operations for a project's webhooks on registry events and their delivery log (issue 14, item 5). */
import { graphql } from '../gql';

export const WebhooksQuery = graphql(`
  query ProjectWebhooks($projectId: ID!) {
    webhooks(projectId: $projectId) {
      id
      url
      events
      active
      createdAt
    }
  }
`);

export const CreateWebhookMutation = graphql(`
  mutation CreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) {
      secret
      webhook {
        id
        url
      }
    }
  }
`);

export const UpdateWebhookMutation = graphql(`
  mutation UpdateWebhook($input: UpdateWebhookInput!) {
    updateWebhook(input: $input) {
      id
      url
      events
      active
    }
  }
`);

export const DeleteWebhookMutation = graphql(`
  mutation DeleteWebhook($id: ID!) {
    deleteWebhook(id: $id) {
      id
    }
  }
`);

export const WebhookDeliveriesQuery = graphql(`
  query WebhookDeliveries($webhookId: ID!, $after: String) {
    webhookDeliveries(webhookId: $webhookId, first: 20, after: $after) {
      edges {
        node {
          id
          eventId
          eventType
          status
          attempts
          lastStatusCode
          lastError
          nextAttemptAt
          deliveredAt
          createdAt
          attemptLog {
            attempt
            statusCode
            error
            durationMs
            attemptedAt
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const RedeliverWebhookMutation = graphql(`
  mutation RedeliverWebhookDelivery($deliveryId: ID!) {
    redeliverWebhookDelivery(deliveryId: $deliveryId) {
      id
      status
      attempts
    }
  }
`);
