/**
 * Real DICOM files for tests: Debian's python3-pydicom ships them. What each holds (as pydicom
 * reads it, an independent reader) is listed here, so tests compare what Orthanc and dcmjs report
 * against it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const PYDICOM_TEST_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

export interface SampleFile {
  file: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  modality: string;
  patientId: string;
  studyDate?: string;
  studyDescription?: string;
  seriesDescription?: string;
  bodyPartExamined?: string;
  rows: number;
  columns: number;
}

export const SAMPLES = {
  ct: {
    file: 'CT_small.dcm',
    studyInstanceUid: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322',
    seriesInstanceUid: '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322',
    sopInstanceUid: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    modality: 'CT',
    patientId: '1CT1',
    studyDate: '20040119',
    studyDescription: 'e+1',
    rows: 128,
    columns: 128,
  },
  mr: {
    file: 'MR_small.dcm',
    studyInstanceUid: '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457',
    seriesInstanceUid: '1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457',
    sopInstanceUid: '1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.4',
    modality: 'MR',
    patientId: '4MR1',
    studyDate: '20040826',
    rows: 64,
    columns: 64,
  },
  liverSeg: {
    file: 'liver_1frame.dcm',
    studyInstanceUid: '1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1',
    seriesInstanceUid: '1.2.276.0.7230010.3.1.3.0.42154.1458337731.665795',
    sopInstanceUid: '1.2.276.0.7230010.3.1.4.0.42154.1458337731.665796',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.66.4',
    modality: 'SEG',
    patientId: '99000',
    studyDate: '20030417',
    seriesDescription: 'Liver Segmentation',
    rows: 512,
    columns: 512,
  },
  /** NM, JPEG 2000 encoded: retrieved untouched only when the stored transfer syntax is asked for. */
  nmJpeg2000: {
    file: 'JPEG2000.dcm',
    studyInstanceUid: '1.3.6.1.4.1.5962.1.2.8.20040826185059.5457',
    seriesInstanceUid: '1.3.6.1.4.1.5962.1.3.8.1.20040826185059.5457',
    sopInstanceUid: '1.3.6.1.4.1.5962.1.1.8.1.3.20040826185059.5457',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.7',
    modality: 'NM',
    patientId: '8NM1',
    studyDate: '20040826',
    studyDescription: 'Whole Body Bone',
    bodyPartExamined: 'WHOLE BODY',
    rows: 1024,
    columns: 256,
  },
  /** Implicit VR Little Endian, 15 frames. */
  rtDose: {
    file: 'rtdose.dcm',
    studyInstanceUid: '1.2.999.999.99.9.9999.8888',
    seriesInstanceUid: '1.2.777.777.77.7.7777.7777',
    sopInstanceUid: '1.9.999.999.99.9.9999.9999.20030818153516',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.481.2',
    modality: 'RTDOSE',
    patientId: 'id11111',
    studyDate: '20030805',
    rows: 10,
    columns: 10,
  },
} satisfies Record<string, SampleFile>;

export type SampleName = keyof typeof SAMPLES;

export function samplePath(fileName: string): string {
  const file = path.join(PYDICOM_TEST_FILES, fileName);
  if (!existsSync(file))
    throw new Error(`${file} is missing: the tests' DICOM samples come from Debian's python3-pydicom (apt-get install python3-pydicom)`);
  return file;
}

export function sampleBytes(fileName: string): Buffer {
  return readFileSync(samplePath(fileName));
}
