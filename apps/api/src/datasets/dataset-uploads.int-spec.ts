/**
 * Uploads into a draft beyond single DICOM files, through HTTP on real PostgreSQL and an S3 server:
 * zips of DICOM files (system files skipped and reported, retries idempotent, and every bad or
 * hostile zip refused naming the entry and why, storing nothing); label files (CSV, JSON);
 * segmentation masks (DICOM SEG checked against the item, NIfTI, PNG).
 */
import { createHash } from 'node:crypto';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { dicomVariant, newUid, SAMPLES, sampleBytes } from '@caliper/pacs/testing';
import { Client } from 'pg';
import { ZipFile } from 'yazl';
import { Auth, gqlOk, TestApi } from '../testing/api-harness';
import {
  DatasetFixture,
  expectRefusals,
  newDraft,
  putVersionFile,
  Refusal,
  startDatasetFixture,
  VersionFileReply,
} from '../testing/dataset-fixture';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const BUCKET = 'caliper-datasets';

interface ZipEntry {
  name: string;
  data: Buffer;
  compress?: boolean;
}

async function zipOf(entries: ZipEntry[]): Promise<Buffer> {
  const z = new ZipFile();
  for (const e of entries) {
    if (e.name.endsWith('/')) z.addEmptyDirectory(e.name);
    else z.addBuffer(e.data, e.name, { compress: e.compress ?? true });
  }
  z.end();
  const parts: Buffer[] = [];
  for await (const chunk of z.outputStream as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}

/** Rewrites fields of every central directory record (what a zip reader trusts) whose name matches. */
function patchCentral(zip: Buffer, name: string, patch: (record: Buffer) => void): Buffer {
  const out = Buffer.from(zip);
  for (let at = out.indexOf('PK\u0001\u0002', 0, 'latin1'); at >= 0; at = out.indexOf('PK\u0001\u0002', at + 4, 'latin1')) {
    const nameLength = out.readUInt16LE(at + 28);
    if (out.subarray(at + 46, at + 46 + nameLength).toString('utf8') === name) patch(out.subarray(at));
  }
  return out;
}

/** The sample with one element removed, written back by dcmjs. */
function withoutElement(bytes: Buffer, tag: string): Buffer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped; the test needs only read/write
  const dcmjs = require('dcmjs') as {
    data: { DicomMessage: { readFile(b: ArrayBuffer): { dict: Record<string, unknown>; write(): ArrayBuffer } } };
  };
  const d = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  delete d.dict[tag];
  return Buffer.from(d.write());
}

