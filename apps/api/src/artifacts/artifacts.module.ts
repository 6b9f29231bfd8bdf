/** Artifacts: the ArtifactsService behind the native routes and MLflow's artifact proxy. */
import { CONFIG } from '@caliper/server-kit';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { ArtifactsRepository, AuditRepository, RegistryRepository, UploadsRepository } from '@caliper/persistence';
import { objectStoreFromConfig } from '@caliper/storage';
import { MlflowArtifactsController } from '../mlflow/mlflow-artifacts.controller';
import { TrackingModule } from '../tracking/tracking.module';
import { TrackingService } from '../tracking/tracking.service';
import { ArtifactsController } from './artifacts.controller';
import { ArtifactsService } from './artifacts.service';

const MIB = 1024 * 1024;

@Module({
  imports: [TrackingModule],
  controllers: [ArtifactsController, MlflowArtifactsController],
  providers: [
    {
      provide: ArtifactsService,
      useFactory: (
        config: Config,
        ds: DataSource,
        tracking: TrackingService,
        artifacts: ArtifactsRepository,
        uploads: UploadsRepository,
        audit: AuditRepository,
        registry: RegistryRepository,
      ) =>
        new ArtifactsService(
          ds,
          tracking,
          artifacts,
          uploads,
          audit,
          registry,
          objectStoreFromConfig(config),
          objectStoreFromConfig({ ...config, S3_ENDPOINT: config.S3_PUBLIC_ENDPOINT ?? config.S3_ENDPOINT }),
          {
            bucket: config.S3_BUCKET_ARTIFACTS,
            partSizeBytes: config.ARTIFACT_PART_SIZE_MB * MIB,
            maxSizeBytes: config.ARTIFACT_MAX_SIZE_MB * MIB,
          },
        ),
      inject: [CONFIG, DataSource, TrackingService, ArtifactsRepository, UploadsRepository, AuditRepository, RegistryRepository],
    },
  ],
  exports: [ArtifactsService],
})
export class ArtifactsModule {}
