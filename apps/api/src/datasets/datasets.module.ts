/** Datasets: versions built from the PACS or uploads, patient-level splits, seal, diff (issue 13). */
import type { Config } from '@caliper/config';
import { DATASET_ENTITIES, DatasetsRepository } from '@caliper/datasets';
import { AuditRepository } from '@caliper/persistence';
import { CONFIG, PersistenceModule } from '@caliper/server-kit';
import { objectStoreFromConfig } from '@caliper/storage';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatasetUploadsController } from './dataset-uploads.controller';
import { DatasetsLoaders } from './datasets.loaders';
import { DatasetsResolver, DatasetVersionFieldsResolver } from './datasets.resolver';
import { DatasetsService } from './datasets.service';

@Module({
  imports: [PersistenceModule.forFeature({ entities: DATASET_ENTITIES, repositories: [DatasetsRepository] })],
  controllers: [DatasetUploadsController],
  providers: [
    {
      provide: DatasetsService,
      useFactory: (config: Config, ds: DataSource, datasets: DatasetsRepository, audit: AuditRepository) =>
        new DatasetsService(ds, datasets, audit, { store: objectStoreFromConfig(config), bucket: config.S3_BUCKET_DATASETS }),
      inject: [CONFIG, DataSource, DatasetsRepository, AuditRepository],
    },
    DatasetsLoaders,
    DatasetsResolver,
    DatasetVersionFieldsResolver,
  ],
  exports: [DatasetsService],
})
export class DatasetsModule {}
