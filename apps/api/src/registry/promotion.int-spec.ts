/**
 * Signed promotion on real services (issue 14, build item 3): the API with its PostgreSQL, S3 and
 * Redis, and the worker as its own process (outbox relay, BullMQ, onnxruntime-node validation and
 * deploy jobs). Versions are registered from a run's ONNX artifact and validated by the worker;
 * requests are opened, signed and refused over GraphQL; the deploy job re-hashes the files and
 * moves the stage; the MLflow API cannot bypass a gate; the audit chain verifies at the end.
 */
import { Queue } from 'bullmq';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createSealedEvaluationDataset, ctSlice, pngMask } from '@caliper/datasets/testing';
import { ADMIN, Auth, errorCode, errorMessage, gql, gqlOk, login, newProject, startTestApi, TestApi } from '../testing/api-harness';
import { mlflow } from '../__tests__/mlflow-api-helpers';
import { pdfText } from '../testing/pdf-text';
import { startWorker, WorkerProcess } from '../testing/worker-process';
import { Person, person as newPerson, registeredSegmenter, testModel, until as untilWorker } from './testing/worker-flow';
import type { VersionProvenance } from './provenance.service';

const SEG = testModel('seg2d.onnx');
/** Fixed weights: a pixel is lesion when its windowed value is above 0.5 (tools/models/make_test_models.py). */
const SEG_THRESHOLD = testModel('seg_threshold.onnx');
const CARD = `mutation($i: UpdateModelCardInput!) { updateModelCard(input: $i) { id } }`;
const PROVENANCE = `query($p: ID!, $n: String!, $v: Int!) { modelVersion(projectId: $p, name: $n, version: $v) { provenance } }`;

const VERSION = `query($p: ID!, $n: String!, $v: Int!) { modelVersion(projectId: $p, name: $n, version: $v) { id stage validation { status } } }`;
const SET_POLICY = `mutation($i: SetPromotionPolicyInput!) { setPromotionPolicy(input: $i) { stage requiredRoles requiredSignatures configured } }`;
const REQUEST = `mutation($i: RequestPromotionInput!) { requestPromotion(input: $i) { id status contentSha256 gates { gate status detail } requiredRoles } }`;
const SIGN = `mutation($i: SignPromotionInput!) { signPromotion(input: $i) { id status signatures { printedName role meaning decision } } }`;
const GET = `query($id: ID!) { promotionRequest(id: $id) { id status decisionReason deploymentId contentSha256 missingRoles
  signatures { printedName username role meaning decision reason signedAt contentSha256 } } }`;
const PENDING = `query { myPendingSignatures { id modelName version } }`;

