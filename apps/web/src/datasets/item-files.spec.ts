import { describeLabelsResult, describeSplitsResult, labelsContentType, splitsResultLines } from './item-files';

describe('label and split files', () => {
  it('sends a labels file as JSON when it is one, by type or name, and as CSV otherwise', () => {
    expect(labelsContentType({ name: 'labels.json', type: '' })).toBe('application/json');
    expect(labelsContentType({ name: 'LABELS.JSON', type: '' })).toBe('application/json');
    expect(labelsContentType({ name: 'labels', type: 'application/json' })).toBe('application/json');
    expect(labelsContentType({ name: 'labels.csv', type: 'text/csv' })).toBe('text/csv');
    expect(labelsContentType({ name: 'labels.txt', type: 'text/plain' })).toBe('text/csv');
  });

  it('says what a labels file changed, as the server counted it', () => {
    expect(describeLabelsResult({ rows: 6, labelled: 4, unchanged: 2 })).toBe('4 items labelled, 2 unchanged (6 rows).');
    expect(describeLabelsResult({ rows: 1, labelled: 1, unchanged: 0 })).toBe('1 item labelled, 0 unchanged (1 row).');
    expect(describeLabelsResult({ rows: 1200, labelled: 0, unchanged: 1200 })).toBe('0 items labelled, 1,200 unchanged (1,200 rows).');
  });

  const splits = {
    rows: 3,
    patients: 3,
    changed: 4,
    splits: { train: { patients: 1, items: 2 }, val: { patients: 2, items: 4 }, test: { patients: 0, items: 0 } },
    unplaced: { patients: 0, items: 0 },
  };

  it('says what a split file placed, and the patients and items per split after it', () => {
    expect(describeSplitsResult(splits)).toBe('3 patients placed, 4 items moved to another split (3 rows).');
    expect(splitsResultLines(splits)).toEqual([
      'Train: 1 patient, 2 items',
      'Validation: 2 patients, 4 items',
      'Test: 0 patients, 0 items',
    ]);
  });

  it('lists the patients in no split yet only when there are some', () => {
    expect(splitsResultLines({ ...splits, unplaced: { patients: 1, items: 1 } }).at(-1)).toBe('Not placed: 1 patient, 1 item');
  });
});
