/** The 'registry' job family: ONNX validation of registered model versions, and their evaluation for promotion gates. */
import { Module } from '@nestjs/common';
import { EvaluateVersionJob } from './evaluate-version.job';
import { ValidateVersionJob } from './validate-version.job';

@Module({ providers: [ValidateVersionJob, EvaluateVersionJob] })
export class RegistryJobsModule {}
