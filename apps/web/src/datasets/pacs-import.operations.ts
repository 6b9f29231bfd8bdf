/** GraphQL operations of "New version from PACS": the query preview, the import, and its progress. */
import { graphql } from '../gql';

export const PacsPreviewQuery = graphql(`
  query PacsPreview($projectId: ID!, $query: PacsQueryInput!, $limit: Int!) {
    pacsPreview(projectId: $projectId, query: $query, limit: $limit) {
      patients
      studies
      series
      instances
      truncated
      studyList {
        studyInstanceUid
        studyDate
        modalities
        seriesDescriptions
        bodyParts
        series
        instances
      }
    }
  }
`);

export const ImportFromPacsMutation = graphql(`
  mutation ImportFromPacs($input: ImportFromPacsInput!) {
    importFromPacs(input: $input) {
      id
      status
    }
  }
`);

export const PacsImportProgressQuery = graphql(`
  query PacsImportProgress($id: ID!) {
    datasetVersion(id: $id) {
      id
      number
      counts {
        items
        patients
      }
      imports {
        id
        status
        total
        done
        skipped
        failed
        error
        failures {
          sopInstanceUid
          error
        }
      }
    }
  }
`);
