/** The 'datasets' job family: draft dataset versions built from PACS queries, and versions re-verified against their sources. */
import { Module } from '@nestjs/common';
import {
  DATASET_ENTITIES,
  DATASET_VERIFICATION_ENTITIES,
  DatasetImportEntity,
  DatasetImportsRepository,
  DatasetsRepository,
  DatasetVerificationsRepository,
} from '@caliper/datasets';
import { PersistenceModule } from '@caliper/server-kit';
import { ImportPacsJob } from './import-pacs.job';
import { VerifyVersionJob } from './verify-version.job';

@Module({
  imports: [
    PersistenceModule.forFeature({
      entities: [...DATASET_ENTITIES, DatasetImportEntity, ...DATASET_VERIFICATION_ENTITIES],
      repositories: [DatasetsRepository, DatasetImportsRepository, DatasetVerificationsRepository],
    }),
  ],
  providers: [ImportPacsJob, VerifyVersionJob],
})
export class DatasetsJobsModule {}
