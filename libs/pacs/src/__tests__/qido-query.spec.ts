import { buildInstanceQuery, buildSeriesQuery, buildStudyQuery, dateRange, instancePath, queryString } from '../qido-query';
import { PacsError } from '../pacs-error';

const query = (q: { path: string; params: URLSearchParams }) => ({ path: q.path, params: [...q.params.entries()] });

describe('QIDO-RS query building', () => {
  it('builds a study query with every filter, the records’ fields and the default limit', () => {
    expect(
      query(
        buildStudyQuery(
          {
            modalities: ['CT', 'MR'],
            studyDate: { from: '20240101', to: '20241231' },
            studyDescription: '*liver*',
            patientId: 'P?01',
            studyInstanceUid: ['1.2.3', '1.2.4'],
            includeFields: ['AccessionNumber', '00081032'],
          },
          1000,
        ),
      ),
    ).toEqual({
      path: 'studies',
      params: [
        ['StudyInstanceUID', '1.2.3,1.2.4'],
        ['PatientID', 'P?01'],
        ['ModalitiesInStudy', 'CT,MR'],
        ['StudyDate', '20240101-20241231'],
        ['StudyDescription', '*liver*'],
        ...['00081030', '00080061', '00201206', '00201208', '00100020', '00080020', '00080050', '00081032'].map((f) => ['includefield', f]),
        ['limit', '100'],
      ],
    });
  });

  it('scopes series and instance queries to their study and series in the path', () => {
    const series = buildSeriesQuery(
      { studyInstanceUid: '1.2.3', bodyPartExamined: 'CHEST', seriesDescription: 'AX*', modality: 'CT', limit: 5, offset: 10 },
      1000,
    );
    expect(series.path).toBe('studies/1.2.3/series');
    expect(Object.fromEntries([...series.params].filter(([k]) => k !== 'includefield'))).toEqual({
      Modality: 'CT',
      SeriesDescription: 'AX*',
      BodyPartExamined: 'CHEST',
      limit: '5',
      offset: '10',
    });
    expect(series.params.getAll('includefield')).toEqual(['0020000D', '00100020', '00080020', '0008103E', '00180015', '00201209']);
    expect(buildSeriesQuery({ studyDate: { from: '20240101' } }, 10).path).toBe('series');
    expect(buildSeriesQuery({ studyDate: { from: '20240101' } }, 10).params.get('StudyDate')).toBe('20240101-');
    expect(buildInstanceQuery({ studyInstanceUid: '1.2', seriesInstanceUid: '1.3' }, 10).path).toBe('studies/1.2/series/1.3/instances');
    expect(buildInstanceQuery({ studyInstanceUid: '1.2' }, 10).path).toBe('studies/1.2/instances');
    expect(buildInstanceQuery({}, 10).path).toBe('instances');
    expect(instancePath({ studyInstanceUid: '1.2', seriesInstanceUid: '1.3', sopInstanceUid: '1.4' })).toBe(
      'studies/1.2/series/1.3/instances/1.4',
    );
  });

  it('writes date ranges as DICOM range matching', () => {
    expect(dateRange('d', { from: '20240101', to: '20240131' })).toBe('20240101-20240131');
    expect(dateRange('d', { from: '20240101' })).toBe('20240101-');
    expect(dateRange('d', { to: '20240131' })).toBe('-20240131');
    expect(dateRange('d', { from: '20240229', to: '20240229' })).toBe('20240229');
  });

  it.each([
    [() => buildStudyQuery({ studyDate: { from: '2024-01-01' } }, 100), /studyDate\.from: "2024-01-01" is not a date in the form YYYYMMDD/],
    [() => buildStudyQuery({ studyDate: { from: '20230229' } }, 100), /studyDate\.from: "20230229" is not a date/],
    [
      () => buildStudyQuery({ studyDate: { from: '20240201', to: '20240101' } }, 100),
      /studyDate: the start 20240201 is after the end 20240101/,
    ],
    [() => buildStudyQuery({ studyDate: {} }, 100), /studyDate: give a start/],
    [() => buildStudyQuery({ studyDescription: 'liver, kidney' }, 100), /studyDescription: must not contain "\\" or ","/],
    [() => buildStudyQuery({ studyDescription: 'a\\b' }, 100), /studyDescription: must not contain/],
    [() => buildStudyQuery({ studyDescription: ' ' }, 100), /studyDescription: empty/],
    [() => buildStudyQuery({ studyDescription: 'x'.repeat(65) }, 100), /longer than 64 characters/],
    [() => buildStudyQuery({ modalities: [] }, 100), /modalities: an empty list matches nothing/],
    [() => buildStudyQuery({ modalities: ['ct'] }, 100), /modalities: "ct" is not a modality code/],
    [() => buildStudyQuery({ studyInstanceUid: '1.2.x' }, 100), /studyInstanceUid: "1.2.x" is not a DICOM UID/],
    [() => buildStudyQuery({ limit: 1001 }, 1000), /limit: 1001 is not a whole number from 1 to 1000/],
    [() => buildStudyQuery({ limit: 0 }, 1000), /limit: 0 is not/],
    [() => buildStudyQuery({ offset: -1 }, 1000), /offset: -1 is not/],
    [() => buildStudyQuery({ includeFields: ['00-08'] }, 1000), /includeFields: "00-08" is neither/],
    [() => buildInstanceQuery({ seriesInstanceUid: '1.2' }, 1000), /seriesInstanceUid: give studyInstanceUid too/],
    [
      () => instancePath({ studyInstanceUid: '1.2', seriesInstanceUid: '../x', sopInstanceUid: '1' }),
      /seriesInstanceUid: "..\/x" is not a DICOM UID/,
    ],
  ])('refuses bad input before sending anything (%#)', (build, message) => {
    let thrown: unknown;
    try {
      build();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PacsError);
    expect(thrown).toMatchObject({ code: 'INVALID_QUERY', message: expect.stringMatching(message) });
  });

  it('caps the default limit at the client’s maximum', () => {
    expect(buildStudyQuery({}, 20).params.get('limit')).toBe('20');
    expect(buildStudyQuery({}, 20).limit).toBe(20);
  });
});

describe('queryString', () => {
  it('writes spaces as %20 and a literal plus as %2B, never as +', () => {
    const q = buildSeriesQuery({ seriesDescription: 'T1 post+contrast' }, 100);
    const text = queryString(q);
    expect(text).toContain('SeriesDescription=T1%20post%2Bcontrast');
    expect(text).not.toContain('+');
  });
});
