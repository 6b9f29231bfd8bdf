/** The 'datasets' job family: draft dataset versions built from PACS queries. */
import { Module } from '@nestjs/common';
import { DATASET_ENTITIES, DatasetImportEntity, DatasetImportsRepository, DatasetsRepository } from '@caliper/datasets';
import { PersistenceModule } from '@caliper/server-kit';
import { ImportPacsJob } from './import-pacs.job';

@Module({
  imports: [
    PersistenceModule.forFeature({
      entities: [...DATASET_ENTITIES, DatasetImportEntity],
      repositories: [DatasetsRepository, DatasetImportsRepository],
    }),
  ],
  providers: [ImportPacsJob],
})
export class DatasetsJobsModule {}
