/** The 'registry' job family: ONNX validation of registered model versions, evaluation gates and deployment of approved promotions. */
import { Module } from '@nestjs/common';
import { DeployVersionJob } from './deploy-version.job';
import { EvaluateVersionJob } from './evaluate-version.job';
import { ValidateVersionJob } from './validate-version.job';

@Module({ providers: [ValidateVersionJob, EvaluateVersionJob, DeployVersionJob] })
export class RegistryJobsModule {}