describe('signed promotion: gates, e-signatures and deployment', () => {
  let api: TestApi;
  let worker: WorkerProcess;
  let owner: Client;
  let projectId: string;
  let experimentId: string;
  let researcher: Person;
  let pi: Person;
  let approver: Person;
  let qa: Person;
  let viewer: Person;

  const person = (admin: Auth, roles: string[]) => newPerson(api, admin, projectId, roles);
  const registered = (name: string, bytes: Buffer = SEG, preprocessing: Record<string, unknown> = {}) =>
    registeredSegmenter({ api, worker, researcher, projectId, experimentId }, name, bytes, preprocessing);
  const until = <T>(what: string, probe: () => Promise<T | null>, ms?: number) => untilWorker(worker, what, probe, ms);

  const sign = (who: Person, requestId: string, extra: Record<string, unknown> = {}) =>
    gql<{ signPromotion: { status: string } }>(api, who.auth, SIGN, {
      i: { requestId, password: who.password, meaning: 'APPROVAL', decision: 'APPROVE', ...extra },
    });

  const get = async (id: string) =>
    (
      await gqlOk<{
        promotionRequest: {
          status: string;
          decisionReason: string | null;
          deploymentId: string | null;
          contentSha256: string;
          missingRoles: string[];
          signatures: { printedName: string; username: string; role: string; meaning: string; decision: string; contentSha256: string }[];
        };
      }>(api, pi.auth, GET, { id })
    ).promotionRequest;

  const stageOf = async (name: string, version: number) =>
    (await gqlOk<{ modelVersion: { stage: string } }>(api, pi.auth, VERSION, { p: projectId, n: name, v: version })).modelVersion.stage;

  async function openStaging(name: string, version: number): Promise<string> {
    const r = await gqlOk<{ requestPromotion: { id: string; status: string; contentSha256: string | null } }>(api, pi.auth, REQUEST, {
      i: { projectId, modelName: name, version, target: 'STAGING', reason: 'shadow reading in the research PACS' },
    });
    expect(r.requestPromotion.status).toBe('AWAITING_SIGNATURES');
    expect(r.requestPromotion.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    return r.requestPromotion.id;
  }

  beforeAll(async () => {
    api = await startTestApi();
    worker = await startWorker(api);
    owner = new Client({ connectionString: api.db.ownerUrl });
    await owner.connect();
    const admin = await login(api, ADMIN.username, ADMIN.password);
    projectId = await newProject(api, admin, 'promotion-e2e');
    researcher = await person(admin, ['RESEARCHER']);
    pi = await person(admin, ['PI']);
    approver = await person(admin, ['CLINICAL_APPROVER']);
    qa = await person(admin, ['QA']);
    viewer = await person(admin, ['VIEWER']);
    const created = await mlflow(api, researcher.auth, 'POST', 'experiments/create', { name: 'promotion-e2e/unet' });
    experimentId = created.body.experiment_id as string;
  }, 180_000);

  afterAll(async () => {
    await owner?.end();
    await worker?.close();
    await api?.close();
  });

  it('a staging policy gates the MLflow stage transition, and a signed request moves the version instead', async () => {
    const v1 = await registered('lesion-seg');
    // MLflow never moves a version into Production (clinical use).
    const prod = await mlflow(api, researcher.auth, 'POST', 'model-versions/transition-stage', {
      name: 'lesion-seg',
      version: String(v1),
      stage: 'Production',
      archive_existing_versions: false,
    });
    expect(prod.status).toBe(400);
    expect(prod.body).toMatchObject({ error_code: 'INVALID_STATE', message: expect.stringMatching(/signed promotion request/) });

    const policy = await gqlOk<{ setPromotionPolicy: { stage: string; requiredSignatures: number; configured: boolean }[] }>(
      api,
      pi.auth,
      SET_POLICY,
      {
        i: {
          projectId,
          modelName: 'lesion-seg',
          stage: 'STAGING',
          requiredRoles: ['pi', 'clinical_approver', 'qa'],
          requiredSignatures: 2,
          requireCard: false,
        },
      },
    );
    expect(policy.setPromotionPolicy.find((p) => p.stage === 'STAGING')).toEqual({
      stage: 'STAGING',
      requiredRoles: ['pi', 'clinical_approver', 'qa'],
      requiredSignatures: 2,
      configured: true,
    });
    const staging = await mlflow(api, researcher.auth, 'POST', 'model-versions/transition-stage', {
      name: 'lesion-seg',
      version: String(v1),
      stage: 'Staging',
      archive_existing_versions: false,
    });
    expect(staging.status).toBe(400);
    expect(staging.body).toMatchObject({
      error_code: 'INVALID_STATE',
      message: expect.stringMatching(/promotion policy for Staging.*promotion request/),
    });
    expect(await stageOf('lesion-seg', v1)).toBe('NONE');

    const id = await openStaging('lesion-seg', v1);
    // The approver sees it in their inbox; the requester does not.
    expect(
      (await gqlOk<{ myPendingSignatures: { id: string }[] }>(api, approver.auth, PENDING)).myPendingSignatures.map((r) => r.id),
    ).toContain(id);
    expect(
      (await gqlOk<{ myPendingSignatures: { id: string }[] }>(api, pi.auth, PENDING)).myPendingSignatures.map((r) => r.id),
    ).not.toContain(id);

    expect((await sign(approver, id)).errors).toBeUndefined();
    expect((await get(id)).status).toBe('AWAITING_SIGNATURES');
    expect((await sign(qa, id, { meaning: 'RESPONSIBILITY' })).errors).toBeUndefined();
    const deployed = await until('the staging request deployed', async () => {
      const r = await get(id);
      return r.status === 'DEPLOYED' ? r : null;
    });
    expect(deployed.signatures.map((s) => [s.role, s.meaning, s.decision])).toEqual([
      ['clinical_approver', 'APPROVAL', 'APPROVE'],
      ['qa', 'RESPONSIBILITY', 'APPROVE'],
    ]);
    expect(deployed.signatures.every((s) => s.contentSha256 === deployed.contentSha256)).toBe(true);
    expect(await stageOf('lesion-seg', v1)).toBe('STAGING');
    // The first signature locked the card: the database refuses a change even to the owner.
    const versionId = (await gqlOk<{ modelVersion: { id: string } }>(api, pi.auth, VERSION, { p: projectId, n: 'lesion-seg', v: v1 }))
      .modelVersion.id;
    await expect(owner.query(`UPDATE model_cards SET content = '{}' WHERE model_version_id = $1`, [versionId])).rejects.toThrow(
      /signed and cannot change/,
    );
    await expect(owner.query(`DELETE FROM promotion_signatures WHERE request_id = $1`, [id])).rejects.toThrow(/append-only/);
  }, 180_000);

  it('refuses the requester, a wrong password, a missing role, a second signature by the same person and a rejection without reason', async () => {
    const v = await registered('lesion-seg');
    const id = await openStaging('lesion-seg', v);
    const cases: [string, Person, Record<string, unknown>, string, RegExp][] = [
      ['the requester', pi, {}, 'FORBIDDEN', /requested this promotion.*cannot sign/],
      [
        'a wrong password',
        approver,
        { password: 'not-the-password' },
        'INVALID_CREDENTIALS',
        /password is not correct; nothing was signed/,
      ],
      ['a researcher (no promotion.sign)', researcher, {}, 'FORBIDDEN', /permission to sign promotions/],
      ['a viewer', viewer, {}, 'FORBIDDEN', /permission to sign promotions/],
      ['a role the request does not need', approver, { role: 'viewer' }, 'BAD_USER_INPUT', /'viewer' is not a role this request needs/],
      ['a rejection without a reason', qa, { decision: 'REJECT' }, 'BAD_USER_INPUT', /rejection needs a reason/],
    ];
    for (const [what, who, extra, code, message] of cases) {
      const r = await sign(who, id, extra);
      expect([what, errorCode(r), errorMessage(r)]).toEqual([what, code, expect.stringMatching(message)]);
    }
    expect((await sign(approver, id)).errors).toBeUndefined();
    const again = await sign(approver, id);
    expect([errorCode(again), errorMessage(again)]).toEqual(['CONFLICT', expect.stringMatching(/already signed this request/)]);
    expect((await get(id)).signatures).toHaveLength(1);
    // A rejection with a reason ends the request; nothing moves.
    const rejected = await sign(qa, id, { decision: 'REJECT', meaning: 'REVIEW', reason: 'Dice on the small-lesion subgroup is too low' });
    expect(rejected.data?.signPromotion.status).toBe('REJECTED');
    expect(await get(id)).toMatchObject({ status: 'REJECTED', decisionReason: 'Dice on the small-lesion subgroup is too low' });
    const late = await sign(pi, id);
    expect([errorCode(late), errorMessage(late)]).toEqual([
      'CONFLICT',
      expect.stringMatching(/request is rejected; it no longer takes signatures/),
    ]);
    expect(await stageOf('lesion-seg', v)).toBe('NONE');
  }, 180_000);

  it('refuses a request whose gates cannot pass: clinical without an evaluation gate, an incomplete model card, a second open request', async () => {
    const v = await registered('lesion-seg');
    const request = (target: string, model = 'lesion-seg') =>
      gql(api, pi.auth, REQUEST, { i: { projectId, modelName: model, version: v, target, reason: 'try' } });
    const clinical = await request('CLINICAL');
    expect([errorCode(clinical), errorMessage(clinical)]).toEqual([
      'CONFLICT',
      expect.stringMatching(/no evaluation gate for clinical use/),
    ]);
    await gqlOk(api, pi.auth, SET_POLICY, {
      i: {
        projectId,
        modelName: 'lesion-seg',
        stage: 'STAGING',
        requiredRoles: ['pi', 'clinical_approver', 'qa'],
        requiredSignatures: 2,
        requireCard: true,
      },
    });
    const noCard = await request('STAGING');
    expect([errorCode(noCard), errorMessage(noCard)]).toEqual([
      'CONFLICT',
      expect.stringMatching(
        /model card of version \d+ is incomplete: fill in intended use, out-of-scope use, training data, metrics, limitations, changes from the previous version/,
      ),
    ]);
    const byResearcher = await gql(api, researcher.auth, REQUEST, {
      i: { projectId, modelName: 'lesion-seg', version: v, target: 'STAGING', reason: '' },
    });
    expect(errorCode(byResearcher)).toBe('FORBIDDEN');
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
    expect((await request('STAGING')).errors).toBeUndefined();
    const twice = await request('STAGING');
    expect([errorCode(twice), errorMessage(twice)]).toEqual(['CONFLICT', expect.stringMatching(/already has an open request for staging/)]);
  }, 180_000);

  it('two signers at the same moment give one outcome: one signature completes the request, the other is refused', async () => {
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const pi2 = await person(admin, ['PI']);
    const v = await registered('lesion-seg');
    const id = await openStaging('lesion-seg', v);
    expect((await sign(approver, id)).errors).toBeUndefined();
    const [a, b] = await Promise.all([sign(qa, id), sign(pi2, id)]);
    const outcomes = [a, b].map((r) => (r.errors ? `${errorCode(r)}: ${errorMessage(r)}` : r.data?.signPromotion.status));
    // The refused signer waits for the winner's row lock; by the time it reads the request, the
    // worker may already have deployed the approved version (the relay is woken by NOTIFY).
    expect(outcomes.sort()).toEqual([
      'APPROVED',
      expect.stringMatching(/^CONFLICT: The request is (approved|deployed); it no longer takes signatures/),
    ]);
    const final = await until('deployed', async () => {
      const r = await get(id);
      return r.status === 'DEPLOYED' ? r : null;
    });
    expect(final.signatures).toHaveLength(2);
    const approvals = await owner.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'promotion.approved' AND entity_id = $1`,
      [id],
    );
    expect(approvals.rows[0].n).toBe(1);
  }, 180_000);

  it('a model file changed in the store after signing is caught before deployment: nothing moves', async () => {
    const v = await registered('lesion-seg');
    const id = await openStaging('lesion-seg', v);
    const file = await owner.query(
      `SELECT f.bucket, f.object_key FROM model_version_files f JOIN model_versions mv ON mv.id = f.model_version_id
       JOIN registered_models rm ON rm.id = mv.registered_model_id WHERE rm.name = 'lesion-seg' AND mv.version = $1`,
      [v],
    );
    const { bucket, object_key } = file.rows[0] as { bucket: string; object_key: string };
    const tampered = Buffer.from(SEG);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 0xff, tampered.length - 1);
    await api.objects.store.putObject(bucket, object_key, tampered, { size: tampered.length, contentType: 'application/octet-stream' });
    expect((await sign(approver, id)).errors).toBeUndefined();
    expect((await sign(qa, id)).errors).toBeUndefined();
    const failed = await until('deployment refused', async () => {
      const r = await get(id);
      return r.status === 'DEPLOYMENT_FAILED' ? r : null;
    });
    expect(failed.decisionReason).toMatch(/model\/seg2d\.onnx has sha256 [0-9a-f]{64}, not [0-9a-f]{64}.*Nothing was deployed/);
    expect(await stageOf('lesion-seg', v)).toBe('NONE');
    const events = await owner.query(
      `SELECT action FROM audit_events WHERE action IN ('model_version.integrity_failed', 'promotion.deployment_failed') ORDER BY seq`,
    );
    expect(events.rows.map((r: { action: string }) => r.action)).toEqual(['model_version.integrity_failed', 'promotion.deployment_failed']);
  }, 180_000);

  it('a full clinical promotion: evaluation on a sealed test set, three signatures, deployment events, the previous version retired', async () => {
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const pi2 = await person(admin, ['PI']);
    const spec = { window: { center: 40, width: 400 }, size: [64, 64] };
    const piId = (await owner.query(`SELECT id FROM users WHERE username = $1`, [pi.username])).rows[0].id as string;
    await api.objects.store.ensureBucket('caliper-datasets');
    const db = { query: (q: string, p?: unknown[]) => owner.query(q, p).then((r) => r.rows) } as unknown as DataSource;
    const square = (x: number, y: number, x0: number, side: number) => x >= x0 && x < x0 + side && y >= x0 && y < x0 + side;
    // Two test slices the threshold model segments exactly, one it misses by half: Dice (1 + 1 + 2/3) / 3.
    const testSet = await createSealedEvaluationDataset(db, api.objects.store, {
      bucket: 'caliper-datasets',
      projectId,
      userId: piId,
      name: 'liver-ct-test',
      items: [
        {
          dicom: ctSlice(64, 64, (x, y) => (square(x, y, 16, 16) ? 100 : 0)),
          mask: pngMask(64, 64, (x, y) => (square(x, y, 16, 16) ? 255 : 0)),
        },
        { dicom: ctSlice(64, 64, () => 0), mask: pngMask(64, 64, () => 0) },
        {
          dicom: ctSlice(64, 64, (x, y) => (square(x, y, 8, 16) ? 100 : 0)),
          mask: pngMask(64, 64, (x, y) => (square(x, y, 8, 16) || square(x, y, 24, 16) ? 255 : 0)),
        },
      ],
    });
    const card = (changes: string) => ({
      intendedUse: 'Liver lesion segmentation on portal-venous CT of adults, as a second reader',
      outOfScopeUse: 'Paediatric CT; non-contrast CT',
      trainingData: ['liver-ct v3'],
      validationData: ['liver-ct-test v1'],
      metrics: [{ name: 'dice', value: 0.89, threshold: 0.6 }],
      subgroups: [],
      limitations: 'Lesions under 5 mm are missed',
      changes,
    });
    const promote = async (version: number) => {
      await gqlOk(api, researcher.auth, CARD, {
        i: { projectId, modelName: 'liver-seg', version, card: card(version === 1 ? '' : 'Retrained with 40 more scans') },
      });
      const r = await gqlOk<{ requestPromotion: { id: string; status: string; gates: { gate: string; status: string }[] } }>(
        api,
        pi.auth,
        REQUEST,
        {
          i: { projectId, modelName: 'liver-seg', version, target: 'CLINICAL', reason: `version ${version} for clinical reading` },
        },
      );
      expect(r.requestPromotion.status).toBe('EVALUATING');
      expect(r.requestPromotion.gates.map((g) => [g.gate, g.status])).toEqual([
        ['onnx_validation', 'passed'],
        ['model_card', 'passed'],
        ['evaluation', 'pending'],
      ]);
      return r.requestPromotion.id;
    };
    const evaluated = (id: string) =>
      until(`request ${id} evaluated`, async () => {
        const r = await gqlOk<{
          promotionRequest: {
            status: string;
            gates: { gate: string; status: string; detail: string }[];
            evaluation: { status: string; metrics: Record<string, number>; itemCount: number; manifestSha256: string };
          };
        }>(
          api,
          approver.auth,
          `query($id: ID!) { promotionRequest(id: $id) { status gates { gate status detail } evaluation { status metrics itemCount manifestSha256 results } } }`,
          { id },
        );
        return r.promotionRequest.status === 'EVALUATING' ? null : r.promotionRequest;
      });
    const signAll = async (id: string) => {
      expect((await sign(pi2, id, { meaning: 'RESPONSIBILITY' })).errors).toBeUndefined();
      expect((await sign(approver, id)).errors).toBeUndefined();
      expect((await get(id)).missingRoles).toEqual(['qa']);
      expect((await sign(qa, id, { meaning: 'REVIEW' })).errors).toBeUndefined();
      return until(`request ${id} deployed`, async () => {
        const r = await get(id);
        return r.status === 'DEPLOYED' ? r : null;
      });
    };

    /** Clinical use of liver-seg: all three roles sign, Dice on the sealed test set at least `dice`. */
    const clinicalPolicy = (dice: number) =>
      gqlOk(api, pi.auth, SET_POLICY, {
        i: {
          projectId,
          modelName: 'liver-seg',
          stage: 'CLINICAL',
          requiredRoles: ['pi', 'clinical_approver', 'qa'],
          requiredSignatures: 3,
          testDatasetVersionId: testSet.versionId,
          acceptance: [{ metric: 'dice', op: '>=', threshold: dice }],
          requireCard: true,
        },
      });

    const v1 = await registered('liver-seg', SEG_THRESHOLD, spec);
    const v2 = await registered('liver-seg', SEG_THRESHOLD, spec);
    await clinicalPolicy(0.8);

    const first = await promote(v1);
    const e1 = await evaluated(first);
    expect(e1.status).toBe('AWAITING_SIGNATURES');
    expect(e1.evaluation).toMatchObject({ status: 'passed', itemCount: 3, manifestSha256: testSet.manifestSha256 });
    expect(e1.evaluation.metrics.dice).toBeCloseTo((1 + 1 + 2 / 3) / 3, 6);
    expect(e1.gates.find((g) => g.gate === 'evaluation')).toMatchObject({
      status: 'passed',
      detail: expect.stringMatching(/Dice 0\.889/i),
    });
    const d1 = await signAll(first);
    expect(d1.signatures.map((s) => [s.printedName.length > 0, s.role, s.meaning])).toEqual([
      [true, 'pi', 'RESPONSIBILITY'],
      [true, 'clinical_approver', 'APPROVAL'],
      [true, 'qa', 'REVIEW'],
    ]);
    expect(await stageOf('liver-seg', v1)).toBe('CLINICAL');

    const second = await promote(v2);
    expect((await evaluated(second)).status).toBe('AWAITING_SIGNATURES');
    await signAll(second);
    expect(await stageOf('liver-seg', v2)).toBe('CLINICAL');
    expect(await stageOf('liver-seg', v1)).toBe('RETIRED');
    const deployments = await owner.query(
      `SELECT mv.version, d.status, d.ended_reason FROM deployments d JOIN model_versions mv ON mv.id = d.model_version_id
       JOIN registered_models rm ON rm.id = d.registered_model_id WHERE rm.name = 'liver-seg' ORDER BY d.started_at`,
    );
    expect(deployments.rows).toEqual([
      { version: v1, status: 'ended', ended_reason: expect.stringMatching(new RegExp(`replaced by version ${v2}`)) },
      { version: v2, status: 'active', ended_reason: null },
    ]);
    // The typed deployment events wait in the inference service's queue.
    const queue = new Queue('caliper-deployments', { connection: { host: '127.0.0.1', port: 6379 }, prefix: worker.prefix });
    try {
      const events = await until('three deployment events', async () => {
        const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
        return jobs.length >= 3 ? jobs : null;
      });
      const versionIds = (
        await owner.query(
          `SELECT mv.version, mv.id FROM model_versions mv JOIN registered_models rm ON rm.id = mv.registered_model_id WHERE rm.name = 'liver-seg'`,
        )
      ).rows as { version: number; id: string }[];
      const vOf = (id: string) => versionIds.find((v) => v.id === id)?.version;
      expect(events.map((j) => [j.name, j.data.change, vOf(j.data.modelVersionId), j.data.mode]).sort()).toEqual(
        [
          ['deployments.changed', 'activated', v1, 'clinical'],
          ['deployments.changed', 'ended', v1, 'clinical'],
          ['deployments.changed', 'activated', v2, 'clinical'],
        ].sort(),
      );
    } finally {
      await queue.close();
    }

    // Provenance walks from the version to its data, evaluation, signatures and deployment.
    const prov = (
      await gqlOk<{ modelVersion: { provenance: VersionProvenance } }>(api, viewer.auth, PROVENANCE, {
        p: projectId,
        n: 'liver-seg',
        v: v2,
      })
    ).modelVersion.provenance;
    expect(prov.version).toMatchObject({
      version: v2,
      stage: 'clinical',
      files: [{ path: 'model/seg2d.onnx', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }],
    });
    expect(prov.run).toMatchObject({ experiment: 'unet', runId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const req = prov.requests[0];
    expect(req).toMatchObject({ to: 'clinical', status: 'deployed', evaluation: { manifestSha256: testSet.manifestSha256, itemCount: 3 } });
    expect(req?.signatures.map((s) => s.role)).toEqual(['pi', 'clinical_approver', 'qa']);
    expect(prov.deployments).toEqual([expect.objectContaining({ status: 'active', mode: 'clinical' })]);
    const trail = prov.audit.map((e: { action: string }) => e.action) as string[];
    const order = [
      'model_version.registered',
      'model_version.validated',
      'promotion.requested',
      'evaluation.finished',
      'promotion.gates_passed',
      'promotion.approved',
      'deployment.started',
    ];
    expect(order.map((a) => trail.indexOf(a))).toEqual([...order.map((a) => trail.indexOf(a))].sort((a, b) => a - b));
    expect(order.every((a) => trail.includes(a))).toBe(true);
    expect(trail.filter((a) => a === 'promotion.signed')).toHaveLength(3);
    const file = await fetch(`${api.base}/api/v1/projects/${projectId}/models/liver-seg/versions/${v2}/provenance.json`, {
      headers: { cookie: (viewer.auth as { cookie: string }).cookie },
    });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(/liver-seg-v\d+-provenance\.json/);
    expect(((await file.json()) as { requests: { signatures: unknown[] }[] }).requests[0]?.signatures).toHaveLength(3);

    // The printable report carries the same facts: read back from the PDF's text.
    const pdf = await fetch(`${api.base}/api/v1/projects/${projectId}/models/liver-seg/versions/${v2}/provenance.pdf`, {
      headers: { cookie: (viewer.auth as { cookie: string }).cookie },
    });
    expect([pdf.status, pdf.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    const text = (await pdfText(Buffer.from(await pdf.arrayBuffer()))).replace(/\s+/g, ' ');
    for (const expected of [
      `Provenance: liver-seg version ${v2}`,
      'Training run',
      'Dataset versions',
      testSet.manifestSha256,
      'Signatures',
      'clinical_approver',
      'Dice 0.889 >= 0.8',
      'Deployments',
      'Audit trail',
      'deployment.started',
    ])
      expect(text).toContain(expected);
    const unauthorised = await fetch(`${api.base}/api/v1/projects/${projectId}/models/liver-seg/versions/${v2}/provenance.pdf`);
    expect(unauthorised.status).toBe(401);

    // Rollback: version 1 back into clinical use through the same gates and signatures, with a reason; version 2 retired.
    const noReason = await gql(api, pi.auth, REQUEST, {
      i: { projectId, modelName: 'liver-seg', version: v1, target: 'CLINICAL', rollback: true },
    });
    expect([errorCode(noReason), errorMessage(noReason)]).toEqual(['BAD_USER_INPUT', expect.stringMatching(/rollback needs a reason/)]);
    const back = await gqlOk<{ requestPromotion: { id: string; status: string } }>(api, pi.auth, REQUEST, {
      i: {
        projectId,
        modelName: 'liver-seg',
        version: v1,
        target: 'CLINICAL',
        reason: 'Version 2 over-segments after the scanner upgrade',
        rollback: true,
      },
    });
    expect(back.requestPromotion.status).toBe('EVALUATING');
    expect((await evaluated(back.requestPromotion.id)).status).toBe('AWAITING_SIGNATURES');
    await signAll(back.requestPromotion.id);
    expect([await stageOf('liver-seg', v1), await stageOf('liver-seg', v2)]).toEqual(['CLINICAL', 'RETIRED']);
    const rolledBack = await owner.query(
      `SELECT reason FROM audit_events WHERE action = 'model_version.stage_changed' AND after->>'stage' = 'clinical' ORDER BY seq DESC LIMIT 1`,
    );
    expect(rolledBack.rows).toEqual([{ reason: 'rollback: Version 2 over-segments after the scanner upgrade' }]);

    // A failing evaluation gate ends the request; it can never be signed.
    await clinicalPolicy(0.95);
    const v3 = await registered('liver-seg', SEG_THRESHOLD, spec);
    const third = await promote(v3);
    const failed = await evaluated(third);
    expect(failed.status).toBe('GATE_FAILED');
    expect(failed.gates.find((g) => g.gate === 'evaluation')).toMatchObject({ status: 'failed', detail: expect.stringMatching(/dice/i) });
    const refused = await sign(approver, third);
    expect([errorCode(refused), errorMessage(refused)]).toEqual([
      'CONFLICT',
      expect.stringMatching(/gate failed; it no longer takes signatures/),
    ]);
  }, 300_000);

  it('every step is in the audit chain, and the chain verifies', async () => {
    const actions = await owner.query(
      `SELECT DISTINCT action FROM audit_events WHERE action LIKE 'promotion%' OR action LIKE 'model_version.stage%'`,
    );
    expect(actions.rows.map((r: { action: string }) => r.action).sort()).toEqual(
      [
        'model_version.stage_changed',
        'promotion.approved',
        'promotion.deployment_failed',
        'promotion.gates_failed',
        'promotion.gates_passed',
        'promotion.rejected',
        'promotion.requested',
        'promotion.signed',
        'promotion_policy.set',
      ].sort(),
    );
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const status = await gqlOk<{ auditChainStatus: { ok: boolean; unacknowledgedBreaks: number } }>(
      api,
      admin,
      `query { auditChainStatus { ok unacknowledgedBreaks } }`,
    );
    expect(status.auditChainStatus).toEqual({ ok: true, unacknowledgedBreaks: 0 });
  }, 60_000);
});
