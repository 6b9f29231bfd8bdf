/** Run templates and launches (issue 15): versioned launch definitions, a checked launch preview, launching and cancelling runs. */
import { Module } from '@nestjs/common';
import { TrackingModule } from '../tracking/tracking.module';
import { RunLaunchResolver } from './run-launch.resolver';
import { RunLaunchService } from './run-launch.service';
import { TrainingWorkers } from './training-workers';
import { RunSweepLoaders, RunSweepResolver } from './run-sweep.resolver';
import { RunTemplatesLoaders } from './run-templates.loaders';
import { RunTemplateFieldsResolver, RunTemplatesResolver } from './run-templates.resolver';
import { RunTemplatesService } from './run-templates.service';

@Module({
  imports: [TrackingModule],
  providers: [
    RunTemplatesService,
    RunTemplatesResolver,
    RunTemplateFieldsResolver,
    RunTemplatesLoaders,
    RunLaunchService,
    TrainingWorkers,
    RunLaunchResolver,
    RunSweepLoaders,
    RunSweepResolver,
  ],
})
export class RunTemplatesModule {}
