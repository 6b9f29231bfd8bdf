/** The 'registry' job family: ONNX validation of registered model versions. */
import { Module } from '@nestjs/common';
import { ValidateVersionJob } from './validate-version.job';

@Module({ providers: [ValidateVersionJob] })
export class RegistryJobsModule {}
