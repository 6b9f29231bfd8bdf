import {
  deterministicJobId,
  failedLoginsFlush,
  familyOf,
  FamilyOf,
  InvalidJobError,
  isScheduledJobName,
  Job,
  JOB_FAMILIES,
  JOB_NAMES,
  JOB_QUEUES,
  jobFamilies,
  JobNameIn,
  JobPayloads,
  jobQueueName,
  loginFailureCounterKey,
  minuteStart,
  parseJob,
  SCHEDULED_JOB_NAMES,
} from '../index';

const flush = (username: string, ip: string, minute = '2026-11-27T03:41:00Z'): Job<'auth.failed-logins.flush'> => ({
  name: 'auth.failed-logins.flush',
  data: { v: 1, username, ip, minute },
});

describe('parseJob', () => {
  it('returns the job typed by its name', () => {
    const job = parseJob('auth.failed-logins.flush', { v: 1, username: 'alice', ip: '10.0.0.7', minute: '2026-11-27T03:41:00Z' });
    const username: string = job.data.username;
    expect(username).toBe('alice');
    expect(parseJob('audit.checkpoint', { v: 1 })).toEqual({ name: 'audit.checkpoint', data: { v: 1 } });
  });

  it('names the job and the field that is wrong', () => {
    expect(() => parseJob('auth.failed-logins.flush', { v: 1, username: 'alice', ip: '10.0.0.7', minute: '2026-11-27T03:41:17Z' })).toThrow(
      /invalid payload for job "auth.failed-logins.flush": minute: must be the start of a UTC minute/,
    );
    expect(() => parseJob('auth.failed-logins.flush', { v: 1, ip: '10.0.0.7', minute: '2026-11-27T03:41:00Z' })).toThrow(/username/);
    expect(() => parseJob('uploads.sweep', { v: 2 })).toThrow(/job "uploads.sweep": v:/);
    expect(() => parseJob('uploads.sweep', { v: 1, extra: true })).toThrow(/job "uploads.sweep"/);
    expect(() => parseJob('auth.failed-logins.flush', { v: 1, username: 'a', ip: '1', minute: '2026-13-40T03:41:00Z' })).toThrow(
      /minute: must be a real date/,
    );
  });

  it('refuses an unknown job name, listing the known ones', () => {
    expect(() => parseJob('runs.delete', {})).toThrow(InvalidJobError);
    expect(() => parseJob('runs.delete', {})).toThrow(
      /unknown job "runs.delete": expected one of audit.checkpoint, uploads.sweep, idempotency.purge, auth.failed-logins.flush/,
    );
  });

  it('knows every job name of the union', () => {
    const names: Array<keyof JobPayloads> = [
      'audit.checkpoint',
      'uploads.sweep',
      'idempotency.purge',
      'auth.failed-logins.flush',
      'datasets.import-pacs',
      'datasets.verify-version',
      'registry.validate-version',
      'registry.evaluate-version',
      'registry.deploy-version',
      'deployments.changed',
      'webhooks.deliver',
      'training.submit',
      'training.cancel',
      'training.sync',
    ];
    expect(JOB_NAMES.sort()).toEqual(names.sort());
  });
});

describe('job families', () => {
  it('puts every job in the family its name starts with, and every family has a queue of its own', () => {
    expect([...JOB_FAMILIES].sort()).toEqual([
      'audit',
      'auth',
      'datasets',
      'deployments',
      'idempotency',
      'registry',
      'training',
      'uploads',
      'webhooks',
    ]);
    for (const name of JOB_NAMES) {
      const family = familyOf(name);
      expect(Object.keys(jobFamilies[family])).toContain(name);
    }
    expect(JOB_QUEUES).toEqual({
      audit: 'caliper-audit',
      auth: 'caliper-auth',
      datasets: 'caliper-datasets',
      deployments: 'caliper-deployments',
      idempotency: 'caliper-idempotency',
      registry: 'caliper-registry',
      training: 'caliper-training',
      uploads: 'caliper-uploads',
      webhooks: 'caliper-webhooks',
    });
    expect(new Set(Object.values(JOB_QUEUES)).size).toBe(JOB_FAMILIES.length);
    // BullMQ refuses ':' in a queue name (it separates the parts of its Redis keys).
    for (const queue of Object.values(JOB_QUEUES)) expect(queue).not.toContain(':');
  });

  it("names the queue of a family this version does not know, so a newer worker's jobs reach that worker", () => {
    expect(jobQueueName(familyOf('training.dispatch'))).toBe('caliper-training');
    expect(familyOf('models.validate-onnx.v2')).toBe('models');
    expect(familyOf('nodot')).toBe('nodot');
  });

  it('types a family and its job names from the job name', () => {
    const family: FamilyOf<'auth.failed-logins.flush'> = familyOf('auth.failed-logins.flush');
    // @ts-expect-error a job name belongs to one family only
    const wrong: FamilyOf<'auth.failed-logins.flush'> = 'audit';
    const names: Array<JobNameIn<'audit'>> = ['audit.checkpoint'];
    // @ts-expect-error another family's job
    const foreign: JobNameIn<'audit'> = 'uploads.sweep';
    expect([family, wrong, names, foreign]).toEqual(['auth', 'audit', ['audit.checkpoint'], 'uploads.sweep']);
  });
});

