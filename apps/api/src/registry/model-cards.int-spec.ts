/**
 * Model cards on real services (issue 14, item 2): the API with PostgreSQL, S3 and Redis. A card is
 * read (empty until written), drafted from the source run (its sealed dataset version, an MLflow
 * dataset, its metrics) without saving, saved and audited with before and after; bad cards are
 * refused naming the field; viewers, members of other projects and anonymous callers are refused;
 * a signed card (locked_at set as the signing flow would) cannot change, also when the lock lands
 * while an edit is under way (the table's trigger); both exports carry the sections, the metrics,
 * the version's identity and its signatures, and the PDF's text is read back.
 */
import { pdfText } from '../testing/pdf-text';
import { Client } from 'pg';
import { EMPTY_MODEL_CARD, type ModelCard } from '@caliper/domain';
import type { RunEntity } from '@caliper/persistence';
import { Auth, errorCode, errorMessage, gql, gqlOk, headersFor, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';
import { ModelCardsService } from './model-cards.service';
import { ModelVersionsService } from './model-versions.service';
import { mlflow, newRun, ownerQuery, putArtifact, registryFixture, RegistryFixture } from './testing/registry-fixture';

const MODEL = 'brain-seg';
const CARD_FIELDS = `intendedUse outOfScopeUse trainingData validationData metrics { name value threshold } subgroups { group metric value }
  limitations changes missingSections locked lockedAt updatedAt updatedBy`;
const READ = `query($p: ID!, $n: String!, $v: Int!) { modelVersion(projectId: $p, name: $n, version: $v) { version card { ${CARD_FIELDS} } } }`;
const SUGGEST = `query($p: ID!, $n: String!, $v: Int!) { modelVersion(projectId: $p, name: $n, version: $v) {
  suggestedCard { intendedUse outOfScopeUse trainingData validationData metrics { name value threshold } limitations changes } } }`;
const UPDATE = `mutation($i: UpdateModelCardInput!) { updateModelCard(input: $i) { version card { ${CARD_FIELDS} } } }`;

interface CardGql extends ModelCard {
  missingSections: string[];
  locked: boolean;
  lockedAt: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
}

const FULL: ModelCard = {
  intendedUse: 'Segment enhancing tumour on post-contrast T1 brain MRI of adults, for volumetry reviewed by a radiologist.',
  outOfScopeUse: 'Children; CT; primary diagnosis without review.',
  trainingData: ['brain-ct v3 (sha256 abc)'],
  validationData: ['brats-val v1'],
  metrics: [
    { name: 'dice', value: 0.87, threshold: 0.8 },
    { name: 'hd95_mm', value: 4.2, threshold: null },
  ],
  subgroups: [
    { group: 'age >= 65', metric: 'dice', value: 0.84 },
    { group: 'scanner: Siemens', metric: 'dice', value: 0.88 },
  ],
  limitations: 'Not validated on post-operative scans.',
  changes: 'Retrained on brain-ct v3 with 412 more studies.',
};

describe('model cards (API on real PostgreSQL, S3 and Redis)', () => {
  let api: TestApi;
  let f: RegistryFixture;
  let run: RunEntity;
  let datasetVersionId: string;
  let outsider: Auth;
  const manifestSha = 'ab'.repeat(32);
  const input = (version: number, card: unknown) => ({ i: { projectId: f.projectId, modelName: MODEL, version, card } });
  const read = async (version: number, auth: Auth = f.researcher) =>
    (await gqlOk<{ modelVersion: { card: CardGql } }>(api, auth, READ, { p: f.projectId, n: MODEL, v: version })).modelVersion.card;
  const cardEvents = async (version: number) =>
    ownerQuery<{ before: { card: ModelCard } | null; after: { card: ModelCard; version: number }; actor_id: string }>(
      api,
      `SELECT e.before, e.after, e.actor_id FROM audit_events e JOIN model_versions v ON v.id::text = e.entity_id
         JOIN registered_models m ON m.id = v.registered_model_id
        WHERE e.action = 'model_card.updated' AND m.project_id = $1 AND m.name = $2 AND v.version = $3 ORDER BY e.seq`,
      [f.projectId, MODEL, version],
    );
  const versionId = async (version: number) =>
    (
      await ownerQuery<{ id: string }>(
        api,
        `SELECT v.id FROM model_versions v JOIN registered_models m ON m.id = v.registered_model_id WHERE m.project_id = $1 AND m.name = $2 AND v.version = $3`,
        [f.projectId, MODEL, version],
      )
    )[0]!.id;

  beforeAll(async () => {
    api = await startTestApi();
    f = await registryFixture(api, 'cards');
    // A sealed dataset version of the project, as the datasets feature leaves one (rows written as the owner).
    const [dataset] = await ownerQuery<{ id: string }>(
      api,
      `INSERT INTO datasets (project_id, name) VALUES ($1, 'brain-ct') RETURNING id`,
      [f.projectId],
    );
    [{ id: datasetVersionId }] = (await ownerQuery<{ id: string }>(
      api,
      `INSERT INTO dataset_versions (dataset_id, number, state, split_seed, split_ratios, sealed_at, manifest_sha256, deid_method)
       VALUES ($1, 3, 'sealed', 's', '{"train": 1}', now(), $2, 'none') RETURNING id`,
      [dataset!.id, manifestSha],
    )) as [{ id: string }];
    run = await newRun(api, f);
    const logged = await mlflow(
      api,
      'POST',
      'runs/log-inputs',
      {
        run_id: run.uuid,
        datasets: [
          {
            dataset: {
              name: 'brain-ct-train',
              digest: manifestSha.slice(0, 8),
              source_type: 'caliper',
              source: `caliper://dataset-versions/${datasetVersionId}`,
            },
            tags: [{ key: 'mlflow.data.context', value: 'training' }],
          },
          {
            dataset: { name: 'brats-val', digest: '0f1e2d3c', source_type: 'local', source: '/data/brats-val' },
            tags: [{ key: 'mlflow.data.context', value: 'validation' }],
          },
        ],
      },
      f.researcher,
    );
    expect(logged.status).toBe(200);
    const metrics = await mlflow(
      api,
      'POST',
      'runs/log-batch',
      {
        run_id: run.uuid,
        metrics: [
          { key: 'val_dice', value: 0.81, timestamp: 1, step: 1 },
          { key: 'val_dice', value: 0.86, timestamp: 2, step: 2 },
          { key: 'val_loss', value: 0.2, timestamp: 2, step: 2 },
        ],
      },
      f.researcher,
    );
    expect(metrics.status).toBe(200);
    await putArtifact(api, run, 'model/model.onnx', 'not a real model: the card does not need the worker');
    await gqlOk(api, f.researcher, `mutation($i: RegisterModelVersionInput!) { registerModelVersion(input: $i) { version } }`, {
      i: {
        projectId: f.projectId,
        modelName: MODEL,
        runId: run.uuid,
        artifactPath: 'model/model.onnx',
        taskType: 'SEGMENTATION',
        postprocessing: { labels: ['background', 'tumour'] },
      },
    });
    // Version 2 from an external source, version 3 left for the lock tests.
    for (let i = 0; i < 2; i++)
      await api.app
        .get(ModelVersionsService)
        .createVersion(f.researcherPrincipal, { projectId: f.projectId, name: MODEL }, { source: `s3://models/brain-seg-${i}.onnx` });
    const other = await gqlOk<{ createProject: { id: string } }>(
      api,
      f.admin,
      `mutation { createProject(input: { slug: "cards-other", name: "Other" }) { id } }`,
    );
    const o = await newUser(api, f.admin, { projectId: other.createProject.id, roles: ['PI'] });
    outsider = { basic: [o.username, o.password] };
  }, 120_000);
  afterAll(() => api?.close());

  it('reads an unwritten card as empty, with every section missing (changes too after the first version)', async () => {
    const first = await read(1, f.viewer);
    expect(first).toMatchObject({ ...EMPTY_MODEL_CARD, locked: false, lockedAt: null, updatedAt: null, updatedBy: null });
    expect(first.missingSections).toEqual(['intended use', 'out-of-scope use', 'training data', 'metrics', 'limitations']);
    expect((await read(2)).missingSections).toContain('changes from the previous version');
  });

  it("drafts the card from the source run's dataset versions and metrics, and saves nothing", async () => {
    const { modelVersion } = await gqlOk<{ modelVersion: { suggestedCard: ModelCard } }>(api, f.researcher, SUGGEST, {
      p: f.projectId,
      n: MODEL,
      v: 1,
    });
    expect(modelVersion.suggestedCard.trainingData).toEqual([`brain-ct v3 (sha256 ${manifestSha})`]);
    expect(modelVersion.suggestedCard.validationData).toEqual(['brats-val (digest 0f1e2d3c; not a sealed Caliper dataset version)']);
    expect(modelVersion.suggestedCard.metrics).toEqual([
      { name: 'val_dice', value: 0.86, threshold: null },
      { name: 'val_loss', value: 0.2, threshold: null },
    ]);
    expect(await ownerQuery(api, `SELECT 1 FROM model_cards WHERE model_version_id = $1`, [await versionId(1)])).toHaveLength(0);
    expect(await cardEvents(1)).toHaveLength(0);
  });

  it('saves a card, answers it with no section missing, and audits the card before and after', async () => {
    const saved = await gqlOk<{ updateModelCard: { version: number; card: CardGql } }>(api, f.researcher, UPDATE, input(1, FULL));
    expect(saved.updateModelCard.version).toBe(1);
    expect(saved.updateModelCard.card).toMatchObject({
      ...FULL,
      missingSections: [],
      locked: false,
      updatedBy: f.researcherPrincipal.user.username,
    });
    expect(await read(1, f.viewer)).toMatchObject(FULL);
    const changed = { ...FULL, limitations: 'Not validated on post-operative scans or 1.5 T scanners.' };
    await gqlOk(api, f.researcher, UPDATE, input(1, changed));
    const events = await cardEvents(1);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ before: null, after: { version: 1, card: FULL }, actor_id: f.researcherPrincipal.user.id });
    expect(events[1]).toMatchObject({ before: { card: FULL }, after: { card: changed } });
  });

  it("the suggestion keeps what the card says and starts the changes from the previous version's card", async () => {
    const { modelVersion } = await gqlOk<{ modelVersion: { suggestedCard: ModelCard } }>(api, f.researcher, SUGGEST, {
      p: f.projectId,
      n: MODEL,
      v: 2,
    });
    expect(modelVersion.suggestedCard).toMatchObject({
      intendedUse: FULL.intendedUse,
      outOfScopeUse: FULL.outOfScopeUse,
      trainingData: [],
    });
    expect(modelVersion.suggestedCard.changes).toMatch(/^Since version 1:/);
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['a metric value that is not a number', 'metrics.0.value', { ...FULL, metrics: [{ name: 'dice', value: 'high', threshold: null }] }],
    ['a metric without a name', 'metrics.0.name', { ...FULL, metrics: [{ name: '', value: 0.9, threshold: null }] }],
    ['a subgroup without its value', 'subgroups.0.value', { ...FULL, subgroups: [{ group: 'age >= 65', metric: 'dice' }] }],
    ['training data that is not a list', 'trainingData', { ...FULL, trainingData: 'brain-ct v3' }],
    ['a missing section', 'intendedUse', { ...FULL, intendedUse: undefined }],
    ['an unknown section', 'owner', { ...FULL, owner: 'me' }],
    ['an intended use past 10,000 characters', 'intendedUse', { ...FULL, intendedUse: 'x'.repeat(10_001) }],
  ])('refuses %s as BAD_USER_INPUT naming %s, writing nothing', async (_what, field, card) => {
    const before = await cardEvents(2);
    const r = await gql(api, f.researcher, UPDATE, input(2, card));
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(errorMessage(r)).toContain(field);
    expect(await cardEvents(2)).toHaveLength(before.length);
  });

  it.each<[string, string, () => Auth]>([
    ['a viewer', 'FORBIDDEN', () => f.viewer],
    ['a member of another project', 'FORBIDDEN', () => outsider],
    ['an anonymous caller', 'UNAUTHENTICATED', () => null],
  ])('refuses an update by %s (%s) and keeps the card', async (_who, code, auth) => {
    const r = await gql(api, auth(), UPDATE, input(1, EMPTY_MODEL_CARD));
    expect(errorCode(r)).toBe(code);
    expect((await read(1)).intendedUse).toBe(FULL.intendedUse);
  });

  it('refuses an update of a version that does not exist as NOT_FOUND', async () => {
    const r = await gql(api, f.researcher, UPDATE, input(99, FULL));
    expect(errorCode(r)).toBe('NOT_FOUND');
  });

  it('refuses to change a signed card, saying when it was signed, and writes nothing', async () => {
    await gqlOk(api, f.researcher, UPDATE, input(3, FULL));
    await ownerQuery(api, `UPDATE model_cards SET locked_at = '2026-11-30T10:00:00Z' WHERE model_version_id = $1`, [await versionId(3)]);
    const events = (await cardEvents(3)).length;
    const r = await gql(api, f.researcher, UPDATE, input(3, { ...FULL, limitations: 'changed after signing' }));
    // The service's INVALID_STATE is CONFLICT on GraphQL (the transport's one table of codes).
    expect(errorCode(r)).toBe('CONFLICT');
    expect(errorMessage(r)).toBe("Version 3's model card was signed on 2026-11-30 and cannot change; register a new version to change it.");
    expect(await read(3)).toMatchObject({ limitations: FULL.limitations, locked: true, lockedAt: '2026-11-30T10:00:00.000Z' });
    expect(await cardEvents(3)).toHaveLength(events);
  });

  it('refuses the edit with the same message when the lock lands while the edit is under way (the trigger)', async () => {
    // Version 2 has no card row yet: the signing flow inserts a locked one in a transaction that
    // commits after the edit has looked (and found none) but before its insert can finish.
    const owner = new Client({ connectionString: api.db.ownerUrl });
    await owner.connect();
    try {
      const id = await versionId(2);
      await owner.query('BEGIN');
      await owner.query(`INSERT INTO model_cards (model_version_id, content, locked_at) VALUES ($1, $2, '2026-12-01T08:00:00Z')`, [
        id,
        JSON.stringify(EMPTY_MODEL_CARD),
      ]);
      const edit = api.app
        .get(ModelCardsService)
        .updateCard(f.researcherPrincipal, { projectId: f.projectId, name: MODEL }, 2, FULL)
        .then(
          () => null,
          (e: unknown) => e as { code?: string; message?: string },
        );
      for (const until = Date.now() + 10_000; ;) {
        // Statistics views are read once per transaction unless the snapshot is cleared.
        await owner.query('SELECT pg_stat_clear_snapshot()');
        const waiting = await owner.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO model_cards%' AND pid <> pg_backend_pid()`,
        );
        if (waiting.rowCount) break;
        if (Date.now() > until) throw new Error("the edit's insert never waited on the signing transaction");
        await new Promise((r) => setTimeout(r, 20));
      }
      await owner.query('COMMIT');
      const refused = await edit;
      expect(refused).toMatchObject({
        code: 'INVALID_STATE',
        message: "Version 2's model card was signed on 2026-12-01 and cannot change; register a new version to change it.",
      });
      expect((await read(2)).intendedUse).toBe('');
    } finally {
      await owner.query('ROLLBACK').catch(() => undefined);
      await owner.end();
    }
  });

  describe('exports', () => {
    const path = (version: number | string, ext: string) =>
      `/api/v1/projects/${f.projectId}/models/${MODEL}/versions/${version}/card.${ext}`;
    const signer = 'Dr Ada Okafor';

    beforeAll(async () => {
      const id = await versionId(1);
      const [request] = await ownerQuery<{ id: string }>(
        api,
        `INSERT INTO promotion_requests (registered_model_id, model_version_id, from_stage, target_stage, requested_by, status, policy)
         SELECT registered_model_id, id, 'none', 'clinical', $2, 'awaiting_signatures', '{}' FROM model_versions WHERE id = $1 RETURNING id`,
        [id, f.researcherPrincipal.user.id],
      );
      const [pi] = await ownerQuery<{ id: string; username: string }>(api, `SELECT id, username FROM users WHERE username = 'admin'`);
      await ownerQuery(
        api,
        `INSERT INTO promotion_signatures (request_id, user_id, printed_name, username, role, meaning, decision, content_sha256, signed_at)
         VALUES ($1, $2, $3, $4, 'pi', 'approval', 'approve', $5, '2026-12-02T09:30:00Z')`,
        [request!.id, pi!.id, signer, pi!.username, 'cd'.repeat(32)],
      );
    });

    it('Markdown: identity, every section, the metrics and subgroup tables and the signatures', async () => {
      const res = await rest(api, 'GET', path(1, 'md'), f.viewer);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="brain-seg-v1-model-card.md"');
      const md = await res.text();
      const [digest] = await ownerQuery<{ artifact_digest: string }>(api, `SELECT artifact_digest FROM model_versions WHERE id = $1`, [
        await versionId(1),
      ]);
      expect(md).toContain('# Model card: brain-seg version 1');
      expect(md).toContain(`- **Artifact sha256:** \`${digest!.artifact_digest}\``);
      expect(md).toContain(`- **Source run:** \`${run.uuid}\``);
      for (const h of [
        'Intended use',
        'Out-of-scope use',
        'Training data',
        'Validation data',
        'Metrics',
        'Subgroup results',
        'Limitations',
      ])
        expect(md).toContain(`## ${h}\n`);
      expect(md).toContain('## Changes from the previous version');
      expect(md).toContain(FULL.intendedUse);
      expect(md).toContain('| dice | 0.87 | 0.8 |');
      expect(md).toContain('| hd95_mm | 4.2 | — |');
      expect(md).toContain('| age >= 65 | dice | 0.84 |');
      expect(md).toContain(`## Signatures`);
      expect(md).toContain(`| ${signer} | pi | approval | approve | 2026-12-02T09:30:00Z | to clinical |`);
      expect(md).not.toContain('Incomplete');
    });

    it('Markdown of an unwritten card says what is missing and has no signatures section', async () => {
      await registerExternalVersion(api, f, 4);
      const md = await (await rest(api, 'GET', path(4, 'md'), f.researcher)).text();
      expect(md).toContain(
        '> Incomplete: missing intended use, out-of-scope use, training data, metrics, limitations, changes from the previous version.',
      );
      expect(md).not.toContain('## Signatures');
    });

    it('PDF: the same content, read back as text', async () => {
      const res = await rest(api, 'GET', path(1, 'pdf'), f.viewer);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      const text = await pdfText(bytes);
      expect(text).toContain('Model card: brain-seg version 1');
      for (const h of ['Intended use', 'Out-of-scope use', 'Training data', 'Metrics', 'Subgroup results', 'Limitations', 'Signatures'])
        expect(text).toContain(h);
      expect(text).toMatch(/dice\s+0\.87\s+0\.8/);
      expect(text).toContain(signer);
      expect(text).toContain(run.uuid);
    });

    it.each<[string, string, number, () => Auth]>([
      ['an anonymous caller', 'md', 401, () => null],
      ['a member of another project', 'md', 403, () => outsider],
      ['a member of another project', 'pdf', 403, () => outsider],
    ])('refuses %s the %s export (%d)', async (_who, ext, status, auth) => {
      const res = await rest(api, 'GET', path(1, ext), auth());
      expect(res.status).toBe(status);
      expect(await res.text()).not.toContain(FULL.intendedUse);
    });

    it.each<[string, number, string]>([
      ['a version that is not a number', 400, 'latest'],
      ['a version that does not exist', 404, '99'],
    ])('answers %s with %d', async (_what, status, version) => {
      expect((await rest(api, 'GET', path(version, 'md'), f.researcher)).status).toBe(status);
    });

    it('refuses a project id that is not a UUID', async () => {
      const res = await fetch(`${api.base}/api/v1/projects/not-a-uuid/models/${MODEL}/versions/1/card.md`, {
        headers: headersFor(f.researcher),
      });
      expect(res.status).toBe(400);
    });
  });
});

/** Registers the next version of the model from an external source (as version 4 here). */
async function registerExternalVersion(api: TestApi, f: RegistryFixture, expected: number): Promise<void> {
  const v = await api.app
    .get(ModelVersionsService)
    .createVersion(f.researcherPrincipal, { projectId: f.projectId, name: MODEL }, { source: `s3://models/brain-seg-${expected}.onnx` });
  expect(v.version.version).toBe(expected);
}
