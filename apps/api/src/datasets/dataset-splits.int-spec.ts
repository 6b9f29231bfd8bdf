/**
 * Explicit splits from a file (PUT /api/v1/dataset-versions/:id/splits), through HTTP on real
 * PostgreSQL and an S3 server: a file by study or by instance places whole patients; the version is
 * explicit from then on (new items of a placed patient join it, new patients wait, the seal refuses
 * unplaced items); the manifest and child versions keep the explicit splits. Every bad file is refused
 * naming its rows, and no split changes.
 */
import { dicomVariant, newUid, sampleBytes } from '@caliper/pacs/testing';
import { Client } from 'pg';
import { Auth, errorCode, errorMessage, gql, gqlOk, headersFor, TestApi } from '../testing/api-harness';
import { DatasetFixture, expectRefusals, newDraft, putVersionFile, Refusal, startDatasetFixture } from '../testing/dataset-fixture';

/** Patients A (studies A1 with two instances, A2 with one), B (B1, two instances), C (C1), D (D1). */
const PLAN: [patient: string, study: string, instances: number][] = [
  ['A', 'A1', 2],
  ['A', 'A2', 1],
  ['B', 'B1', 2],
  ['C', 'C1', 1],
  ['D', 'D1', 1],
];

interface Cohort {
  versionId: string;
  number: number;
  /** Study UIDs by name (A1 …) and the SOP Instance UIDs of each study. */
  study: Record<string, string>;
  sops: Record<string, string[]>;
}

type Splits = Record<string, string | null>;

