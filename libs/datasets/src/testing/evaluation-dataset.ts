/**
 * Sealed dataset versions for evaluation tests: real DICOM CT slices (written by dcmjs, Explicit VR
 * Little Endian unless told otherwise, stored values = HU + 1024 with RescaleIntercept -1024),
 * optional PNG masks and labels, stored in the datasets bucket under their sha256 as the upload
 * path stores them, and the version's rows written as a sealed version has them (items, then the
 * seal with a manifest in the bucket). Used by the evaluation job's test, its benchmark and the
 * end-to-end promotion test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type { DataSource, EntityManager } from 'typeorm';
import type { ObjectStore } from '@caliper/storage';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped package
const dcmjs = require('dcmjs') as {
  data: { DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(): ArrayBuffer } };
};

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

const uid = () => `2.25.${BigInt('0x' + randomBytes(16).toString('hex')).toString()}`;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A width × height CT slice whose Hounsfield value at (x, y) is `hu(x, y)`, as a DICOM Part-10 file. */
export function ctSlice(
  width: number,
  height: number,
  hu: (x: number, y: number) => number,
  opts: { patientId?: string; transferSyntaxUid?: string } = {},
): Buffer {
  const stored = new Int16Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) stored[y * width + x] = Math.round(hu(x, y)) + 1024;
  const sop = uid();
  const dict = new dcmjs.data.DicomDict({
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: [CT_IMAGE_STORAGE] },
    '00020003': { vr: 'UI', Value: [sop] },
    '00020010': { vr: 'UI', Value: [opts.transferSyntaxUid ?? EXPLICIT_VR_LITTLE_ENDIAN] },
    '00020012': { vr: 'UI', Value: ['2.25.1465'] },
  });
  const v = (vr: string, value: unknown) => ({ vr, Value: [value] });
  dict.dict = {
    '00080016': v('UI', CT_IMAGE_STORAGE),
    '00080018': v('UI', sop),
    '00080060': v('CS', 'CT'),
    '00100010': v('PN', `Test^${opts.patientId ?? 'P'}`),
    '00100020': v('LO', opts.patientId ?? 'P'),
    '0020000D': v('UI', uid()),
    '0020000E': v('UI', uid()),
    '00280002': v('US', 1),
    '00280004': v('CS', 'MONOCHROME2'),
    '00280010': v('US', height),
    '00280011': v('US', width),
    '00280100': v('US', 16),
    '00280101': v('US', 16),
    '00280102': v('US', 15),
    '00280103': v('US', 1),
    '00281052': v('DS', '-1024'),
    '00281053': v('DS', '1'),
    '7FE00010': { vr: 'OW', Value: [stored.buffer] },
  };
  return Buffer.from(dict.write());
}

/** An 8-bit greyscale PNG of `value(x, y)` (a mask: 0 background, else a label index or 255). */
export function pngMask(width: number, height: number, value: (x: number, y: number) => number): Buffer {
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = value(x, y);
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface EvaluationItem {
  /** A DICOM file (ctSlice). */
  dicom: Buffer;
  split?: 'train' | 'val' | 'test';
  label?: string | null;
  /** A mask file (pngMask), stored as the upload path stores masks. */
  mask?: Buffer | null;
  patientKey?: string;
}

export interface SealedEvaluationDataset {
  datasetId: string;
  versionId: string;
  name: string;
  manifestSha256: string;
  items: { itemKey: string; objectKey: string; sha256: string; maskKey: string | null; split: string }[];
}

/**
 * A new dataset in `projectId` with one version holding `items`, sealed (unless `sealed: false`):
 * objects written to `bucket` (which must exist), rows through `db` (the application's role may
 * write dataset rows; a sealed version's triggers then refuse any change).
 */
export async function createSealedEvaluationDataset(
  db: DataSource | EntityManager,
  store: ObjectStore,
  opts: { bucket: string; projectId: string; userId: string; name: string; items: readonly EvaluationItem[]; sealed?: boolean },
): Promise<SealedEvaluationDataset> {
  const [dataset] = (await db.query(`INSERT INTO datasets (project_id, name, created_by) VALUES ($1, $2, $3) RETURNING id`, [
    opts.projectId,
    opts.name,
    opts.userId,
  ])) as { id: string }[];
  const [version] = (await db.query(
    `INSERT INTO dataset_versions (dataset_id, number, state, split_seed, split_ratios, created_by, source)
     VALUES ($1, 1, 'draft', 'eval', '{"train": 0, "val": 0, "test": 1}', $2, '{"kind": "upload"}') RETURNING id`,
    [dataset!.id, opts.userId],
  )) as { id: string }[];
  const items: SealedEvaluationDataset['items'] = [];
  for (const [i, item] of opts.items.entries()) {
    const digest = sha256(item.dicom);
    const objectKey = `datasets/${dataset!.id}/objects/${digest}.dcm`;
    await store.putObject(opts.bucket, objectKey, item.dicom, { size: item.dicom.length, contentType: 'application/dicom' });
    let maskKey: string | null = null;
    if (item.mask) {
      maskKey = `datasets/${dataset!.id}/masks/${sha256(item.mask)}.png`;
      await store.putObject(opts.bucket, maskKey, item.mask, { size: item.mask.length, contentType: 'application/octet-stream' });
    }
    items.push({ itemKey: `item-${String(i).padStart(5, '0')}`, objectKey, sha256: digest, maskKey, split: item.split ?? 'test' });
    await db.query(
      `INSERT INTO dataset_items (version_id, item_key, object_key, modality, sha256, size_bytes, patient_key, split, label, mask_key)
       VALUES ($1, $2, $3, 'CT', $4, $5, $6, $7, $8, $9)`,
      [
        version!.id,
        items[i]!.itemKey,
        objectKey,
        digest,
        item.dicom.length,
        item.patientKey ?? `patient-${i}`,
        item.split ?? 'test',
        item.label ?? null,
        maskKey,
      ],
    );
  }
  const manifest = Buffer.from(JSON.stringify({ dataset: opts.name, version: 1, items }));
  const manifestSha256 = sha256(manifest);
  const manifestKey = `datasets/${dataset!.id}/versions/${version!.id}/manifest.json`;
  await store.putObject(opts.bucket, manifestKey, manifest, { size: manifest.length, contentType: 'application/json' });
  if (opts.sealed !== false)
    await db.query(
      `UPDATE dataset_versions SET state = 'sealed', sealed_at = now(), sealed_by = $2, manifest_key = $3, manifest_sha256 = $4,
         item_count = $5, patient_count = $5, deid_method = 'synthetic test data', deid_attested_by = $2, deid_attested_at = now()
       WHERE id = $1`,
      [version!.id, opts.userId, manifestKey, manifestSha256, opts.items.length],
    );
  return { datasetId: dataset!.id, versionId: version!.id, name: opts.name, manifestSha256, items };
}
