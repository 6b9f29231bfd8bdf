/**
 * JobProcessors finds each job's processor among the providers of every module, as the worker
 * does at start, and refuses a job with no processor or with two. Small Nest contexts with
 * processors of their own; no database or queue is involved.
 */
import 'reflect-metadata';
import { Injectable, Module, Type } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { JobPayloads } from '@caliper/jobs';
import { JobProcessor, JobResult, ProcessesJob, ScheduledJobProcessor } from './job-processor';
import { JobProcessors } from './job-processors';

@Injectable()
class Clock {
  readonly label = 'the injected clock';
}

@Injectable()
@ProcessesJob('audit.checkpoint')
class Checkpoint implements ScheduledJobProcessor<'audit.checkpoint'> {
  readonly everyMs = 2000;
  constructor(private readonly clock: Clock) {}
  async run(): Promise<JobResult> {
    return { outcome: 'done', detail: { by: this.clock.label } };
  }
}

@Injectable()
@ProcessesJob('uploads.sweep')
class Sweep implements ScheduledJobProcessor<'uploads.sweep'> {
  readonly everyMs = 3600_000;
  async run(): Promise<JobResult> {
    return { outcome: 'skipped', detail: {} };
  }
}

@Injectable()
@ProcessesJob('idempotency.purge')
class Purge implements ScheduledJobProcessor<'idempotency.purge'> {
  readonly everyMs = 60_000;
  async run(): Promise<JobResult> {
    return { outcome: 'skipped', detail: {} };
  }
}

@Injectable()
@ProcessesJob('auth.failed-logins.flush')
class Flush implements JobProcessor<'auth.failed-logins.flush'> {
  async run(data: JobPayloads['auth.failed-logins.flush']): Promise<JobResult> {
    return { outcome: 'done', detail: { username: data.username } };
  }
}

@Injectable()
@ProcessesJob('auth.failed-logins.flush')
class SecondFlush extends Flush {}

@Injectable()
@ProcessesJob('datasets.import-pacs')
class ImportPacs implements JobProcessor<'datasets.import-pacs'> {
  async run(data: JobPayloads['datasets.import-pacs']): Promise<JobResult> {
    return { outcome: 'done', detail: { importId: data.importId } };
  }
}

@Module({ providers: [Clock, Checkpoint] })
class AuditFamily {}
@Module({ providers: [Sweep] })
class UploadsFamily {}
@Module({ providers: [Purge] })
class IdempotencyFamily {}
@Module({ providers: [Flush] })
class AuthFamily {}
@Module({ providers: [SecondFlush] })
class OtherAuthFamily {}
@Injectable()
@ProcessesJob('datasets.verify-version')
class VerifyVersion implements JobProcessor<'datasets.verify-version'> {
  async run(data: JobPayloads['datasets.verify-version']): Promise<JobResult> {
    return { outcome: 'done', detail: { verificationId: data.verificationId } };
  }
}

@Module({ providers: [ImportPacs, VerifyVersion] })
class DatasetsFamily {}
@Injectable()
@ProcessesJob('registry.validate-version')
class ValidateModel implements JobProcessor<'registry.validate-version'> {
  async run(data: JobPayloads['registry.validate-version']): Promise<JobResult> {
    return { outcome: 'done', detail: { modelVersionId: data.modelVersionId } };
  }
}
@Injectable()
@ProcessesJob('registry.evaluate-version')
class EvaluateModel implements JobProcessor<'registry.evaluate-version'> {
  async run(data: JobPayloads['registry.evaluate-version']): Promise<JobResult> {
    return { outcome: 'done', detail: { evaluationId: data.evaluationId } };
  }
}
@Injectable()
@ProcessesJob('registry.deploy-version')
class DeployModel implements JobProcessor<'registry.deploy-version'> {
  async run(data: JobPayloads['registry.deploy-version']): Promise<JobResult> {
    return { outcome: 'done', detail: { promotionRequestId: data.promotionRequestId } };
  }
}
// No module processes 'deployments.changed': the inference service consumes that family.
@Module({ providers: [ValidateModel, EvaluateModel, DeployModel] })
class RegistryFamily {}

