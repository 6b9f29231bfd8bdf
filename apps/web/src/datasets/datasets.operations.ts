/** GraphQL operations for datasets, their versions, items and diffs. */
import { graphql } from '../gql';

export const ProjectDatasetsQuery = graphql(`
  query ProjectDatasets($projectId: ID!) {
    datasets(projectId: $projectId) {
      id
      name
      description
      createdAt
      versions {
        id
        number
        state
      }
    }
  }
`);

export const CreateDatasetMutation = graphql(`
  mutation CreateDataset($input: CreateDatasetInput!) {
    createDataset(input: $input) {
      id
      name
    }
  }
`);

/** A version as the dataset page lists it. */
export const DatasetVersionSummaryFields = graphql(`
  fragment DatasetVersionSummaryFields on DatasetVersion {
    id
    number
    state
    parentId
    createdAt
    sealedAt
    splitSeed
    splitRatios {
      train
      val
      test
    }
    counts {
      items
      patients
    }
  }
`);

export const DatasetQuery = graphql(`
  query Dataset($id: ID!) {
    dataset(id: $id) {
      id
      projectId
      name
      description
      createdAt
      versions {
        ...DatasetVersionSummaryFields
      }
    }
  }
`);

export const CreateDatasetVersionMutation = graphql(`
  mutation CreateDatasetVersion($input: CreateDatasetVersionInput!) {
    createDatasetVersion(input: $input) {
      id
      number
    }
  }
`);

export const DatasetVersionQuery = graphql(`
  query DatasetVersion($id: ID!) {
    datasetVersion(id: $id) {
      id
      datasetId
      number
      state
      parentId
      createdAt
      sealedAt
      splitMode
      splitSeed
      splitRatios {
        train
        val
        test
      }
      stratifyByLabel
      labelSet
      manifestKey
      manifestSha256
      deidAttestation {
        method
        summary
        attestedAt
      }
      counts {
        items
        patients
        studies
        series
        bytes
        bySplit {
          split
          items
          patients
          studies
        }
        byModality {
          value
          items
        }
        byLabel {
          value
          items
        }
      }
      children {
        id
        number
        state
      }
    }
  }
`);

/** The dataset a version belongs to: its name and its other versions (for the diff picker and the parent's number). */
export const DatasetOfVersionQuery = graphql(`
  query DatasetOfVersion($id: ID!) {
    dataset(id: $id) {
      id
      projectId
      name
      versions {
        id
        number
        state
      }
    }
  }
`);

export const DatasetItemsPageQuery = graphql(`
  query DatasetItemsPage($id: ID!, $first: Int!, $after: String, $split: DatasetSplit) {
    datasetVersion(id: $id) {
      id
      items(first: $first, after: $after, split: $split) {
        items {
          itemKey
          patientKey
          studyUid
          seriesUid
          modality
          split
          label
          sizeBytes
          sha256
        }
        next
      }
    }
  }
`);

export const DatasetVersionDiffQuery = graphql(`
  query DatasetVersionDiff($fromId: ID!, $toId: ID!, $first: Int!) {
    datasetVersionDiff(fromId: $fromId, toId: $toId, first: $first) {
      counts {
        added
        removed
        changed
        moved
        relabelled
        unchanged
      }
      rows {
        itemKey
        kind
        fromSplit
        toSplit
        fromLabel
        toLabel
      }
    }
  }
`);

export const SealDatasetVersionMutation = graphql(`
  mutation SealDatasetVersion($input: SealDatasetVersionInput!) {
    sealDatasetVersion(input: $input) {
      id
      state
      sealedAt
      manifestKey
      manifestSha256
      deidAttestation {
        method
        summary
        attestedAt
      }
    }
  }
`);

export const DeleteDatasetVersionMutation = graphql(`
  mutation DeleteDatasetVersion($versionId: ID!) {
    deleteDatasetVersion(versionId: $versionId)
  }
`);
