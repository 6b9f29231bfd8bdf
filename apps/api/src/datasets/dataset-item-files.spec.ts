/** Label and split files parsed at the edge: each bad row named with its line, good rows kept in order. */
import { parseLabelsCsv, parseLabelsJson, parseSplitsCsv } from './dataset-item-files';

describe('label and split files', () => {
  it('reads a labels CSV by SOP Instance UID or item key, an empty label clearing one', () => {
    expect(parseLabelsCsv('\ufeffSOP Instance UID,Label\r\n1.2.3, tumour \r\n\r\n1.2.4,\r\n')).toEqual([
      { at: 'line 2', itemKey: '1.2.3', label: 'tumour' },
      { at: 'line 4', itemKey: '1.2.4', label: null },
    ]);
    expect(parseLabelsCsv('item_key,label\nk1,normal\n')).toEqual([{ at: 'line 2', itemKey: 'k1', label: 'normal' }]);
  });

  it('refuses a labels CSV naming the lines that are wrong', () => {
    expect(() => parseLabelsCsv('uid,label\n1.2.3,x\n')).toThrow(
      'The labels file is refused: line 1 (the header) must name sop_instance_uid or item_key and label (e.g. "sop_instance_uid,label"); it has "uid,label". Nothing was stored.',
    );
    expect(() => parseLabelsCsv(`sop_instance_uid,label\n,x\n1.2,${'y'.repeat(201)}\n1.3,ok\n`)).toThrow(
      'The labels file is refused: line 2: sop_instance_uid is empty; line 3: label is longer than 200 characters. Nothing was stored.',
    );
    expect(() => parseLabelsCsv('sop_instance_uid,label\n1.2,"open quote\n')).toThrow(
      /^The labels file is refused: it is not valid CSV: .*line 2/,
    );
    expect(() => parseLabelsCsv('sop_instance_uid,label\n1.2,a,extra\n')).toThrow(
      /^The labels file is refused: it is not valid CSV: Invalid Record Length/,
    );
    expect(() => parseLabelsCsv('sop_instance_uid,label\n')).toThrow(
      'The labels file is refused: it has a header but no rows. Nothing was stored.',
    );
  });

  it('reads labels JSON as a list or a map, and names the bad entries', () => {
    expect(
      parseLabelsJson([
        { sopInstanceUid: '1.2', label: 'a' },
        { itemKey: 'k', label: null },
      ]),
    ).toEqual([
      { at: 'entry 1', itemKey: '1.2', label: 'a' },
      { at: 'entry 2', itemKey: 'k', label: null },
    ]);
    expect(parseLabelsJson({ '1.2': 'a', '1.3': '' })).toEqual([
      { at: 'key "1.2"', itemKey: '1.2', label: 'a' },
      { at: 'key "1.3"', itemKey: '1.3', label: null },
    ]);
    expect(() => parseLabelsJson([{ sopInstanceUid: '1.2', label: 'a' }, { sopInstanceUid: '1.3', label: 7 }, { uid: '1.4' }])).toThrow(
      'The labels file is refused: entry 2: send [{"sopInstanceUid": "…", "label": "…"}] or {"<SOP Instance UID>": "<label>"}; entry 3: send [{"sopInstanceUid": "…", "label": "…"}] or {"<SOP Instance UID>": "<label>"}. Nothing was stored.',
    );
    expect(() => parseLabelsJson({ '1.2': 'x'.repeat(201) })).toThrow(
      'The labels file is refused: key "1.2": label is longer than 200 characters. Nothing was stored.',
    );
    expect(() => parseLabelsJson('labels')).toThrow(/^The labels file is refused: the body is neither a list nor a map of labels/);
    expect(() => parseLabelsJson({})).toThrow('The labels file is refused: it has no entries. Nothing was stored.');
  });

  it('reads a split CSV by SOP Instance UID or study, refusing unknown splits by line', () => {
    expect(parseSplitsCsv('study_instance_uid,split\n1.2,Train\n1.3,test\n')).toEqual({
      by: 'study_instance_uid',
      rows: [
        { at: 'line 2', key: '1.2', split: 'train' },
        { at: 'line 3', key: '1.3', split: 'test' },
      ],
    });
    expect(() => parseSplitsCsv('sop_instance_uid,split\n1.2,training\n1.3,val\n,test\n')).toThrow(
      'The split file is refused: line 2: split must be one of train, val, test (got "training"); line 4: sop_instance_uid is empty. Nothing was stored.',
    );
    expect(() => parseSplitsCsv('sop_instance_uid,study_instance_uid,split\n1,2,train\n')).toThrow(
      /line 1 \(the header\) must name sop_instance_uid or study_instance_uid and split/,
    );
  });
});
