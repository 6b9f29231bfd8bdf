/** Datasets: versions built from the PACS or uploads, patient-level splits, seal, diff (issue 13). */
import type { Config } from '@caliper/config';
import {
  DATASET_ENTITIES,
  DatasetImportEntity,
  DatasetImportsRepository,
  DatasetLineageRepository,
  DatasetsRepository,
  DATASET_VERIFICATION_ENTITIES,
  DatasetVerificationsRepository,
} from '@caliper/datasets';
import { AuditRepository, OutboxRepository } from '@caliper/persistence';
import { CONFIG, PersistenceModule } from '@caliper/server-kit';
import { objectStoreFromConfig } from '@caliper/storage';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatasetDownloadsController } from './dataset-downloads.controller';
import { DatasetImportsResolver, DatasetVersionImportsResolver } from './dataset-imports.resolver';
import { DatasetImportsService } from './dataset-imports.service';
import { DatasetVerificationsResolver, DatasetVersionVerificationsResolver } from './dataset-verifications.resolver';
import { DatasetVerificationsService } from './dataset-verifications.service';
import { DatasetLineageLoaders } from './dataset-lineage.loaders';
import { DatasetVersionLineageResolver, RunInputDatasetVersionResolver } from './dataset-lineage.resolver';
import { DatasetUploadsController } from './dataset-uploads.controller';
import { DatasetUploadsService } from './dataset-uploads.service';
import { DatasetsLoaders } from './datasets.loaders';
import { DatasetsResolver, DatasetVersionFieldsResolver } from './datasets.resolver';
import { DatasetsService } from './datasets.service';

@Module({
  imports: [
    PersistenceModule.forFeature({
      entities: [...DATASET_ENTITIES, DatasetImportEntity, ...DATASET_VERIFICATION_ENTITIES],
      repositories: [DatasetsRepository, DatasetImportsRepository, DatasetLineageRepository, DatasetVerificationsRepository],
    }),
  ],
  controllers: [DatasetDownloadsController, DatasetUploadsController],
  providers: [
    {
      provide: DatasetsService,
      useFactory: (config: Config, ds: DataSource, datasets: DatasetsRepository, audit: AuditRepository) =>
        new DatasetsService(ds, datasets, audit, { store: objectStoreFromConfig(config), bucket: config.S3_BUCKET_DATASETS }),
      inject: [CONFIG, DataSource, DatasetsRepository, AuditRepository],
    },
    {
      provide: DatasetImportsService,
      useFactory: (
        config: Config,
        ds: DataSource,
        datasets: DatasetsRepository,
        imports: DatasetImportsRepository,
        outbox: OutboxRepository,
        audit: AuditRepository,
      ) => new DatasetImportsService(ds, datasets, imports, outbox, audit, config.PACS_DICOMWEB_URL),
      inject: [CONFIG, DataSource, DatasetsRepository, DatasetImportsRepository, OutboxRepository, AuditRepository],
    },
    {
      provide: DatasetUploadsService,
      useFactory: (config: Config, ds: DataSource, datasets: DatasetsRepository, audit: AuditRepository, service: DatasetsService) =>
        new DatasetUploadsService(ds, datasets, audit, service, {
          store: objectStoreFromConfig(config),
          bucket: config.S3_BUCKET_DATASETS,
          maxZipBytes: config.DATASET_ZIP_MAX_MB * 1024 * 1024,
        }),
      inject: [CONFIG, DataSource, DatasetsRepository, AuditRepository, DatasetsService],
    },
    {
      provide: DatasetVerificationsService,
      useFactory: (
        config: Config,
        ds: DataSource,
        verifications: DatasetVerificationsRepository,
        outbox: OutboxRepository,
        audit: AuditRepository,
      ) => new DatasetVerificationsService(ds, verifications, outbox, audit, config.PACS_DICOMWEB_URL),
      inject: [CONFIG, DataSource, DatasetVerificationsRepository, OutboxRepository, AuditRepository],
    },
    DatasetsLoaders,
    DatasetsResolver,
    DatasetImportsResolver,
    DatasetVersionImportsResolver,
    DatasetVerificationsResolver,
    DatasetVersionVerificationsResolver,
    DatasetVersionFieldsResolver,
    DatasetLineageLoaders,
    DatasetVersionLineageResolver,
    RunInputDatasetVersionResolver,
  ],
  exports: [DatasetsService],
})
export class DatasetsModule {}
