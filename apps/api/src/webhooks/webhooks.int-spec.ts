/**
 * Webhooks on registry events on real services (issue 14, item 5): the API with PostgreSQL, S3
 * and Redis, the worker as its own process (outbox relay, BullMQ, the 'webhooks.deliver' job),
 * and receivers on 127.0.0.1 that check each request's signature with the documented recipe
 * (docs/webhooks.md), written here with node:crypto rather than Caliper's own helper. Events come
 * from a real flow: a version registered over GraphQL, a staging promotion opened and signed.
 *
 * The worker runs with WEBHOOK_RETRY_SCHEDULE=300ms,300ms (three attempts in all) so retries take
 * under a second, and WEBHOOK_ALLOW_PRIVATE=true so it may post to 127.0.0.1.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo, createServer as createTcpServer } from 'node:net';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createSealedEvaluationDataset, ctSlice, pngMask } from '@caliper/datasets/testing';
import { mlflow } from '../__tests__/mlflow-api-helpers';
import { ADMIN, Auth, errorCode, errorMessage, gql, gqlOk, login, newProject, startTestApi, TestApi } from '../testing/api-harness';
import { startWorker, WorkerProcess } from '../testing/worker-process';
import { Person, person as newPerson, registeredSegmenter, testModel, until as untilWorker } from '../registry/testing/worker-flow';

const SEG = testModel('seg2d.onnx');
/** Fixed weights: a pixel is lesion when its windowed value is above 0.5 (tools/models/make_test_models.py). */
const SEG_THRESHOLD = testModel('seg_threshold.onnx');
const WORKER_ENV = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: '300ms,300ms' };
const ALL_EVENTS = [
  'MODEL_VERSION_REGISTERED',
  'PROMOTION_REQUESTED',
  'PROMOTION_SIGNED',
  'PROMOTION_APPROVED',
  'PROMOTION_REJECTED',
  'DEPLOYMENT_CHANGED',
];

const CREATE = `mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { secret webhook { id url events active } } }`;
const UPDATE = `mutation($i: UpdateWebhookInput!) { updateWebhook(input: $i) { id url events active } }`;
const LIST = `query($p: ID!) { webhooks(projectId: $p) { id url events active } }`;
const DELIVERIES = `query($w: ID!, $first: Int, $after: String) { webhookDeliveries(webhookId: $w, first: $first, after: $after) {
  edges { cursor node { id eventId eventType status attempts lastStatusCode lastError nextAttemptAt deliveredAt payload
    attemptLog { attempt statusCode error durationMs } } }
  pageInfo { hasNextPage endCursor } } }`;
const REDELIVER = `mutation($d: ID!) { redeliverWebhookDelivery(deliveryId: $d) { id status attempts } }`;
const SET_POLICY = `mutation($i: SetPromotionPolicyInput!) { setPromotionPolicy(input: $i) { stage } }`;
const REQUEST = `mutation($i: RequestPromotionInput!) { requestPromotion(input: $i) { id status } }`;
const SIGN = `mutation($i: SignPromotionInput!) { signPromotion(input: $i) { id status } }`;

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  payload: { id: string; type: string; occurredAt: string; project: { id: string; slug: string }; data: Record<string, unknown> };
  attemptLog: { attempt: number; statusCode: number | null; error: string | null; durationMs: number }[];
}

