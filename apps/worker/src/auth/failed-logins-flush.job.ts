/**
 * 'auth.failed-logins.flush': turns the per-minute failed-login counter the API kept in Redis
 * into ONE audit event (`auth.login_failed`, with the count), then deletes the counter.
 * A retry after the event committed but before the counter was deleted finds the event and
 * writes no second one.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { JobPayloads, loginFailureCounterKey } from '@caliper/jobs';
import { AccountsRepository, AuditRepository } from '@caliper/persistence';
import { JobProcessor, JobResult, ProcessesJob } from '../jobs/job-processor';
import { CONFIG, REDIS } from '../worker.options';

type Payload = JobPayloads['auth.failed-logins.flush'];

@Injectable()
@ProcessesJob('auth.failed-logins.flush')
export class FailedLoginsFlushJob implements JobProcessor<'auth.failed-logins.flush'> {
  /** The API's Redis key namespace (REDIS_PREFIX), where it counts the failures. */
  private readonly namespace: string;

  constructor(
    private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly audit: AuditRepository,
    private readonly accounts: AccountsRepository,
    @Inject(CONFIG) config: Pick<Config, 'REDIS_PREFIX'>,
  ) {
    this.namespace = config.REDIS_PREFIX;
  }

  async run(data: Payload): Promise<JobResult> {
    const key = loginFailureCounterKey(data.username, data.ip, data.minute, this.namespace);
    const counted = await this.redis.get(key);
    if (counted === null)
      return {
        outcome: 'skipped',
        detail: { reason: 'no failure counter (already flushed, or expired)', username: data.username, minute: data.minute },
      };
    const failures = Number(counted);
    if (!(await this.alreadyRecorded(data))) {
      const user = await this.accounts.findUserByUsername(data.username);
      await this.ds.transaction((m) =>
        this.audit.append(m, {
          actorId: null,
          actorLabel: data.username,
          action: 'auth.login_failed',
          entityType: 'user',
          entityId: user?.id ?? null,
          after: { ip: data.ip, failures, minute: data.minute },
        }),
      );
    }
    await this.redis.del(key);
    return { outcome: 'done', detail: { username: data.username, minute: data.minute, failures } };
  }

  private async alreadyRecorded(data: Payload): Promise<boolean> {
    const events = await this.audit.search({ actor: data.username, action: 'auth.login_failed', from: new Date(data.minute), limit: 100 });
    return events.some((e) => {
      const after = e.after as { ip?: unknown; minute?: unknown } | null;
      return after?.ip === data.ip && after?.minute === data.minute;
    });
  }
}
