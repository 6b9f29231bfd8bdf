/** The clinical inference service; this first slice boots with health, readiness and metrics (the server kit's). */
import { DynamicModule, Module } from '@nestjs/common';
import type { Config } from '@caliper/config';
import { CONFIG, HealthModule } from '@caliper/server-kit';

@Module({})
export class InferenceModule {
  static forConfig(config: Config): DynamicModule {
    return {
      module: InferenceModule,
      imports: [HealthModule.forRoot({ service: 'inference', bucket: (c) => c.S3_BUCKET_ARTIFACTS })],
      providers: [{ provide: CONFIG, useValue: config }],
      exports: [CONFIG],
      global: true,
    };
  }
}
