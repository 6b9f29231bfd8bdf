/** The 'training' job family: launched runs submitted to their executors, synced, cancelled (issue 15). */
import { Module } from '@nestjs/common';
import { CancelRunJob } from './cancel-run.job';
import { Executors } from './executors';
import { SubmitRunJob } from './submit-run.job';
import { SyncRunsJob } from './sync-runs.job';
import { WorkerPresenceAnnouncer } from './worker-presence.announcer';

@Module({ providers: [Executors, SubmitRunJob, SyncRunsJob, CancelRunJob, WorkerPresenceAnnouncer] })
export class TrainingJobsModule {}