/** The receiver's check as docs/webhooks.md gives it. */
function signatureValid(secret: string, r: Received): boolean {
  const timestamp = String(r.headers['x-caliper-timestamp']);
  const given = String(r.headers['x-caliper-signature']);
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`;
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return fresh && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

describe('webhooks on registry events', () => {
  let api: TestApi;
  let worker: WorkerProcess;
  let owner: Client;
  let receiver: Server;
  let base: string;
  let deadUrl: string;
  const received: Received[] = [];
  let flakyCalls = 0;
  let projectId: string;
  let experimentId: string;
  let pi: Person;
  let researcher: Person;
  let approver: Person;
  let qa: Person;
  let otherPi: Person;
  let otherProjectId: string;

  const deliveriesOf = async (webhookId: string, who: Person = pi): Promise<Delivery[]> =>
    (
      await gqlOk<{ webhookDeliveries: { edges: { node: Delivery }[] } }>(api, who.auth, DELIVERIES, { w: webhookId, first: 100 })
    ).webhookDeliveries.edges.map((e) => e.node);

  const settled = (webhookId: string, n: number) =>
    until(`${n} settled deliveries of webhook ${webhookId}`, async () => {
      const ds = await deliveriesOf(webhookId);
      return ds.length >= n && ds.every((d) => d.status !== 'PENDING') ? ds : null;
    });

  const person = (admin: Auth, project: string, roles: string[]) => newPerson(api, admin, project, roles);
  const until = <T>(what: string, probe: () => Promise<T | null>, ms?: number) => untilWorker(worker, what, probe, ms);
  const registered = (name: string, bytes: Buffer = SEG, preprocessing: Record<string, unknown> = {}) =>
    registeredSegmenter({ api, worker, researcher, projectId, experimentId }, name, bytes, preprocessing);

  async function createWebhook(url: string, events: string[]): Promise<{ id: string; secret: string }> {
    const r = await gqlOk<{ createWebhook: { secret: string; webhook: { id: string } } }>(api, pi.auth, CREATE, {
      i: { projectId, url, events },
    });
    return { id: r.createWebhook.webhook.id, secret: r.createWebhook.secret };
  }

  /** Registers seg2d.onnx, logged by a new run, as the next version of `name`; waits for the worker's validation. */

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        received.push(r);
        if (r.path === '/flaky' && ++flakyCalls <= 2) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('receiver down for maintenance');
          return;
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    // A port nothing listens on: taken, then released.
    const closed = createTcpServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/dead`;
    await new Promise((r) => closed.close(r));

    api = await startTestApi({ WEBHOOK_ALLOW_PRIVATE: 'true' });
    const saved = { ...process.env };
    Object.assign(process.env, WORKER_ENV);
    try {
      worker = await startWorker(api);
    } finally {
      for (const k of Object.keys(WORKER_ENV)) if (saved[k] === undefined) delete process.env[k];
    }
    owner = new Client({ connectionString: api.db.ownerUrl });
    await owner.connect();
    const admin = await login(api, ADMIN.username, ADMIN.password);
    projectId = await newProject(api, admin, 'webhooks-e2e');
    otherProjectId = await newProject(api, admin, 'webhooks-other');
    pi = await person(admin, projectId, ['PI']);
    researcher = await person(admin, projectId, ['RESEARCHER']);
    approver = await person(admin, projectId, ['CLINICAL_APPROVER']);
    qa = await person(admin, projectId, ['QA']);
    otherPi = await person(admin, otherProjectId, ['PI']);
    const created = await mlflow(api, researcher.auth, 'POST', 'experiments/create', { name: 'webhooks-e2e/unet' });
    experimentId = created.body.experiment_id as string;
  }, 180_000);

  afterAll(async () => {
    await owner?.end();
    await worker?.close();
    await api?.close();
    await new Promise((r) => receiver?.close(r));
  });

  it('signs and delivers the events of a registration and a signed staging promotion, each once, with the same id as its log', async () => {
    const hook = await createWebhook(`${base}/ok`, ALL_EVENTS);
    expect(hook.secret).toMatch(/^whsec_[0-9a-f]{64}$/);

    const version = await registered('lesion-seg');
    await gqlOk(api, pi.auth, SET_POLICY, {
      i: {
        projectId,
        modelName: 'lesion-seg',
        stage: 'STAGING',
        requiredRoles: ['pi', 'clinical_approver', 'qa'],
        requiredSignatures: 2,
        requireCard: false,
      },
    });
    const requested = await gqlOk<{ requestPromotion: { id: string } }>(api, pi.auth, REQUEST, {
      i: { projectId, modelName: 'lesion-seg', version, target: 'STAGING', reason: 'shadow reading' },
    });
    const requestId = requested.requestPromotion.id;
    for (const [who, meaning] of [
      [approver, 'REVIEW'],
      [qa, 'RESPONSIBILITY'],
    ] as const) {
      const signed = await gql(api, who.auth, SIGN, { i: { requestId, password: who.password, meaning, decision: 'APPROVE' } });
      expect(signed.errors).toBeUndefined();
    }

    const log = await settled(hook.id, 5);
    const types = ['model_version.registered', 'promotion.requested', 'promotion.signed', 'promotion.signed', 'promotion.approved'];
    expect(log.map((d) => d.eventType).sort()).toEqual(
      ['MODEL_VERSION_REGISTERED', 'PROMOTION_REQUESTED', 'PROMOTION_SIGNED', 'PROMOTION_SIGNED', 'PROMOTION_APPROVED'].sort(),
    );
    expect(log.every((d) => d.status === 'DELIVERED' && d.attempts === 1 && d.lastStatusCode === 204)).toBe(true);

    const mine = received.filter((r) => r.path === '/ok');
    expect(mine.map((r) => r.headers['x-caliper-event']).sort()).toEqual([...types].sort());
    for (const r of mine) {
      expect({ event: r.headers['x-caliper-event'], valid: signatureValid(hook.secret, r) }).toEqual({
        event: r.headers['x-caliper-event'],
        valid: true,
      });
      expect(r.headers['content-type']).toBe('application/json');
      const body = JSON.parse(r.body) as Delivery['payload'];
      expect(r.headers['x-caliper-delivery']).toBe(body.id);
      expect(body).toMatchObject({ type: r.headers['x-caliper-event'], project: { id: projectId, slug: 'webhooks-e2e' } });
      expect(log.find((d) => d.eventId === body.id)?.payload).toEqual(body);
    }
    // A body signed with another secret, or altered, fails the recipe.
    expect(signatureValid('whsec_not-the-secret', mine[0]!)).toBe(false);
    expect(signatureValid(hook.secret, { ...mine[0]!, body: `${mine[0]!.body} ` })).toBe(false);

    const byType = (t: string) => mine.map((r) => JSON.parse(r.body) as Delivery['payload']).filter((b) => b.type === t);
    expect(byType('model_version.registered')[0]!.data).toMatchObject({
      model: { name: 'lesion-seg' },
      version: { version, source: expect.stringContaining('model/seg2d.onnx') },
      registeredBy: researcher.username,
    });
    expect(byType('promotion.requested')[0]!.data).toMatchObject({
      request: { id: requestId, targetStage: 'staging', fromStage: 'none' },
      model: { name: 'lesion-seg' },
      version: { version },
      requestedBy: pi.username,
    });
    expect(byType('promotion.signed').map((b) => b.data.signature)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ printedName: approver.username, role: 'clinical_approver', meaning: 'review', decision: 'approve' }),
        expect.objectContaining({ printedName: qa.username, role: 'qa', meaning: 'responsibility', decision: 'approve' }),
      ]),
    );
    expect(byType('promotion.approved')[0]!.data).toMatchObject({ request: { id: requestId }, status: 'approved' });
  }, 180_000);

  it('retries a receiver that answers 500 twice: delivered on the third attempt, the same event id each time, both failures logged', async () => {
    const hook = await createWebhook(`${base}/flaky`, ['MODEL_VERSION_REGISTERED']);
    await registered('flaky-model');
    const [d] = await settled(hook.id, 1);
    expect(d).toMatchObject({ status: 'DELIVERED', attempts: 3, lastStatusCode: 204, lastError: null, nextAttemptAt: null });
    expect(d!.attemptLog.map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 204],
    ]);
    expect(d!.attemptLog[0]!.error).toMatch(/HTTP 500: receiver down for maintenance/);
    const calls = received.filter((r) => r.path === '/flaky');
    expect(calls).toHaveLength(3);
    expect(new Set(calls.map((r) => r.headers['x-caliper-delivery']))).toEqual(new Set([d!.eventId]));
    expect(new Set(calls.map((r) => r.body)).size).toBe(1);
    expect(calls.every((r) => signatureValid(hook.secret, r))).toBe(true);
  }, 120_000);

  it('marks a delivery to a dead URL failed after the configured attempts, and redelivers it with a fresh round on request', async () => {
    const hook = await createWebhook(deadUrl, ['MODEL_VERSION_REGISTERED']);
    await registered('dead-model');
    const [d] = await settled(hook.id, 1);
    expect(d).toMatchObject({ status: 'FAILED', attempts: 3, lastStatusCode: null, nextAttemptAt: null, deliveredAt: null });
    expect(d!.lastError).toMatch(/ECONNREFUSED/);
    expect(d!.attemptLog.map((a) => a.attempt)).toEqual([1, 2, 3]);

    const again = await gqlOk<{ redeliverWebhookDelivery: { status: string } }>(api, pi.auth, REDELIVER, { d: d!.id });
    expect(again.redeliverWebhookDelivery.status).toBe('PENDING');
    // A second redelivery while the first round is pending (it takes at least 600 ms) is refused.
    const refused = await gql(api, pi.auth, REDELIVER, { d: d!.id });
    expect(errorCode(refused)).toBe('CONFLICT');
    expect(errorMessage(refused)).toMatch(/still pending/);
    const [after] = await settled(hook.id, 1);
    expect(after).toMatchObject({ status: 'FAILED', attempts: 6, eventId: d!.eventId });
    expect(after!.attemptLog.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
  }, 120_000);

  it('refuses researchers and other projects, and never returns the secret after creation', async () => {
    const hook = await createWebhook(`${base}/ok`, ['PROMOTION_SIGNED']);
    const refusals: [string, Person, string, Record<string, unknown>][] = [
      ['researcher lists', researcher, LIST, { p: projectId }],
      ['researcher creates', researcher, CREATE, { i: { projectId, url: `${base}/r`, events: ['PROMOTION_SIGNED'] } }],
      ['researcher reads the log', researcher, DELIVERIES, { w: hook.id }],
      ['researcher deactivates', researcher, UPDATE, { i: { id: hook.id, active: false } }],
      ['another project lists', otherPi, LIST, { p: projectId }],
      ['another project creates', otherPi, CREATE, { i: { projectId, url: `${base}/x`, events: ['PROMOTION_SIGNED'] } }],
    ];
    for (const [what, who, query, variables] of refusals) {
      expect({ what, code: errorCode(await gql(api, who.auth, query, variables)) }).toEqual({ what, code: 'FORBIDDEN' });
    }
    // Another project's PI cannot even learn that the webhook exists.
    for (const query of [DELIVERIES, `mutation($w: ID!) { deleteWebhook(id: $w) { id } }`]) {
      const r = await gql(api, otherPi.auth, query, { w: hook.id });
      expect(errorCode(r)).toBe('NOT_FOUND');
    }
    expect((await gqlOk<{ webhooks: { id: string }[] }>(api, pi.auth, LIST, { p: projectId })).webhooks.map((w) => w.id)).toContain(
      hook.id,
    );

    // No read has a secret field, and nothing the API answers or audits holds the secret.
    const askSecret = await gql(api, pi.auth, `query($p: ID!) { webhooks(projectId: $p) { id secret } }`, { p: projectId });
    expect(errorMessage(askSecret)).toMatch(/Cannot query field "secret" on type "Webhook"/);
    const answers = JSON.stringify([
      await gqlOk(api, pi.auth, LIST, { p: projectId }),
      await gqlOk(api, pi.auth, UPDATE, { i: { id: hook.id, events: ['PROMOTION_SIGNED', 'PROMOTION_REJECTED'] } }),
      await gqlOk(api, pi.auth, DELIVERIES, { w: hook.id }),
    ]);
    expect(answers).not.toContain(hook.secret);
    const audited = await owner.query(`SELECT action, after::text AS after FROM audit_events WHERE entity_id = $1 ORDER BY seq`, [hook.id]);
    expect(audited.rows.map((r: { action: string }) => r.action)).toEqual(['webhook.created', 'webhook.updated']);
    expect(JSON.stringify(audited.rows)).not.toContain(hook.secret.slice(6));
  }, 60_000);

  it('refuses URLs that are not http(s), carry credentials or are too long, and unknown events, writing nothing', async () => {
    const before = (await gqlOk<{ webhooks: unknown[] }>(api, pi.auth, LIST, { p: projectId })).webhooks.length;
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ['ftp', { url: 'ftp://hooks.example.org/in' }, 'BAD_USER_INPUT', /only http and https URLs are allowed, not ftp/],
      ['credentials', { url: 'https://user:pw@hooks.example.org/in' }, 'BAD_USER_INPUT', /must not carry a user name or password/],
      ['not a URL', { url: 'hooks.example.org' }, 'BAD_USER_INPUT', /is not an absolute URL/],
      ['too long', { url: `https://hooks.example.org/${'a'.repeat(2048)}` }, 'BAD_USER_INPUT', /2048/],
      ['no events', { events: [] }, 'BAD_USER_INPUT', /at least one event type/],
      ['unknown event', { events: ['RUN_FINISHED'] }, 'BAD_USER_INPUT', /RUN_FINISHED/],
    ];
    for (const [what, change, code, message] of cases) {
      const r = await gql(api, pi.auth, CREATE, { i: { projectId, url: `${base}/ok`, events: ['PROMOTION_SIGNED'], ...change } });
      expect({ what, code: errorCode(r) }).toEqual({ what, code });
      expect({ what, message: errorMessage(r) }).toEqual({ what, message: expect.stringMatching(message) });
    }
    const hook = await createWebhook(`${base}/ok`, ['PROMOTION_SIGNED']);
    const update = await gql(api, pi.auth, UPDATE, { i: { id: hook.id, url: 'gopher://hooks.example.org/' } });
    expect(errorMessage(update)).toMatch(/only http and https/);
    expect((await gqlOk<{ webhooks: unknown[] }>(api, pi.auth, LIST, { p: projectId })).webhooks.length).toBe(before + 1);
  });

  it('sends nothing to an inactive webhook, and deletes a webhook with its log', async () => {
    const hook = await createWebhook(`${base}/inactive`, ['MODEL_VERSION_REGISTERED']);
    const off = await gqlOk<{ updateWebhook: { active: boolean } }>(api, pi.auth, UPDATE, { i: { id: hook.id, active: false } });
    expect(off.updateWebhook.active).toBe(false);
    await registered('quiet-model');
    expect(await deliveriesOf(hook.id)).toEqual([]);
    expect(received.filter((r) => r.path === '/inactive')).toEqual([]);

    const deleted = await gqlOk<{ deleteWebhook: { id: string } }>(api, pi.auth, `mutation($w: ID!) { deleteWebhook(id: $w) { id } }`, {
      w: hook.id,
    });
    expect(deleted.deleteWebhook.id).toBe(hook.id);
    expect(errorCode(await gql(api, pi.auth, DELIVERIES, { w: hook.id }))).toBe('NOT_FOUND');
    expect((await gqlOk<{ webhooks: { id: string }[] }>(api, pi.auth, LIST, { p: projectId })).webhooks.map((w) => w.id)).not.toContain(
      hook.id,
    );
  }, 120_000);

  it('tells a deployment.changed receiver when a clinical version is activated, and when the next one ends it', async () => {
    const hook = await createWebhook(`${base}/deployments`, ['DEPLOYMENT_CHANGED']);
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const pi2 = await person(admin, projectId, ['PI']);
    const piId = (await owner.query(`SELECT id FROM users WHERE username = $1`, [pi.username])).rows[0].id as string;
    await api.objects.store.ensureBucket('caliper-datasets');
    const db = { query: (q: string, p?: unknown[]) => owner.query(q, p).then((r) => r.rows) } as unknown as DataSource;
    const square = (x: number, y: number) => x >= 16 && x < 32 && y >= 16 && y < 32;
    const testSet = await createSealedEvaluationDataset(db, api.objects.store, {
      bucket: 'caliper-datasets',
      projectId,
      userId: piId,
      name: 'webhooks-test-set',
      items: [{ dicom: ctSlice(64, 64, (x, y) => (square(x, y) ? 100 : 0)), mask: pngMask(64, 64, (x, y) => (square(x, y) ? 255 : 0)) }],
    });
    const spec = { window: { center: 40, width: 400 }, size: [64, 64] };
    const v1 = await registered('clinical-seg', SEG_THRESHOLD, spec);
    const v2 = await registered('clinical-seg', SEG_THRESHOLD, spec);
    await gqlOk(api, pi.auth, SET_POLICY, {
      i: {
        projectId,
        modelName: 'clinical-seg',
        stage: 'CLINICAL',
        requiredRoles: ['pi', 'clinical_approver', 'qa'],
        requiredSignatures: 3,
        testDatasetVersionId: testSet.versionId,
        acceptance: [{ metric: 'dice', op: '>=', threshold: 0.5 }],
        requireCard: false,
      },
    });
    const STATUS = `query($id: ID!) { promotionRequest(id: $id) { status } }`;
    const statusOf = async (id: string) =>
      (await gqlOk<{ promotionRequest: { status: string } }>(api, pi.auth, STATUS, { id })).promotionRequest.status;
    for (const version of [v1, v2]) {
      const r = await gqlOk<{ requestPromotion: { id: string } }>(api, pi.auth, REQUEST, {
        i: { projectId, modelName: 'clinical-seg', version, target: 'CLINICAL', reason: 'clinical reading' },
      });
      const id = r.requestPromotion.id;
      expect(await until(`request ${id} evaluated`, async () => ((await statusOf(id)) === 'EVALUATING' ? null : statusOf(id)))).toBe(
        'AWAITING_SIGNATURES',
      );
      for (const who of [pi2, approver, qa]) {
        const signed = await gql(api, who.auth, SIGN, {
          i: { requestId: id, password: who.password, meaning: 'APPROVAL', decision: 'APPROVE' },
        });
        expect(signed.errors).toBeUndefined();
      }
      await until(`request ${id} deployed`, async () => ((await statusOf(id)) === 'DEPLOYED' ? true : null));
    }

    const log = await settled(hook.id, 3);
    expect(log.every((d) => d.status === 'DELIVERED' && d.eventType === 'DEPLOYMENT_CHANGED')).toBe(true);
    const events = received
      .filter((r) => r.path === '/deployments')
      .map((r) => {
        expect(signatureValid(hook.secret, r)).toBe(true);
        return JSON.parse(r.body) as Delivery['payload'];
      })
      .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    const summary = events.map((e) => {
      const d = e.data as { change: string; version: { version: number }; deployment: { mode: string; status: string; id: string } };
      return [d.change, d.version.version, d.deployment.mode, d.deployment.status];
    });
    expect(summary).toEqual(
      expect.arrayContaining([
        ['activated', v1, 'clinical', 'active'],
        ['ended', v1, 'clinical', 'ended'],
        ['activated', v2, 'clinical', 'active'],
      ]),
    );
    expect(summary).toHaveLength(3);
    expect(events[0]!.data).toMatchObject({
      model: { name: 'clinical-seg' },
      deployment: { modelSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  }, 240_000);

  it('pages the delivery log newest first', async () => {
    const hook = await createWebhook(`${base}/ok`, ['MODEL_VERSION_REGISTERED']);
    for (let i = 0; i < 3; i++) await registered('paged-model');
    await settled(hook.id, 3);
    const page = async (after: string | null) =>
      (
        await gqlOk<{
          webhookDeliveries: { edges: { node: Delivery }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
        }>(api, pi.auth, DELIVERIES, { w: hook.id, first: 2, after })
      ).webhookDeliveries;
    const first = await page(null);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page(first.pageInfo.endCursor);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const versions = [...first.edges, ...second.edges].map((e) => (e.node.payload.data.version as { version: number }).version);
    expect(versions).toEqual([3, 2, 1]);
    expect(errorCode(await gql(api, pi.auth, DELIVERIES, { w: hook.id, first: 2, after: 'nonsense' }))).toBe('BAD_USER_INPUT');
  }, 120_000);
});