describe('dataset uploads: zips of DICOM files', () => {
  let fixture: DatasetFixture | undefined;
  let api: TestApi;
  let owner: Client;
  let researcher: Auth;
  let pi: Auth;
  let viewer: Auth;
  let datasetId: string;

  const zipDraft = async () => (await newDraft(fixture!, 'zip-seed')).id;
  const itemCount = async (v: string) =>
    (await owner.query(`SELECT count(*)::int AS n FROM dataset_items WHERE version_id = $1`, [v])).rows[0].n as number;
  const objectCount = async () => (await api.objects.store.list(BUCKET, `datasets/${datasetId}/`).catch(() => [])).length;
  const putZip = (v: string, body: Buffer, auth: Auth = researcher, headers: Record<string, string> = {}) =>
    putVersionFile(api, auth, `${v}/zip`, body, 'application/zip', headers);

  beforeAll(async () => {
    fixture = await startDatasetFixture({ project: 'zips', dataset: 'Zips', env: { DATASET_ZIP_MAX_MB: '8' } });
    ({ api, owner, researcher, pi, viewer, datasetId } = fixture);
  }, 90000);
  afterAll(async () => {
    await fixture?.close();
  });

  it('adds every DICOM file of a zip, skips and reports system files, and a retry changes nothing', async () => {
    const v = await zipDraft();
    const files = [0, 1, 2].flatMap((i) => [
      { name: `PAT-${i}/ct.dcm`, data: dicomVariant(sampleBytes('CT_small.dcm'), { patientId: `ZIP-${i}` }) },
      { name: `PAT-${i}/mr/IM0001`, data: dicomVariant(sampleBytes('MR_small.dcm'), { patientId: `ZIP-${i}` }), compress: false },
    ]);
    const zip = await zipOf([
      { name: 'PAT-0/', data: Buffer.alloc(0) },
      ...files,
      { name: 'copy-of-ct.dcm', data: files[0]!.data },
      { name: '__MACOSX/PAT-0/._ct.dcm', data: Buffer.from('resource fork') },
      { name: 'PAT-1/.DS_Store', data: Buffer.from('finder') },
      { name: 'DICOMDIR', data: Buffer.from('an index') },
    ]);
    const first = await putZip(v, zip, researcher, { 'x-checksum-sha256': sha(zip) });
    expect(first).toEqual({
      status: 200,
      body: {
        zip: { sha256: sha(zip), size: zip.length },
        files: 7,
        created: 6,
        unchanged: 0,
        skipped: [
          { name: '__MACOSX/PAT-0/._ct.dcm', reason: 'macOS resource fork folder (__MACOSX)' },
          { name: 'PAT-1/.DS_Store', reason: 'macOS folder settings (.DS_Store)' },
          { name: 'DICOMDIR', reason: 'DICOMDIR: a media index, not an image' },
          { name: 'copy-of-ct.dcm', reason: 'the same file as "PAT-0/ct.dcm"' },
        ],
      },
    });
    const rows = await owner.query(`SELECT sha256, object_key, split FROM dataset_items WHERE version_id = $1 ORDER BY sha256`, [v]);
    expect(rows.rows.map((r: { sha256: string }) => r.sha256)).toEqual(files.map((f) => sha(f.data)).sort());
    expect(rows.rows.every((r: { split: string | null }) => r.split !== null)).toBe(true);
    // Each item's object holds exactly its file.
    for (const r of rows.rows as { sha256: string; object_key: string }[]) {
      const stream = await api.objects.store.read(BUCKET, r.object_key);
      const parts: Buffer[] = [];
      for await (const c of stream as AsyncIterable<Buffer>) parts.push(c);
      expect(sha(Buffer.concat(parts))).toBe(r.sha256);
    }
    const again = await putZip(v, zip);
    expect({ status: again.status, created: again.body.created, unchanged: again.body.unchanged }).toEqual({
      status: 200,
      created: 0,
      unchanged: 6,
    });
    expect(await itemCount(v)).toBe(6);
    const audits = await owner.query(
      `SELECT after FROM audit_events WHERE action = 'dataset_version.items_added' AND entity_id = $1 ORDER BY seq`,
      [v],
    );
    expect(audits.rows.map((r: { after: Record<string, unknown> }) => r.after)).toEqual([
      { count: 6, via: 'zip', zipSha256: sha(zip), zipBytes: zip.length, files: 7, unchanged: 0, skipped: 4 },
    ]);
  });

  it('refuses a bad or hostile zip naming the entry and why, and stores nothing', async () => {
    const v = await zipDraft();
    const heldUid = newUid();
    const held = dicomVariant(sampleBytes('CT_small.dcm'), { patientId: 'HELD', sopInstanceUid: heldUid });
    expect((await putVersionFile(api, researcher, `${v}/dicom`, held, 'application/dicom')).status).toBe(200);
    const objectsBefore = await objectCount();
    const good = (name = 'good.dcm') => ({ name, data: dicomVariant(sampleBytes('CT_small.dcm'), { patientId: 'GOOD' }) });
    const ct = sampleBytes('CT_small.dcm');
    const sop = newUid();
    const plain = await zipOf([good('a.dcm'), { name: 'b.dcm', data: Buffer.alloc(1024, 7), compress: false }]);
    const bomb = await zipOf([good(), { name: 'zeros.dcm', data: Buffer.alloc(20 * 1024 * 1024) }]);
    const lying = patchCentral(await zipOf([good(), good('liar.dcm')]), 'liar.dcm', (r) => r.writeUInt32LE(1000, 24));
    const huge = patchCentral(await zipOf([good('huge.dcm')]), 'huge.dcm', (r) => r.writeUInt32LE(65 * 1024 * 1024, 24));
    const encrypted = patchCentral(await zipOf([good('secret.dcm')]), 'secret.dcm', (r) => r.writeUInt16LE(r.readUInt16LE(8) | 1, 8));
    // 300 entries each declaring 60 MiB (from 1 MiB): 17.6 GiB in all, over the 16 GiB cap.
    const many = await zipOf(Array.from({ length: 300 }, (_, i) => ({ name: `f${i}.dcm`, data: Buffer.from('x') })));
    const overTotal = Array.from({ length: 300 }, (_, i) => `f${i}.dcm`).reduce(
      (z, name) =>
        patchCentral(z, name, (r) => {
          r.writeUInt32LE(1024 * 1024, 20);
          r.writeUInt32LE(60 * 1024 * 1024, 24);
        }),
      many,
    );
    const tooMany = await zipOf(Array.from({ length: 50001 }, (_, i) => ({ name: `d/${i}`, data: Buffer.alloc(0), compress: false })));
    const escaping = Buffer.from(
      (await zipOf([good(), good('xx/evil.dcm')])).toString('latin1').replaceAll('xx/evil.dcm', '../evil.dcm'),
      'latin1',
    );
    const absolute = Buffer.from(
      (await zipOf([good('xetc/evil.dcm')])).toString('latin1').replaceAll('xetc/evil.dcm', '/etc/evil.dcm'),
      'latin1',
    );
    const cases: [string, Promise<VersionFileReply>, number, RegExp][] = [
      ['not a zip', putZip(v, Buffer.from('hello, not a zip'.repeat(100))), 400, /^The zip cannot be read as a zip archive/],
      ['cut short', putZip(v, plain.subarray(0, plain.length - 40)), 400, /^The zip cannot be read as a zip archive/],
      ['not DICOM', putZip(v, plain), 400, /^Entry "b.dcm" of the zip is refused: it is not a DICOM Part-10 file/],
      [
        'truncated DICOM',
        putZip(v, await zipOf([good(), { name: 'cut.dcm', data: ct.subarray(0, ct.length - 3000) }])),
        400,
        /^Entry "cut.dcm" of the zip is refused: it is cut short/,
      ],
      [
        'no UID',
        putZip(v, await zipOf([good(), { name: 'nouid.dcm', data: withoutElement(ct, '0020000D') }])),
        400,
        /^Entry "nouid.dcm" of the zip is refused: it has no StudyInstanceUID \(0020,000D\)/,
      ],
      [
        'no PatientID',
        putZip(v, await zipOf([{ name: 'anon.dcm', data: withoutElement(ct, '00100020') }])),
        400,
        /^Entry "anon.dcm" of the zip has no PatientID/,
      ],
      [
        'one SOP, two files',
        putZip(
          v,
          await zipOf([
            { name: 'a.dcm', data: dicomVariant(ct, { patientId: 'A', sopInstanceUid: sop }) },
            { name: 'b.dcm', data: dicomVariant(ct, { patientId: 'B', sopInstanceUid: sop }) },
          ]),
        ),
        400,
        new RegExp(`^Entry "b.dcm" of the zip has SOP Instance UID ${sop.replace(/\./g, '\\.')}, as "a.dcm" has, with other content`),
      ],
      [
        'SOP held with other content',
        putZip(v, await zipOf([good(), { name: 'other.dcm', data: dicomVariant(ct, { patientId: 'X', sopInstanceUid: heldUid }) }])),
        400,
        /^Entry "other.dcm" of the zip has SOP Instance UID [0-9.]+, which version \d+ already holds with other content \(sha256 [0-9a-f]{64}\)/,
      ],
      [
        'nested zip',
        putZip(v, await zipOf([good(), { name: 'inner.zip', data: plain }])),
        400,
        /^Entry "inner.zip" of the zip is itself an archive/,
      ],
      [
        'disguised zip',
        putZip(v, await zipOf([good(), { name: 'inner.dcm', data: plain }])),
        400,
        /^Entry "inner.dcm" of the zip is itself a zip/,
      ],
      ['escaping path', putZip(v, escaping), 400, /^Entry "..\/evil.dcm" of the zip has a path that could escape its folder/],
      ['absolute path', putZip(v, absolute), 400, /^Entry "\/etc\/evil.dcm" of the zip has a path that could escape its folder/],
      ['encrypted', putZip(v, encrypted), 400, /^Entry "secret.dcm" of the zip is encrypted/],
      ['ratio bomb', putZip(v, bomb), 400, /^Entry "zeros.dcm" of the zip inflates \d+ times \(20 MiB from \d+ bytes\).*a zip bomb\?/],
      [
        'lying header',
        putZip(v, lying),
        400,
        /^Entry "liar.dcm" of the zip inflates to more than the 1000 bytes it declares: its header lies/,
      ],
      [
        'huge entry',
        putZip(v, huge),
        400,
        /^Entry "huge.dcm" of the zip declares 65 MiB uncompressed, more than the 64 MiB allowed per file/,
      ],
      [
        'over total',
        putZip(v, overTotal),
        400,
        /^The zip declares more than 16384 MiB uncompressed in all \(reached at entry "f\d+.dcm"\)/,
      ],
      ['too many entries', putZip(v, tooMany), 400, /^The zip has 50001 entries, more than the 50000 one upload may hold/],
      ['only folders', putZip(v, await zipOf([{ name: 'empty/', data: Buffer.alloc(0) }])), 400, /^The zip holds no files/],
      ['too large', putZip(v, Buffer.alloc(8 * 1024 * 1024 + 1)), 413, /^A zip can be at most 8 MiB \(DATASET_ZIP_MAX_MB\)/],
      ['wrong checksum', putZip(v, plain, researcher, { 'x-checksum-sha256': 'c'.repeat(64) }), 400, /sha256/],
      ['viewer', putZip(v, plain, viewer), 403, /permission/],
      ['unknown version', putZip('00000000-0000-4000-8000-000000000000', plain), 404, /not found/],
    ];
    for (const [name, call, status, message] of cases) {
      const r = await call;
      expect({ name, status: r.status, message: r.body.message }).toEqual({ name, status, message: expect.stringMatching(message) });
      if (status === 400 && name !== 'wrong checksum')
        expect({ name, nothing: r.body.message }).toEqual({ name, nothing: expect.stringMatching(/Nothing was stored\.$/) });
    }
    expect(await itemCount(v)).toBe(1);
    expect(await objectCount()).toBe(objectsBefore);
    // A sealed version refuses a zip before reading it.
    await gqlOk(
      api,
      pi,
      `mutation($v: ID!) { sealDatasetVersion(input: { versionId: $v, deidMethod: "test", deidSummary: "test" }) { id } }`,
      {
        v,
      },
    );
    const sealed = await putZip(v, await zipOf([good()]));
    expect({ status: sealed.status, message: sealed.body.message }).toEqual({
      status: 409,
      message: expect.stringMatching(/is sealed: build a new version from it instead/),
    });
    expect(await itemCount(v)).toBe(1);
  }, 120000);

  describe('label files', () => {
    let v: string;
    let sops: string[];
    const labels = async () =>
      (await owner.query(`SELECT item_key, label FROM dataset_items WHERE version_id = $1 ORDER BY item_key`, [v])).rows as {
        item_key: string;
        label: string | null;
      }[];
    const putLabels = (body: string | Buffer, type = 'text/csv', auth: Auth = researcher, version = v) =>
      putVersionFile(api, auth, `${version}/labels`, body, type);

    beforeAll(async () => {
      v = await zipDraft();
      sops = [newUid(), newUid(), newUid(), newUid()].sort();
      const zip = await zipOf(
        sops.map((sop, i) => ({
          name: `${i}.dcm`,
          data: dicomVariant(sampleBytes('CT_small.dcm'), { patientId: `L-${i % 2}`, sopInstanceUid: sop }),
        })),
      );
      expect((await putZip(v, zip)).status).toBe(200);
    });

    it('labels items from a CSV or JSON file in one go, and the same file again changes nothing', async () => {
      const csv = `sop_instance_uid,label\n${sops[0]},tumour\n${sops[1]}, normal \n${sops[0]},tumour\n`;
      expect(await putLabels(csv)).toEqual({ status: 200, body: { rows: 3, labelled: 2, unchanged: 0 } });
      expect(await putLabels(csv)).toEqual({ status: 200, body: { rows: 3, labelled: 0, unchanged: 2 } });
      const json = JSON.stringify({ [sops[1]!]: 'tumour', [sops[0]!]: null, [sops[2]!]: 'normal' });
      expect(await putLabels(json, 'application/json')).toEqual({ status: 200, body: { rows: 3, labelled: 3, unchanged: 0 } });
      const list = JSON.stringify([{ sopInstanceUid: sops[3], label: 'normal' }]);
      expect(await putLabels(list, 'application/json')).toEqual({ status: 200, body: { rows: 1, labelled: 1, unchanged: 0 } });
      expect(await labels()).toEqual([
        { item_key: sops[0], label: null },
        { item_key: sops[1], label: 'tumour' },
        { item_key: sops[2], label: 'normal' },
        { item_key: sops[3], label: 'normal' },
      ]);
      const audits = await owner.query(
        `SELECT after FROM audit_events WHERE action = 'dataset_version.labels_set' AND entity_id = $1 ORDER BY seq`,
        [v],
      );
      expect(audits.rows.map((r: { after: { labelled: number; format: string } }) => [r.after.format, r.after.labelled])).toEqual([
        ['csv', 2],
        ['json', 3],
        ['json', 1],
      ]);
    });

    it('refuses a bad label file naming the rows, and changes no label', async () => {
      const before = await labels();
      const unknown = '1.2.826.0.1.3680043.99999.1';
      const n = (await owner.query(`SELECT number FROM dataset_versions WHERE id = $1`, [v])).rows[0].number as number;
      const cases: Refusal[] = [
        [
          'unknown UIDs',
          putLabels(`sop_instance_uid,label\n${sops[0]},a\n${unknown},b\n1.2.3,c\n`),
          400,
          `The labels file is refused: line 3: version ${n} has no item ${unknown}; line 4: version ${n} has no item 1.2.3. Nothing was stored.`,
        ],
        [
          'conflicting rows',
          putLabels(`sop_instance_uid,label\n${sops[0]},a\n${sops[1]},b\n${sops[0]},c\n`),
          400,
          `The labels file is refused: line 4 labels ${sops[0]} "c", but line 2 labelled it "a". Nothing was stored.`,
        ],
        [
          'malformed CSV',
          putLabels(`sop_instance_uid,label\n${sops[0]},"open\n`),
          400,
          /^The labels file is refused: it is not valid CSV: /,
        ],
        [
          'ragged CSV',
          putLabels(`sop_instance_uid,label\n${sops[0]},a,b\n`),
          400,
          /^The labels file is refused: it is not valid CSV: Invalid Record Length: .* on line 2/,
        ],
        [
          'bad header',
          putLabels(`uid;label\n${sops[0]};a\n`),
          400,
          /^The labels file is refused: line 1 \(the header\) must name sop_instance_uid or item_key and label/,
        ],
        [
          'long label',
          putLabels(`sop_instance_uid,label\n${sops[0]},${'x'.repeat(201)}\n`),
          400,
          'The labels file is refused: line 2: label is longer than 200 characters. Nothing was stored.',
        ],
        [
          'not UTF-8',
          putLabels(Buffer.from([0x73, 0x6f, 0x70, 0xff, 0xfe, 0x0a])),
          400,
          'The labels file is refused: it is not UTF-8 text. Nothing was stored.',
        ],
        [
          'bad JSON shape',
          putLabels(JSON.stringify([{ sop: sops[0], label: 'a' }]), 'application/json'),
          400,
          /^The labels file is refused: entry 1: send \[/,
        ],
        ['malformed JSON', putLabels('[{"sopInstanceUid": ', 'application/json'), 400, /^The request body could not be read as JSON/],
        ['other type', putLabels('a', 'text/plain; charset=utf-8'), 415, /./],
        [
          'xml',
          putLabels('<labels/>', 'application/xml'),
          400,
          'Send the labels file as text/csv or application/json (Content-Type). Nothing was stored.',
        ],
        ['viewer', putLabels(`sop_instance_uid,label\n${sops[0]},a\n`, 'text/csv', viewer), 403, /permission/],
      ];
      await expectRefusals(cases);
      expect(await labels()).toEqual(before);
    });
  });

  describe('segmentation masks', () => {
    // liver_1frame.dcm segments instance …23433.1 of series …23430.1 in its study.
    const seg = sampleBytes(SAMPLES.liverSeg.file);
    const segStudy = SAMPLES.liverSeg.studyInstanceUid;
    const segSeries = '1.2.392.200103.20080913.113635.1.2009.6.22.21.43.10.23430.1';
    const segSop = '1.2.392.200103.20080913.113635.2.2009.6.22.21.43.10.23433.1';
    let v: string;
    const sameStudy = newUid();
    const otherStudy = newUid();
    const masks = async () =>
      (await owner.query(`SELECT item_key, mask_key FROM dataset_items WHERE version_id = $1 ORDER BY item_key`, [v])).rows as {
        item_key: string;
        mask_key: string | null;
      }[];
    const putMask = (item: string, body: Buffer, auth: Auth = researcher) =>
      putVersionFile(api, auth, `${v}/items/${item}/mask`, body, 'application/octet-stream');

    beforeAll(async () => {
      v = await zipDraft();
      const ct = sampleBytes('CT_small.dcm');
      const zip = await zipOf([
        {
          name: 'source.dcm',
          data: dicomVariant(ct, { patientId: 'S', studyInstanceUid: segStudy, seriesInstanceUid: segSeries, sopInstanceUid: segSop }),
        },
        { name: 'same-study.dcm', data: dicomVariant(ct, { patientId: 'S', studyInstanceUid: segStudy, sopInstanceUid: sameStudy }) },
        { name: 'other-study.dcm', data: dicomVariant(ct, { patientId: 'S', sopInstanceUid: otherStudy }) },
      ]);
      expect((await putZip(v, zip)).status).toBe(200);
    });

    it('attaches a DICOM SEG of the item, a NIfTI or a PNG under its sha256, and the same mask again changes nothing', async () => {
      const first = await putMask(segSop, seg);
      expect(first).toEqual({
        status: 200,
        body: {
          itemKey: segSop,
          maskKey: `datasets/${datasetId}/masks/${sha(seg)}.dcm`,
          format: 'dicom-seg',
          sha256: sha(seg),
          size: seg.length,
          changed: true,
        },
      });
      expect((await putMask(segSop, seg)).body.changed).toBe(false);
      const nii = gzipSync(nifti([3, 4, 4, 2], 8));
      expect((await putMask(sameStudy, nii)).body).toMatchObject({
        format: 'nifti',
        maskKey: `datasets/${datasetId}/masks/${sha(nii)}.nii.gz`,
        changed: true,
      });
      const raw = nifti([2, 3, 3], 16);
      expect((await putMask(otherStudy, raw)).body).toMatchObject({
        format: 'nifti',
        maskKey: `datasets/${datasetId}/masks/${sha(raw)}.nii`,
      });
      const image = png(2, 2);
      expect((await putMask(otherStudy, image)).body).toMatchObject({
        format: 'png',
        maskKey: `datasets/${datasetId}/masks/${sha(image)}.png`,
      });
      expect(await masks()).toEqual(
        [
          { item_key: segSop, mask_key: `datasets/${datasetId}/masks/${sha(seg)}.dcm` },
          { item_key: sameStudy, mask_key: `datasets/${datasetId}/masks/${sha(nii)}.nii.gz` },
          { item_key: otherStudy, mask_key: `datasets/${datasetId}/masks/${sha(image)}.png` },
        ].sort((a, b) => (a.item_key < b.item_key ? -1 : 1)),
      );
      const stored = await api.objects.store.read(BUCKET, `datasets/${datasetId}/masks/${sha(seg)}.dcm`);
      const parts: Buffer[] = [];
      for await (const c of stored as AsyncIterable<Buffer>) parts.push(c);
      expect(sha(Buffer.concat(parts))).toBe(sha(seg));
      const audits = await owner.query(
        `SELECT before, after FROM audit_events WHERE action = 'dataset_version.mask_set' AND entity_id = $1 ORDER BY seq`,
        [v],
      );
      expect(
        audits.rows.map((r: { before: { mask: string | null }; after: { format: string } }) => [r.before.mask !== null, r.after.format]),
      ).toEqual([
        [false, 'dicom-seg'],
        [false, 'nifti'],
        [false, 'nifti'],
        [true, 'png'],
      ]);
    });

    it('refuses a mask that is not of the item or not sound, and stores nothing', async () => {
      const before = await masks();
      const maskObjects = async () => (await api.objects.store.list(BUCKET, `datasets/${datasetId}/masks/`)).length;
      const objectsBefore = await maskObjects();
      const ct = sampleBytes('CT_small.dcm');
      const good = png(3, 3);
      const badCrc = Buffer.from(good);
      badCrc[20] = 9;
      const cutNii = nifti([3, 8, 8, 8], 8).subarray(0, 352 + 100);
      const pair = nifti([2, 2, 2], 8);
      pair.write('ni1\0', 344, 'latin1');
      const gz = gzipSync(nifti([3, 4, 4, 2], 8));
      const cases: Refusal[] = [
        [
          'SEG of another study',
          putMask(otherStudy, seg),
          400,
          new RegExp(`^The mask is refused: the segmentation is of study ${segStudy.replace(/\./g, '\\.')}, but item`),
        ],
        [
          'SEG not of the item',
          putMask(sameStudy, seg),
          400,
          new RegExp(
            `^The mask is refused: the segmentation references neither SOP Instance ${sameStudy.replace(/\./g, '\\.')} nor series`,
          ),
        ],
        [
          'not a SEG',
          putMask(segSop, ct),
          400,
          'The mask is refused: it is a DICOM CT, not a segmentation (Modality SEG). Nothing was stored.',
        ],
        ['truncated SEG', putMask(segSop, seg.subarray(0, seg.length - 5000)), 400, /^The mask is refused: it is cut short/],
        [
          'NIfTI cut short',
          putMask(segSop, cutNii),
          400,
          'The mask is refused: the NIfTI image is cut short: its header declares 8×8×8 voxels of 8 bits from byte 352 (864 bytes), but the file holds 452. Nothing was stored.',
        ],
        ['NIfTI pair', putMask(segSop, pair), 400, /NIfTI pair \(.hdr\/.img\)/],
        [
          'gzip cut short',
          putMask(segSop, gz.subarray(0, gz.length - 10)),
          400,
          /^The mask is refused: the gzipped file cannot be inflated/,
        ],
        [
          'PNG bad CRC',
          putMask(segSop, badCrc),
          400,
          'The mask is refused: the PNG header chunk (IHDR) fails its CRC: the file is corrupt. Nothing was stored.',
        ],
        [
          'PNG cut short',
          putMask(segSop, good.subarray(0, good.length - 12)),
          400,
          'The mask is refused: the PNG is cut short: it does not end with its IEND chunk. Nothing was stored.',
        ],
        [
          'unknown format',
          putMask(segSop, Buffer.from('P5 2 2 255 ....')),
          400,
          'The mask is refused: it is neither a DICOM SEG, a NIfTI file (.nii, .nii.gz) nor a PNG. Nothing was stored.',
        ],
        ['unknown item', putMask('1.2.3.4', good), 404, /^Item 1\.2\.3\.4 of version \d+ was not found/],
        ['viewer', putMask(segSop, good, viewer), 403, /permission/],
      ];
      await expectRefusals(cases);
      expect(await masks()).toEqual(before);
      expect(await maskObjects()).toBe(objectsBefore);
    });
  });
});

/** A single-file NIfTI-1 (little endian, magic n+1): header, 4 bytes of extension flag, then the voxels (all 1). */
function nifti(dims: number[], bitpix: number): Buffer {
  const header = Buffer.alloc(352);
  header.writeInt32LE(348, 0);
  dims.forEach((d, i) => header.writeInt16LE(d, 40 + 2 * i));
  header.writeInt16LE(bitpix === 8 ? 2 : 4, 70);
  header.writeInt16LE(bitpix, 72);
  header.writeFloatLE(352, 108);
  header.write('n+1\0', 344, 'latin1');
  const voxels = dims.slice(1).reduce((a, b) => a * b, 1);
  return Buffer.concat([header, Buffer.alloc((voxels * bitpix) / 8, 1)]);
}

/** A greyscale 8-bit PNG, every pixel 1. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  const rows = Buffer.concat(Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(width, 1)])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
