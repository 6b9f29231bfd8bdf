/**
 * What a DICOM Segmentation (SEG) says it segments: the series and instances it references, from
 * the Common Instance Reference module (ReferencedSeriesSequence) and the per-frame derivation
 * (SourceImageSequence), so a mask can be checked against the item it is attached to.
 */
import { dcmjs } from './dcmjs';
import { DicomIdentity, readDicomIdentity } from './dicom-file';

export interface SegReferences {
  identity: DicomIdentity;
  /** SeriesInstanceUIDs of ReferencedSeriesSequence. */
  series: string[];
  /** ReferencedSOPInstanceUIDs, from the series references and the frames' source images. */
  instances: string[];
}

type Natural = Record<string, unknown>;
const list = (v: unknown): Natural[] => (Array.isArray(v) ? (v as Natural[]) : v && typeof v === 'object' ? [v as Natural] : []);
const uid = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.replace(/\0/g, '').trim() : null);

/** Reads a Part-10 file's identity (refused as readDicomIdentity refuses) and the images it references. */
export function readSegReferences(bytes: Uint8Array, name = 'the file'): SegReferences {
  const identity = readDicomIdentity(bytes, name);
  const own = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const n = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(own).dict);
  const series = new Set<string>();
  const instances = new Set<string>();
  for (const s of list(n.ReferencedSeriesSequence)) {
    const u = uid(s.SeriesInstanceUID);
    if (u) series.add(u);
    for (const i of list(s.ReferencedInstanceSequence)) {
      const r = uid(i.ReferencedSOPInstanceUID);
      if (r) instances.add(r);
    }
  }
  for (const frame of list(n.PerFrameFunctionalGroupsSequence))
    for (const d of list(frame.DerivationImageSequence))
      for (const src of list(d.SourceImageSequence)) {
        const r = uid(src.ReferencedSOPInstanceUID);
        if (r) instances.add(r);
      }
  return { identity, series: [...series], instances: [...instances] };
}
