/**
 * Verifying a dataset version through the API on real PostgreSQL and S3 (the worker's side is
 * apps/worker/src/datasets/verify-version.int-spec.ts): a researcher's request records the
 * verification with its outbox job and audit event in one transaction, a retry while it is queued
 * answers the same one, a viewer is refused, a sealed version can be verified, drift rows are
 * paged, and a version referencing the PACS says what to set when no PACS is configured.
 */
import { dicomVariant, sampleBytes } from '@caliper/pacs/testing';
import { Client } from 'pg';
import { Auth, errorCode, errorMessage, gql, gqlOk, TestApi } from '../testing/api-harness';
import { DatasetFixture, newDraft, putVersionFile, startDatasetFixture } from '../testing/dataset-fixture';

const VERIFY = `mutation($v: ID!) { verifyDatasetVersion(versionId: $v) { id versionId status total checked ok changed missing errors } }`;

interface VerificationView {
  id: string;
  versionId: string;
  status: string;
  total: number | null;
  checked: number;
  ok: number;
  changed: number;
  missing: number;
  errors: number;
}

describe('datasets: verifying a version against its sources', () => {
  let fixture: DatasetFixture | undefined;
  let api: TestApi;
  let owner: Client;
  let researcher: Auth;
  let pi: Auth;
  let viewer: Auth;

  beforeAll(async () => {
    fixture = await startDatasetFixture({ project: 'verified-cohorts', dataset: 'CT' });
    ({ api, owner, researcher, pi, viewer } = fixture);
  }, 120000);
  afterAll(async () => {
    await fixture?.close();
  });

  /** A draft with `n` uploaded CT instances (copied into the datasets bucket). */
  async function draftWithItems(n: number): Promise<string> {
    const versionId = (await newDraft(fixture!)).id;
    for (let i = 0; i < n; i++) {
      const r = await putVersionFile(
        api,
        researcher,
        `${versionId}/dicom`,
        dicomVariant(sampleBytes('CT_small.dcm'), { patientId: `VP-${i}` }),
        'application/dicom',
      );
      expect(r.status).toBe(200);
    }
    return versionId;
  }

  const rowsOf = async (versionId: string) => ({
    verifications: (await owner.query(`SELECT id, status, created_by FROM dataset_verifications WHERE version_id = $1`, [versionId])).rows,
    jobs: (
      await owner.query(
        `SELECT job_id, payload FROM outbox WHERE job_name = 'datasets.verify-version' AND payload->>'verificationId' IN (SELECT id::text FROM dataset_verifications WHERE version_id = $1)`,
        [versionId],
      )
    ).rows,
    events: (
      await owner.query(
        `SELECT actor_label, after FROM audit_events WHERE action = 'dataset_version.verification_requested' AND entity_id = $1`,
        [versionId],
      )
    ).rows,
  });

  it('records a verification with its job and audit event; a retry while it is queued answers the same one', async () => {
    const versionId = await draftWithItems(2);
    const first = (await gqlOk<{ verifyDatasetVersion: VerificationView }>(api, researcher, VERIFY, { v: versionId })).verifyDatasetVersion;
    expect(first).toEqual({
      id: expect.any(String),
      versionId,
      status: 'QUEUED',
      total: null,
      checked: 0,
      ok: 0,
      changed: 0,
      missing: 0,
      errors: 0,
    });
    const again = (await gqlOk<{ verifyDatasetVersion: VerificationView }>(api, pi, VERIFY, { v: versionId })).verifyDatasetVersion;
    expect(again.id).toBe(first.id);
    const rows = await rowsOf(versionId);
    expect(rows.verifications).toEqual([{ id: first.id, status: 'queued', created_by: expect.any(String) }]);
    expect(rows.jobs).toEqual([{ job_id: `datasets.verify-version|${first.id}`, payload: { v: 1, verificationId: first.id } }]);
    expect(rows.events).toHaveLength(1);
    expect(rows.events[0].after).toEqual({ verificationId: first.id, number: expect.any(Number), state: 'draft' });

    // Once finished, a new request starts a new verification; the finished one is history.
    await owner.query(`UPDATE dataset_verifications SET status = 'done', finished_at = now() WHERE id = $1`, [first.id]);
    await expect(owner.query(`UPDATE dataset_verifications SET ok = 5 WHERE id = $1`, [first.id])).rejects.toThrow(/is finished \(done\)/);
    const next = (await gqlOk<{ verifyDatasetVersion: VerificationView }>(api, researcher, VERIFY, { v: versionId })).verifyDatasetVersion;
    expect(next.id).not.toBe(first.id);
    const listed = await gqlOk<{ datasetVersion: { verifications: { id: string; status: string }[] } }>(
      api,
      viewer,
      `query($v: ID!) { datasetVersion(id: $v) { verifications(first: 5) { id status } } }`,
      { v: versionId },
    );
    expect(listed.datasetVersion.verifications).toEqual([
      { id: next.id, status: 'QUEUED' },
      { id: first.id, status: 'DONE' },
    ]);
  });

  it('answers concurrent requests with one verification', async () => {
    const versionId = await draftWithItems(1);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => gqlOk<{ verifyDatasetVersion: VerificationView }>(api, researcher, VERIFY, { v: versionId })),
    );
    expect(new Set(answers.map((a) => a.verifyDatasetVersion.id)).size).toBe(1);
    const rows = await rowsOf(versionId);
    expect([rows.verifications.length, rows.jobs.length, rows.events.length]).toEqual([1, 1, 1]);
  });

  it('refuses a viewer, writing nothing', async () => {
    const versionId = await draftWithItems(1);
    const r = await gql(api, viewer, VERIFY, { v: versionId });
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(await rowsOf(versionId)).toEqual({ verifications: [], jobs: [], events: [] });
    expect(errorCode(await gql(api, researcher, VERIFY, { v: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');
  });

  it('verifies a sealed version, leaving it sealed', async () => {
    const versionId = await draftWithItems(1);
    await gqlOk(
      api,
      pi,
      `mutation($v: ID!) { sealDatasetVersion(input: { versionId: $v, deidMethod: "none", deidSummary: "test data" }) { id } }`,
      {
        v: versionId,
      },
    );
    const r = await gqlOk<{ verifyDatasetVersion: VerificationView }>(api, researcher, VERIFY, { v: versionId });
    expect(r.verifyDatasetVersion.status).toBe('QUEUED');
    expect((await rowsOf(versionId)).events[0].after).toMatchObject({ state: 'sealed' });
  });

  it('pages drift rows in item-key order', async () => {
    const versionId = await draftWithItems(1);
    const v = (await gqlOk<{ verifyDatasetVersion: VerificationView }>(api, researcher, VERIFY, { v: versionId })).verifyDatasetVersion;
    const a = 'a'.repeat(64);
    await owner.query(
      `INSERT INTO dataset_verification_drifts (verification_id, item_key, kind, sop_uid, expected_sha256, actual_sha256, reason)
       VALUES ($1, '1.2.3', 'changed', '1.2.3', $2, $3, NULL), ($1, '1.2.1', 'missing', '1.2.1', $2, NULL, 'gone'), ($1, '1.2.2', 'error', '1.2.2', $2, NULL, 'TIMEOUT')`,
      [v.id, a, 'b'.repeat(64)],
    );
    const DRIFTS = `query($v: ID!, $after: String) { datasetVersion(id: $v) { verifications { drifts(first: 2, after: $after) { next drifts { itemKey kind actualSha256 reason } } } } }`;
    type Page = { datasetVersion: { verifications: { drifts: { next: string | null; drifts: { itemKey: string; kind: string }[] } }[] } };
    const p1 = (await gqlOk<Page>(api, viewer, DRIFTS, { v: versionId })).datasetVersion.verifications[0]!.drifts;
    expect(p1).toEqual({
      next: '1.2.2',
      drifts: [
        { itemKey: '1.2.1', kind: 'MISSING', actualSha256: null, reason: 'gone' },
        { itemKey: '1.2.2', kind: 'ERROR', actualSha256: null, reason: 'TIMEOUT' },
      ],
    });
    const p2 = (await gqlOk<Page>(api, viewer, DRIFTS, { v: versionId, after: p1.next })).datasetVersion.verifications[0]!.drifts;
    expect(p2).toEqual({ next: null, drifts: [{ itemKey: '1.2.3', kind: 'CHANGED', actualSha256: 'b'.repeat(64), reason: null }] });
    // Drift rows are append-only for the application.
    const app = new Client({ connectionString: api.db.appUrl });
    await app.connect();
    await expect(app.query(`DELETE FROM dataset_verification_drifts WHERE verification_id = $1`, [v.id])).rejects.toThrow(
      /permission denied/,
    );
    await expect(app.query(`UPDATE dataset_verification_drifts SET kind = 'error' WHERE verification_id = $1`, [v.id])).rejects.toThrow(
      /permission denied/,
    );
    await app.end();
  });

  it('says what to set when the version references the PACS and no PACS is configured', async () => {
    const versionId = await draftWithItems(1);
    await owner.query(
      `INSERT INTO dataset_items (version_id, item_key, study_uid, series_uid, sop_uid, sha256, size_bytes, patient_key)
       VALUES ($1, '9.9.9', '9.9', '9.9.1', '9.9.9', repeat('c', 64), 10, 'pk')`,
      [versionId],
    );
    const r = await gql(api, researcher, VERIFY, { v: versionId });
    expect(errorCode(r)).toBe('CONFLICT');
    expect(errorMessage(r)).toMatch(/references instances in the PACS, and no PACS is configured: set PACS_DICOMWEB_URL/);
    expect(await rowsOf(versionId)).toEqual({ verifications: [], jobs: [], events: [] });
  });
});
