/** How a version's PACS imports de-identified what they copied (its source), for the seal dialog to suggest as the attestation. */
import { graphql } from '../gql';

export const VersionSourceQuery = graphql(`
  query VersionSource($id: ID!) {
    datasetVersion(id: $id) {
      id
      source
    }
  }
`);
