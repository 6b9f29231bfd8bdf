/**
 * dcmjs (the DICOM library Caliper reads Part-10 files with) ships no types: the part of it this
 * library uses, typed here once.
 */
export interface DicomElement {
  vr: string;
  Value?: unknown[];
}
export interface DicomDict {
  meta: Record<string, DicomElement>;
  dict: Record<string, DicomElement>;
}
/** loglevel loggers; dcmjs reports problems it reads past (a value cut short) on "validation.dcmjs". */
export interface DcmjsLogger {
  warn: (...message: unknown[]) => void;
  error: (...message: unknown[]) => void;
}
/** dcmjs's reader over a buffer: strings are read through these two, which stop quietly at the end of the data. */
export interface DcmjsBufferStream {
  offset: number;
  view: { byteLength: number };
  readAsciiString(length: number): string;
  readEncodedString(length: number): string;
}
interface Dcmjs {
  data: {
    ReadBufferStream: { prototype: DcmjsBufferStream };
    DicomMessage: { readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string | null }): DicomDict };
    DicomMetaDictionary: {
      naturalizeDataset(dataset: Record<string, DicomElement>): Record<string, unknown>;
      /** Keyed by "(GGGG,EEEE)", hex digits upper-case. */
      dictionary: Record<string, { vr: string } | undefined>;
    };
  };
  log: { getLogger(name: string): DcmjsLogger };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped package, typed by the interface above
export const dcmjs = require('dcmjs') as Dcmjs;