describe('dataset versions: explicit splits from a file', () => {
  let fixture: DatasetFixture | undefined;
  let api: TestApi;
  let owner: Client;
  let researcher: Auth;
  let pi: Auth;
  let viewer: Auth;
  let datasetId: string;
  const ct = sampleBytes('CT_small.dcm');

  const putSplits = (v: string, csv: string | Buffer, auth: Auth = researcher, type = 'text/csv') =>
    putVersionFile(api, auth, `${v}/splits`, csv, type);
  const putDicom = async (v: string, patient: string, study: string) => {
    const sop = newUid();
    const r = await putVersionFile(
      api,
      researcher,
      `${v}/dicom`,
      dicomVariant(ct, { patientId: `SPLIT-${patient}`, studyInstanceUid: study, sopInstanceUid: sop }),
      'application/dicom',
    );
    expect(r.status).toBe(200);
    return sop;
  };
  /** Each item's split, by item key. */
  const splitsOf = async (v: string): Promise<Splits> =>
    Object.fromEntries(
      (await owner.query(`SELECT item_key, split FROM dataset_items WHERE version_id = $1 ORDER BY item_key`, [v])).rows.map(
        (r: { item_key: string; split: string | null }) => [r.item_key, r.split],
      ),
    );
  const modeOf = async (v: string) =>
    (await owner.query(`SELECT split_mode FROM dataset_versions WHERE id = $1`, [v])).rows[0].split_mode as string;
  const patientOf = async (v: string, study: string) =>
    (await owner.query(`SELECT DISTINCT patient_key FROM dataset_items WHERE version_id = $1 AND study_uid = $2`, [v, study])).rows[0]
      .patient_key as string;
  const audits = async (v: string) =>
    (
      await owner.query(
        `SELECT before, after FROM audit_events WHERE action = 'dataset_version.splits_set' AND entity_id = $1 ORDER BY seq`,
        [v],
      )
    ).rows as { before: Record<string, unknown>; after: Record<string, unknown> }[];
  const seal = (v: string) =>
    gql<{ sealDatasetVersion: { state: string; manifestSha256: string } }>(
      api,
      pi,
      `mutation($v: ID!) { sealDatasetVersion(input: { versionId: $v, deidMethod: "test", deidSummary: "test" }) { state manifestSha256 } }`,
      { v },
    );

  async function cohort(): Promise<Cohort> {
    const { id: v, number } = await newDraft(fixture!, 'split-file-seed');
    const study: Record<string, string> = {};
    const sops: Record<string, string[]> = {};
    for (const [patient, name, instances] of PLAN) {
      study[name] = newUid();
      sops[name] = [];
      for (let i = 0; i < instances; i++) sops[name].push(await putDicom(v, patient, study[name]));
    }
    return { versionId: v, number, study, sops };
  }

  beforeAll(async () => {
    fixture = await startDatasetFixture({ project: 'splits', dataset: 'Splits' });
    ({ api, owner, researcher, pi, viewer, datasetId } = fixture);
  }, 90000);
  afterAll(async () => {
    await fixture?.close();
  });

  it('places whole patients from a file by study, then by instance; new items follow their patient; the seal, manifest and a child keep the splits', async () => {
    const c = await cohort();
    const v = c.versionId;
    expect(await modeOf(v)).toBe('seed');
    const seeded = await splitsOf(v);
    expect(Object.values(seeded).every((s) => s !== null)).toBe(true);

    // By study: A's two studies in train, B in val, C in test, D in train.
    const want: Record<string, string> = { A1: 'train', A2: 'train', B1: 'val', C1: 'test', D1: 'train' };
    const csv = `study_instance_uid,split\n${Object.entries(want)
      .map(([s, split]) => `${c.study[s]},${split === 'val' ? ' VAL ' : split}`)
      .join('\n')}\n${c.study.A1},train\n`;
    const expected: Splits = Object.fromEntries(Object.entries(want).flatMap(([s, split]) => c.sops[s]!.map((sop) => [sop, split])));
    const changed = Object.entries(expected).filter(([sop, split]) => seeded[sop] !== split).length;
    const first = await putSplits(v, csv);
    expect(first).toEqual({
      status: 200,
      body: {
        rows: 6,
        patients: 4,
        changed,
        splitMode: 'explicit',
        splits: { train: { patients: 2, items: 4 }, val: { patients: 1, items: 2 }, test: { patients: 1, items: 1 } },
        unplaced: { patients: 0, items: 0 },
      },
    });
    expect(await splitsOf(v)).toEqual(expected);
    expect(await modeOf(v)).toBe('explicit');
    // The same file again changes nothing and is not audited again.
    expect((await putSplits(v, csv)).body).toMatchObject({ changed: 0, patients: 4 });
    expect(await audits(v)).toEqual([
      {
        before: { splitMode: 'seed' },
        after: {
          splitMode: 'explicit',
          by: 'study_instance_uid',
          rows: 6,
          patients: 4,
          changed,
          sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          train: 2,
          val: 1,
          test: 1,
        },
      },
    ]);

    // Explicit now: a later file may name some patients only. One instance of B moves all of B.
    const moved = await putSplits(v, `sop_instance_uid,split\n${c.sops.B1![1]},test\n`);
    expect(moved.body).toMatchObject({
      rows: 1,
      patients: 1,
      changed: 2,
      splits: { val: { patients: 0, items: 0 }, test: { patients: 2, items: 3 } },
    });
    for (const sop of c.sops.B1!) expected[sop] = 'test';
    expect(await splitsOf(v)).toEqual(expected);

    // A new study of A joins A's split; a new patient E waits for a split file, and the seal says so.
    const a3 = await putDicom(v, 'A', newUid());
    const e = await putDicom(v, 'E', newUid());
    expected[a3] = 'train';
    expected[e] = null;
    expect(await splitsOf(v)).toEqual(expected);
    const version = await gqlOk<{ datasetVersion: { splitMode: string; counts: { bySplit: { split: string | null; items: number }[] } } }>(
      api,
      viewer,
      `query($v: ID!) { datasetVersion(id: $v) { splitMode counts { bySplit { split items } } } }`,
      { v },
    );
    expect(version.datasetVersion).toEqual({
      splitMode: 'EXPLICIT',
      counts: {
        bySplit: [
          { split: 'TEST', items: 3 },
          { split: 'TRAIN', items: 5 },
          { split: null, items: 1 },
        ],
      },
    });
    const refused = await seal(v);
    expect({ code: errorCode(refused), message: errorMessage(refused) }).toEqual({
      code: 'CONFLICT',
      message: `Version ${c.number} takes its splits from split files, and 1 item is in no split (${e}): upload a split file placing their patients, then seal.`,
    });
    // Nor can SQL seal it behind the API's back.
    await expect(
      owner.query(
        `UPDATE dataset_versions SET state = 'sealed', sealed_at = now(), manifest_sha256 = 'x', deid_method = 'x' WHERE id = $1`,
        [v],
      ),
    ).rejects.toThrow(/has items in no split/);
    expect(await splitsOf(v)).toEqual(expected);
    expect((await putSplits(v, `sop_instance_uid,split\n${e},val\n`)).body).toMatchObject({
      changed: 1,
      unplaced: { patients: 0, items: 0 },
    });
    expected[e] = 'val';

    // Sealed: the manifest carries the explicit splits and says how they were made.
    const sealed = await seal(v);
    expect(sealed.errors).toBeUndefined();
    const manifest = await fetch(`${api.base}/api/v1/dataset-versions/${v}/manifest`, { headers: headersFor(viewer) });
    const [header, ...lines] = (await manifest.text()).trim().split('\n');
    expect(JSON.parse(header!).split).toEqual({
      mode: 'explicit',
      seed: 'split-file-seed',
      ratios: { train: 0.7, val: 0.15, test: 0.15 },
      stratifyByLabel: false,
    });
    expect(Object.fromEntries(lines.map((l) => JSON.parse(l) as { item: string; split: string }).map((i) => [i.item, i.split]))).toEqual(
      expected,
    );

    // A child keeps the explicit splits: a new item of C joins C (test), a new patient waits.
    const child = (
      await gqlOk<{ createDatasetVersion: { id: string; splitMode: string } }>(
        api,
        researcher,
        `mutation($d: ID!, $p: ID!) { createDatasetVersion(input: { datasetId: $d, parentVersionId: $p }) { id splitMode } }`,
        { d: datasetId, p: v },
      )
    ).createDatasetVersion;
    expect(child.splitMode).toBe('EXPLICIT');
    expect(await splitsOf(child.id)).toEqual(expected);
    const c2 = await putDicom(child.id, 'C', newUid());
    const f = await putDicom(child.id, 'F', newUid());
    expect(await splitsOf(child.id)).toEqual({ ...expected, [c2]: 'test', [f]: null });
    // Resplit, a child is placed by the seed again: every item has a split, one per patient.
    const resplit = (
      await gqlOk<{ createDatasetVersion: { id: string; splitMode: string } }>(
        api,
        researcher,
        `mutation($d: ID!, $p: ID!) { createDatasetVersion(input: { datasetId: $d, parentVersionId: $p, resplit: true }) { id splitMode } }`,
        { d: datasetId, p: v },
      )
    ).createDatasetVersion;
    expect(resplit.splitMode).toBe('SEED');
    const perPatient = await owner.query(
      `SELECT patient_key, count(DISTINCT split)::int AS splits, count(*) FILTER (WHERE split IS NULL)::int AS unplaced
         FROM dataset_items WHERE version_id = $1 GROUP BY patient_key`,
      [resplit.id],
    );
    expect(perPatient.rows.map((r: { splits: number; unplaced: number }) => [r.splits, r.unplaced])).toEqual(Array(5).fill([1, 0]));
  }, 120000);

  it('refuses a bad split file naming its rows, and changes no split', async () => {
    const c = await cohort();
    const v = c.versionId;
    const before = await splitsOf(v);
    const n = c.number;
    const patientA = (await patientOf(v, c.study.A1!)).slice(0, 12);
    const patientD = (await patientOf(v, c.study.D1!)).slice(0, 12);
    const patientC = (await patientOf(v, c.study.C1!)).slice(0, 12);
    const all = (over: Record<string, string> = {}) =>
      `study_instance_uid,split\n${['A1', 'A2', 'B1', 'C1', 'D1'].map((s) => `${c.study[s]},${over[s] ?? 'train'}`).join('\n')}\n`;
    const cases: Refusal[] = [
      [
        'two studies of one patient',
        putSplits(v, all({ A2: 'test' })),
        400,
        `The split file is refused: line 3 puts study ${c.study.A2} in test, but line 2 put study ${c.study.A1} in train: both are of patient ${patientA}…, and a patient is in one split only. Nothing was stored.`,
      ],
      [
        'two instances of one patient',
        putSplits(v, `sop_instance_uid,split\n${c.sops.A1![0]},val\n${c.sops.A1![1]},train\n`),
        400,
        `The split file is refused: line 3 puts instance ${c.sops.A1![1]} in train, but line 2 put instance ${c.sops.A1![0]} in val: both are of patient ${patientA}…, and a patient is in one split only. Nothing was stored.`,
      ],
      [
        'unknown UIDs',
        putSplits(v, `${all()}1.2.3.4,test\n${c.sops.B1![0]},val\n`),
        400,
        `The split file is refused: line 7: version ${n} has no study 1.2.3.4; line 8: version ${n} has no study ${c.sops.B1![0]}. Nothing was stored.`,
      ],
      [
        'bad split',
        putSplits(v, `sop_instance_uid,split\n${c.sops.A1![0]},training\n${c.sops.B1![0]},\n`),
        400,
        'The split file is refused: line 2: split must be one of train, val, test (got "training"); line 3: split must be one of train, val, test (got ""). Nothing was stored.',
      ],
      [
        'malformed CSV',
        putSplits(v, `sop_instance_uid,split\n${c.sops.A1![0]},"train\n`),
        400,
        /^The split file is refused: it is not valid CSV: .*Nothing was stored\.$/,
      ],
      [
        'bad header',
        putSplits(v, `series_instance_uid,split\n1.2,train\n`),
        400,
        'The split file is refused: line 1 (the header) must name sop_instance_uid or study_instance_uid and split (e.g. "sop_instance_uid,split"); it has "series_instance_uid,split". Nothing was stored.',
      ],
      [
        'no rows',
        putSplits(v, 'study_instance_uid,split\n'),
        400,
        'The split file is refused: it has a header but no rows. Nothing was stored.',
      ],
      [
        'missing patients',
        putSplits(v, `study_instance_uid,split\n${c.study.A1},train\n${c.study.B1},val\n`),
        400,
        `The split file is refused: version ${n} is split by its seed, so a first split file must place every one of its 4 patients, and it leaves out 2: ${[
          [patientC, c.study.C1],
          [patientD, c.study.D1],
        ]
          .sort()
          .map(([p, s]) => `patient ${p}… (study ${s})`)
          .join(', ')}; add a row for a study of each. Nothing was stored.`,
      ],
      [
        'not UTF-8',
        putSplits(v, Buffer.from([0x73, 0x70, 0xff, 0xfe, 0x0a])),
        400,
        'The split file is refused: it is not UTF-8 text. Nothing was stored.',
      ],
      [
        'JSON',
        putSplits(v, JSON.stringify({ [c.sops.A1![0]!]: 'train' }), researcher, 'application/json'),
        400,
        'Send the split file as text/csv (Content-Type). Nothing was stored.',
      ],
      ['viewer', putSplits(v, all(), viewer), 403, /permission/],
      ['unknown version', putSplits('00000000-0000-4000-8000-000000000000', all()), 404, /not found/],
    ];
    await expectRefusals(cases);
    expect(await splitsOf(v)).toEqual(before);
    expect(await modeOf(v)).toBe('seed');
    expect(await audits(v)).toEqual([]);

    // A sealed version refuses a split file before reading it (this one is not even CSV).
    expect((await seal(v)).errors).toBeUndefined();
    const sealed = await putSplits(v, 'not, a split file', researcher);
    expect({ status: sealed.status, message: sealed.body.message }).toEqual({
      status: 409,
      message: `Version ${n} is sealed: build a new version from it instead.`,
    });
    expect(await splitsOf(v)).toEqual(before);
  }, 120000);
});
