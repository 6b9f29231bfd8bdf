/** GraphQL operations for the audit log viewer. */
import { graphql } from '../gql';

export const AuditEventsQuery = graphql(`
  query AuditEvents($filter: AuditEventFilter, $first: Int!, $after: String) {
    auditEvents(filter: $filter, first: $first, after: $after) {
      edges {
        cursor
        node {
          seq
          time
          actorId
          actorLabel
          action
          entityType
          entityId
          projectId
          before
          after
          reason
          prevHash
          hash
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const AuditChainStatusQuery = graphql(`
  query AuditChainStatus {
    auditChainStatus {
      ok
      checkedEvents
      lastSeq
      lastHash
      brokenAtSeq
      problem
      unacknowledgedBreaks
      breaks {
        seq
        kind
        problem
        storedHash
        expectedHash
        acknowledged {
          seq
          by
          reason
          time
        }
      }
      checkpointsChecked
      checkpointsFound
      checkpointsExpected
      verifiedAt
    }
  }
`);