describe('scheduled jobs', () => {
  it('are told apart from keyed ones, and each takes the payload the scheduler sends ({ v: 1 })', () => {
    expect(SCHEDULED_JOB_NAMES.filter(isScheduledJobName)).toEqual([
      'audit.checkpoint',
      'uploads.sweep',
      'idempotency.purge',
      'training.sync',
    ]);
    expect(isScheduledJobName('auth.failed-logins.flush')).toBe(false);
    for (const name of SCHEDULED_JOB_NAMES) expect(parseJob(name, { v: 1 })).toEqual({ name, data: { v: 1 } });
  });
});

describe('deterministicJobId', () => {
  it('is stable and has no ":" (BullMQ refuses it), even for IPv6 and ISO times', () => {
    const id = deterministicJobId(flush('alice', '2001:db8::1'));
    expect(id).toBe(deterministicJobId(flush('alice', '2001:db8::1')));
    expect(id).toBe('auth.failed-logins.flush|alice|2001%3Adb8%3A%3A1|20261127T0341Z');
    expect(id).not.toContain(':');
  });

  it('never gives two different jobs the same id', () => {
    const ids = [
      flush('alice', '10.0.0.1'),
      flush('alice', '10.0.0.2'),
      flush('bob', '10.0.0.1'),
      flush('alice', '10.0.0.1', '2026-11-27T03:42:00Z'),
      flush('alice|10.0.0.1', '10.0.0.1'),
      flush('alice', '10.0.0.1|10.0.0.1'),
    ].map(deterministicJobId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('webhook delivery jobs', () => {
  it('give each attempt of a delivery an id of its own, so a retry is a new job and a relayed duplicate is not', () => {
    const deliveryId = '4f1c2b7e-8a65-4c1e-9a0f-2d1b5e6c7a80';
    const attempt = (n: number) => deterministicJobId(parseJob('webhooks.deliver', { v: 1, deliveryId, attempt: n }));
    expect(attempt(1)).toBe(`webhooks.deliver|${deliveryId}|1`);
    expect(attempt(1)).toBe(attempt(1));
    expect(new Set([1, 2, 3, 6].map(attempt)).size).toBe(4);
    expect(() => parseJob('webhooks.deliver', { v: 1, deliveryId, attempt: 0 })).toThrow(/attempt/);
  });
});

describe('training jobs', () => {
  it('key submit and cancel by the run (a relayed duplicate is one job), and refuse a payload that is not a run id', () => {
    const runUuid = 'a'.repeat(32);
    expect(deterministicJobId(parseJob('training.submit', { v: 1, runUuid }))).toBe(`training.submit|${runUuid}`);
    expect(deterministicJobId(parseJob('training.cancel', { v: 1, runUuid }))).toBe(`training.cancel|${runUuid}`);
    expect(() => parseJob('training.submit', { v: 1, runUuid: 'not-a-run' })).toThrow(/runUuid/);
  });
});

describe('failed-login flush', () => {
  it('counts into the minute of the failure and flushes 5 s after that minute ends', () => {
    const f = failedLoginsFlush('alice', '10.0.0.7', new Date('2026-11-27T03:41:59.999Z'));
    expect(f.job).toEqual({
      name: 'auth.failed-logins.flush',
      data: { v: 1, username: 'alice', ip: '10.0.0.7', minute: '2026-11-27T03:41:00Z' },
    });
    expect(f.counterKey).toBe('caliper:login-failures:alice:10.0.0.7:2026-11-27T03:41:00Z');
    expect(f.runAfter.toISOString()).toBe('2026-11-27T03:42:05.000Z');
    expect(minuteStart(new Date('2026-11-27T03:42:00.000Z'))).toBe('2026-11-27T03:42:00Z');
  });

  it('keeps counters apart when a username or an IPv6 address contains ":"', () => {
    expect(loginFailureCounterKey('a:b', 'c', 'm')).not.toBe(loginFailureCounterKey('a', 'b:c', 'm'));
    expect(loginFailureCounterKey('alice', '::1', '2026-11-27T03:41:00Z')).toBe(
      'caliper:login-failures:alice:%3A%3A1:2026-11-27T03:41:00Z',
    );
  });

  it('refuses a username the job cannot carry', () => {
    expect(() => failedLoginsFlush('', '10.0.0.7', new Date())).toThrow(/username/);
  });
});
