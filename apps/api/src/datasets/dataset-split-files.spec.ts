import type { ItemRef } from '@caliper/datasets';
import { parseSplitsCsv } from './dataset-item-files';
import { patientSplitsFromRows } from './dataset-split-files';

const P1 = '1'.repeat(64);
const P2 = '2'.repeat(64);
const item = (itemKey: string, studyUid: string, patientKey: string): ItemRef => ({
  itemKey,
  studyUid,
  seriesUid: `${studyUid}.9`,
  sopUid: itemKey,
  patientKey,
  sha256: '0'.repeat(64),
  label: null,
  split: null,
  maskKey: null,
});
// Patient 1 has two studies (two instances in the first), patient 2 one.
const ITEMS = [item('1.1.1', '1.1', P1), item('1.1.2', '1.1', P1), item('1.2.1', '1.2', P1), item('2.1.1', '2.1', P2)];

describe('split file rows placing patients', () => {
  it('places the patient of each study or instance, once per patient, remembering the first row', () => {
    const byStudy = parseSplitsCsv('study_instance_uid,split\n1.1,train\n1.2,train\n2.1,test\n1.1,train\n');
    expect(patientSplitsFromRows(byStudy.by, byStudy.rows, ITEMS, 3)).toEqual(
      new Map([
        [P1, { split: 'train', at: 'line 2', key: '1.1' }],
        [P2, { split: 'test', at: 'line 4', key: '2.1' }],
      ]),
    );
    const bySop = parseSplitsCsv('sop_instance_uid,split\n2.1.1,val\n1.1.2,test\n');
    expect(patientSplitsFromRows(bySop.by, bySop.rows, ITEMS, 3)).toEqual(
      new Map([
        [P2, { split: 'val', at: 'line 2', key: '2.1.1' }],
        [P1, { split: 'test', at: 'line 3', key: '1.1.2' }],
      ]),
    );
  });

  it('refuses a patient in two splits naming both rows, unknown keys and a key listed two ways', () => {
    const twoStudies = parseSplitsCsv('study_instance_uid,split\n1.1,train\n2.1,val\n1.2,test\n');
    expect(() => patientSplitsFromRows(twoStudies.by, twoStudies.rows, ITEMS, 3)).toThrow(
      'The split file is refused: line 4 puts study 1.2 in test, but line 2 put study 1.1 in train: both are of patient 111111111111…, and a patient is in one split only. Nothing was stored.',
    );
    const twoInstances = parseSplitsCsv('sop_instance_uid,split\n1.1.1,val\n1.1.2,train\n');
    expect(() => patientSplitsFromRows(twoInstances.by, twoInstances.rows, ITEMS, 3)).toThrow(
      /^The split file is refused: line 3 puts instance 1\.1\.2 in train, but line 2 put instance 1\.1\.1 in val: both are of patient 1{12}…/,
    );
    const unknown = parseSplitsCsv('sop_instance_uid,split\n1.1.1,val\n9.9,train\n1.1.1,test\n');
    expect(() => patientSplitsFromRows(unknown.by, unknown.rows, ITEMS, 3)).toThrow(
      'The split file is refused: line 4 puts instance 1.1.1 in test, but line 2 put it in val; line 3: version 3 has no item 9.9. Nothing was stored.',
    );
    const unknownStudy = parseSplitsCsv('study_instance_uid,split\n1.1.1,val\n');
    expect(() => patientSplitsFromRows(unknownStudy.by, unknownStudy.rows, ITEMS, 3)).toThrow(
      'The split file is refused: line 2: version 3 has no study 1.1.1. Nothing was stored.',
    );
  });
});
