/**
 * 'webhooks.deliver' on a real PostgreSQL (issue 14, item 5), the processor called directly as
 * BullMQ would: a repeated job sends nothing twice, a failure schedules the next attempt in the
 * outbox after the schedule's delay, the last attempt of a round fails the delivery, an inactive
 * webhook's delivery is ended unsent, and the emitter writes deliveries only for active webhooks
 * subscribed to the event, refusing a payload over the bound.
 */
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, WebhookPayloadTooLargeError, WebhooksRepository } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { DeliverWebhookJob } from './deliver-webhook.job';

describe('webhooks.deliver', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let owner: Client;
  let repo: WebhooksRepository;
  let job: DeliverWebhookJob;
  let receiver: Server;
  let base: string;
  let projectId: string;
  let userId: string;
  let answer = 200;
  let hits = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.appUrl).initialize();
    repo = new WebhooksRepository(ds);
    job = new DeliverWebhookJob(ds, repo, { WEBHOOK_RETRY_SCHEDULE: '2m,1h', WEBHOOK_ALLOW_PRIVATE: true });
    owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    userId = (await owner.query(`INSERT INTO users (username, display_name) VALUES ('pia', 'Pia') RETURNING id`)).rows[0].id;
    projectId = (await owner.query(`INSERT INTO projects (slug, name) VALUES ('hooks', 'Hooks') RETURNING id`)).rows[0].id;
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits++;
        res.writeHead(answer).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await owner?.end();
    await ds?.destroy();
    await db?.drop();
  });

  async function webhook(events: string[], active = true): Promise<string> {
    const w = await ds.transaction((m) =>
      repo.create(m, { projectId, url: `${base}/in`, events: events as never, secret: `whsec_${'a'.repeat(64)}`, createdBy: userId }),
    );
    if (!active) await ds.transaction((m) => repo.update(m, w.id, { active: false }));
    return w.id;
  }

  async function emitted(type: 'model_version.registered' | 'promotion.signed', data: Record<string, unknown> = {}) {
    return ds.transaction((m) => repo.emit(m, { projectId, type, data }));
  }

  const deliveryOf = async (webhookId: string) => {
    const rows = await repo.deliveries(webhookId, 10, null);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };
  const queuedAttempts = async (deliveryId: string) =>
    (
      await owner.query(
        `SELECT payload->>'attempt' AS attempt, run_after FROM outbox WHERE job_name = 'webhooks.deliver' AND payload->>'deliveryId' = $1 ORDER BY id`,
        [deliveryId],
      )
    ).rows as { attempt: string; run_after: Date | null }[];

  it('emits to active webhooks subscribed to the event only, one event id for all, each with its first attempt queued', async () => {
    await owner.query(`DELETE FROM webhooks`);
    const a = await webhook(['model_version.registered', 'promotion.signed']);
    const b = await webhook(['model_version.registered']);
    const other = await webhook(['promotion.signed']);
    const off = await webhook(['model_version.registered'], false);
    const eventId = await emitted('model_version.registered', { model: { name: 'm' } });
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
    for (const id of [a, b]) {
      const d = await deliveryOf(id);
      expect(d).toMatchObject({ eventId, eventType: 'model_version.registered', status: 'pending', attempts: 0 });
      expect(d.payload).toMatchObject({ id: eventId, type: 'model_version.registered', project: { id: projectId, slug: 'hooks' } });
      expect((await queuedAttempts(d.id)).map((q) => q.attempt)).toEqual(['1']);
    }
    expect(await repo.deliveries(other, 10, null)).toEqual([]);
    expect(await repo.deliveries(off, 10, null)).toEqual([]);
    await owner.query(`DELETE FROM webhooks`);
    expect(await emitted('model_version.registered')).toBeNull();
  });

  it('refuses a payload over 64 KiB, and the emitting transaction with it', async () => {
    const id = await webhook(['promotion.signed']);
    await expect(emitted('promotion.signed', { reason: 'x'.repeat(70_000) })).rejects.toThrow(WebhookPayloadTooLargeError);
    await expect(emitted('promotion.signed', { reason: 'x'.repeat(70_000) })).rejects.toThrow(/over the 65536-byte limit/);
    expect(await repo.deliveries(id, 10, null)).toEqual([]);
    await owner.query(`DELETE FROM webhooks`);
  });

  it('sends a delivered attempt once, however often its job runs', async () => {
    const id = await webhook(['promotion.signed']);
    await emitted('promotion.signed');
    const d = await deliveryOf(id);
    answer = 200;
    hits = 0;
    expect(await job.run({ v: 1, deliveryId: d.id, attempt: 1 })).toMatchObject({ outcome: 'done', detail: { status: 'delivered' } });
    expect(await job.run({ v: 1, deliveryId: d.id, attempt: 1 })).toMatchObject({ outcome: 'skipped' });
    expect(hits).toBe(1);
    expect(await deliveryOf(id)).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200, nextAttemptAt: null });
    await owner.query(`DELETE FROM webhooks`);
  });

  it('queues the next attempt after the schedule’s delay, and fails the delivery after the last one', async () => {
    const id = await webhook(['promotion.signed']);
    await emitted('promotion.signed');
    const d = await deliveryOf(id);
    answer = 503;
    hits = 0;
    const before = Date.now();
    expect(await job.run({ v: 1, deliveryId: d.id, attempt: 1 })).toMatchObject({ detail: { status: 'pending', statusCode: 503 } });
    // The same job again (a relay or stall re-run): nothing sent, nothing queued twice.
    expect(await job.run({ v: 1, deliveryId: d.id, attempt: 1 })).toMatchObject({ outcome: 'skipped' });
    expect(hits).toBe(1);
    const queued = await queuedAttempts(d.id);
    expect(queued.map((q) => q.attempt)).toEqual(['1', '2']);
    const due = queued[1]!.run_after!.getTime() - before;
    expect(due).toBeGreaterThanOrEqual(120_000);
    expect(due).toBeLessThan(125_000);
    expect((await deliveryOf(id)).nextAttemptAt?.getTime()).toBe(queued[1]!.run_after!.getTime());

    await job.run({ v: 1, deliveryId: d.id, attempt: 2 });
    expect((await queuedAttempts(d.id)).map((q) => q.attempt)).toEqual(['1', '2', '3']);
    expect(await job.run({ v: 1, deliveryId: d.id, attempt: 3 })).toMatchObject({ detail: { status: 'failed' } });
    expect((await queuedAttempts(d.id)).map((q) => q.attempt)).toEqual(['1', '2', '3']);
    expect(await deliveryOf(id)).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 503, nextAttemptAt: null });
    expect((await repo.attemptsOf([d.id])).map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
    ]);

    // A redelivery is a fresh round: attempts 4 to 6 with the same schedule.
    await ds.transaction(async (m) => repo.redeliver(m, (await repo.lockDelivery(m, d.id))!));
    expect((await queuedAttempts(d.id)).map((q) => q.attempt)).toEqual(['1', '2', '3', '4']);
    answer = 200;
    expect(await job.run({ v: 1, deliveryId: d.id, attempt: 4 })).toMatchObject({ detail: { status: 'delivered' } });
    expect(await deliveryOf(id)).toMatchObject({ status: 'delivered', attempts: 4, roundStart: 3 });
    await owner.query(`DELETE FROM webhooks`);
  });

  it('ends a queued delivery unsent when its webhook was switched off meanwhile', async () => {
    const id = await webhook(['promotion.signed']);
    await emitted('promotion.signed');
    const d = await deliveryOf(id);
    await ds.transaction((m) => repo.update(m, id, { active: false }));
    hits = 0;
    expect(await job.run({ v: 1, deliveryId: d.id, attempt: 1 })).toMatchObject({ detail: { status: 'failed' } });
    expect(hits).toBe(0);
    expect(await deliveryOf(id)).toMatchObject({ status: 'failed', lastError: 'not sent: the webhook is inactive' });
    await owner.query(`DELETE FROM webhooks`);
  });
});
