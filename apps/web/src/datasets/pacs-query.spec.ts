import { describeImport, EMPTY_PACS_QUERY, pacsQueryOf } from './pacs-query';

describe('pacsQueryOf', () => {
  it('takes only the filters given, modalities upper-cased and deduplicated, dates as YYYYMMDD', () => {
    expect(
      pacsQueryOf({
        ...EMPTY_PACS_QUERY,
        modalities: ' ct, MR  ct',
        studyDateFrom: '2004-01-01',
        studyDateTo: '2004-12-31',
        seriesDescription: ' CT series* ',
        bodyPartExamined: 'chest',
      }),
    ).toEqual({
      query: {
        modalities: ['CT', 'MR'],
        studyDateFrom: '20040101',
        studyDateTo: '20041231',
        seriesDescription: 'CT series*',
        bodyPartExamined: 'CHEST',
      },
    });
    expect(pacsQueryOf({ ...EMPTY_PACS_QUERY, studyDescription: 'HEAD*' })).toEqual({ query: { studyDescription: 'HEAD*' } });
  });

  it('refuses a query without a filter, naming no field', () => {
    expect(pacsQueryOf({ ...EMPTY_PACS_QUERY, modalities: ' , ' })).toEqual({
      field: null,
      error: 'Give at least one filter: a query that matches the whole PACS is refused.',
    });
  });

  it('names the field at fault', () => {
    expect(pacsQueryOf({ ...EMPTY_PACS_QUERY, modalities: 'CT, C-T' })).toEqual({
      field: 'modalities',
      error: '“C-T” is not a DICOM modality code (such as CT, MR or CR).',
    });
    expect(pacsQueryOf({ ...EMPTY_PACS_QUERY, studyDateFrom: '1/2/2004' })).toEqual({
      field: 'studyDateFrom',
      error: 'Enter a date as YYYY-MM-DD.',
    });
    expect(pacsQueryOf({ ...EMPTY_PACS_QUERY, studyDateFrom: '2005-01-01', studyDateTo: '2004-01-01' })).toEqual({
      field: 'studyDateTo',
      error: 'The end of the date range is before its start.',
    });
    expect(pacsQueryOf({ ...EMPTY_PACS_QUERY, bodyPartExamined: 'X'.repeat(17) })).toEqual({
      field: 'bodyPartExamined',
      error: 'At most 16 characters.',
    });
  });
});

describe('describeImport', () => {
  const base = { total: null, done: 0, skipped: 0, failed: 0, error: null };
  it('says where an import is, in words', () => {
    expect(describeImport({ ...base, status: 'QUEUED' })).toBe('Queued: waiting for a worker to start the import.');
    expect(describeImport({ ...base, status: 'RUNNING' })).toBe('Listing the matched instances…');
    expect(describeImport({ ...base, status: 'RUNNING', total: 1200, done: 12 })).toBe('Importing: 12 of 1,200 instances.');
    expect(describeImport({ ...base, status: 'DONE', total: 30, done: 30 })).toBe('Import finished: 30 instances imported.');
    expect(describeImport({ ...base, status: 'DONE', total: 30, done: 28, skipped: 10, failed: 2 })).toBe(
      'Import finished: 18 instances imported (10 already in the version, 2 failed).',
    );
    expect(describeImport({ ...base, status: 'FAILED', error: 'The PACS could not be queried.' })).toBe(
      'The import failed: The PACS could not be queried.',
    );
  });
});
