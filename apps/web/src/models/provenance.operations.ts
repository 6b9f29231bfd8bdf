/** GraphQL operations of a model version's provenance (issue 14, item 4). */
import { graphql } from '../gql';

/** The provenance document (the same JSON as …/provenance.json). */
export const VersionProvenanceQuery = graphql(`
  query VersionProvenance($projectId: ID!, $name: String!, $version: Int!) {
    modelVersion(projectId: $projectId, name: $name, version: $version) {
      id
      provenance
    }
  }
`);