@Injectable()
@ProcessesJob('webhooks.deliver')
class DeliverWebhook implements JobProcessor<'webhooks.deliver'> {
  async run(data: JobPayloads['webhooks.deliver']): Promise<JobResult> {
    return { outcome: 'done', detail: { deliveryId: data.deliveryId, attempt: data.attempt } };
  }
}
@Module({ providers: [DeliverWebhook] })
class WebhooksFamily {}

@Injectable()
@ProcessesJob('training.submit')
class SubmitRun implements JobProcessor<'training.submit'> {
  async run(data: JobPayloads['training.submit']): Promise<JobResult> {
    return { outcome: 'done', detail: { runUuid: data.runUuid } };
  }
}
@Injectable()
@ProcessesJob('training.cancel')
class CancelRun implements JobProcessor<'training.cancel'> {
  async run(data: JobPayloads['training.cancel']): Promise<JobResult> {
    return { outcome: 'done', detail: { runUuid: data.runUuid } };
  }
}
@Injectable()
@ProcessesJob('training.sync')
class SyncRuns implements ScheduledJobProcessor<'training.sync'> {
  readonly everyMs = 10_000;
  async run(): Promise<JobResult> {
    return { outcome: 'skipped', detail: {} };
  }
}
@Module({ providers: [SubmitRun, CancelRun, SyncRuns] })
class TrainingFamily {}

async function boot(...families: Type[]) {
  @Module({ imports: [DiscoveryModule, ...families], providers: [JobProcessors] })
  class Root {}
  const app = await NestFactory.createApplicationContext(Root, { logger: false, abortOnError: false });
  await app.init();
  return app;
}

describe('JobProcessors', () => {
  it("finds each job's processor in its family's module, with what that module injected", async () => {
    const app = await boot(
      AuditFamily,
      UploadsFamily,
      IdempotencyFamily,
      AuthFamily,
      DatasetsFamily,
      RegistryFamily,
      WebhooksFamily,
      TrainingFamily,
    );
    const processors = app.get(JobProcessors);
    expect(await processors.get('audit.checkpoint').run({ v: 1 })).toEqual({ outcome: 'done', detail: { by: 'the injected clock' } });
    expect(processors.get('auth.failed-logins.flush')).toBeInstanceOf(Flush);
    expect(processors.families().sort()).toEqual([
      'audit',
      'auth',
      'datasets',
      'idempotency',
      'registry',
      'training',
      'uploads',
      'webhooks',
    ]);
    expect(processors.schedules().sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'audit.checkpoint', everyMs: 2000 },
      { name: 'idempotency.purge', everyMs: 60_000 },
      { name: 'training.sync', everyMs: 10_000 },
      { name: 'uploads.sweep', everyMs: 3600_000 },
    ]);
    await app.close();
  });

  it('refuses to start when a job has no processor, naming the job and where to register one', async () => {
    await expect(boot(AuditFamily, UploadsFamily)).rejects.toThrow(
      /no processor for job "idempotency.purge", "auth.failed-logins.flush", "datasets.import-pacs", "datasets.verify-version", "registry.validate-version", "registry.evaluate-version", "registry.deploy-version", "webhooks.deliver", "training.submit", "training.cancel", "training.sync": add an @Injectable\(\) @ProcessesJob\(name\) class to the providers of its family's module, and that module to WorkerModule's imports/,
    );
  });

  it('refuses to start when a job has two processors, naming both', async () => {
    await expect(boot(AuditFamily, UploadsFamily, IdempotencyFamily, AuthFamily, DatasetsFamily, OtherAuthFamily)).rejects.toThrow(
      /job "auth.failed-logins.flush" has two processors, (Flush and SecondFlush|SecondFlush and Flush): register one of them/,
    );
  });
});

// Checked by worker:typecheck, never run: a processor takes its job's payload, and a scheduled job's says how often it runs.
void (() => {
  // @ts-expect-error a scheduled job's processor without everyMs
  ProcessesJob('uploads.sweep')(Flush);
  class MinuteAsNumber {
    async run(data: { minute: number }): Promise<JobResult> {
      return { outcome: 'done', detail: data };
    }
  }
  // @ts-expect-error a processor of another payload than its job's
  ProcessesJob('auth.failed-logins.flush')(MinuteAsNumber);
});
