import { asDatasets, decodeInstance, decodeSeries, decodeStoreResponse, decodeStudy } from '../dicom-json';
import { PacsError } from '../pacs-error';

describe('DICOM JSON model decoding (PS3.18 F.2)', () => {
  it('decodes a study: person names, multi-valued CS, numbers as numbers or strings, empty attributes left out', () => {
    const [ds] = asDatasets([
      {
        '0020000D': { vr: 'UI', Value: ['1.2.840.1'] },
        '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
        '00100020': { vr: 'LO', Value: ['P-001'] },
        '00080020': { vr: 'DA', Value: ['20240131'] },
        '00080050': { vr: 'SH' },
        '00081030': { vr: 'LO', Value: ['CT ABDOMEN '] },
        '00080061': { vr: 'CS', Value: ['CT', 'SEG', null] },
        '00201206': { vr: 'IS', Value: [3] },
        '00201208': { vr: 'IS', Value: ['42'] },
        '00081190': { vr: 'UR', Value: ['http://pacs/dicom-web/studies/1.2.840.1'] },
      },
    ]);
    expect(decodeStudy(ds!)).toEqual({
      studyInstanceUid: '1.2.840.1',
      patientName: 'Doe^Jane',
      patientId: 'P-001',
      studyDate: '20240131',
      studyDescription: 'CT ABDOMEN',
      modalitiesInStudy: ['CT', 'SEG'],
      numberOfSeries: 3,
      numberOfInstances: 42,
      retrieveUrl: 'http://pacs/dicom-web/studies/1.2.840.1',
    });
  });

  it('reads tags in lower-case hex as servers other than Orthanc write them', () => {
    const [ds] = asDatasets([
      { '0020000d': { vr: 'UI', Value: ['1.2'] }, '0020000e': { vr: 'UI', Value: ['1.3'] }, '0008103e': { vr: 'LO', Value: ['AX T1'] } },
    ]);
    expect(decodeSeries(ds!)).toEqual({ studyInstanceUid: '1.2', seriesInstanceUid: '1.3', seriesDescription: 'AX T1' });
  });

  it('takes the study (and series) of a scoped query when the server leaves them out', () => {
    const [series] = asDatasets([{ '0020000E': { vr: 'UI', Value: ['1.3'] }, '00180015': { vr: 'CS', Value: ['LIVER'] } }]);
    expect(decodeSeries(series!, 'GET x', '1.2')).toEqual({ studyInstanceUid: '1.2', seriesInstanceUid: '1.3', bodyPartExamined: 'LIVER' });
    const [instance] = asDatasets([
      {
        '00080018': { vr: 'UI', Value: ['1.4'] },
        '00280010': { vr: 'US', Value: [512] },
        '00280011': { vr: 'US', Value: [256] },
        '00280008': { vr: 'IS', Value: ['15'] },
      },
    ]);
    expect(decodeInstance(instance!, 'GET x', { studyInstanceUid: '1.2', seriesInstanceUid: '1.3' })).toEqual({
      studyInstanceUid: '1.2',
      seriesInstanceUid: '1.3',
      sopInstanceUid: '1.4',
      rows: 512,
      columns: 256,
      numberOfFrames: 15,
    });
  });

  it('refuses answers that are not the JSON model, naming the request', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(PacsError);
        return `${(err as PacsError).code}: ${(err as PacsError).message}`;
      }
      throw new Error('did not throw');
    };
    expect(code(() => asDatasets({ error: 'x' }, 'GET http://pacs/studies'))).toBe(
      'BAD_RESPONSE: expected a JSON array of DICOM datasets (GET http://pacs/studies)',
    );
    expect(code(() => asDatasets([{ StudyInstanceUID: '1.2' }]))).toBe(
      'BAD_RESPONSE: dataset 0 has a key that is not a tag: "StudyInstanceUID"',
    );
    expect(code(() => asDatasets([{ '0020000D': '1.2' }]))).toBe('BAD_RESPONSE: dataset 0 attribute 0020000D has no VR');
    expect(code(() => decodeStudy(asDatasets([{ '00100020': { vr: 'LO', Value: ['P'] } }])[0]!, 'GET u'))).toBe(
      'BAD_RESPONSE: the PACS answered a dataset without StudyInstanceUID (0020000D) (GET u)',
    );
    expect(
      code(() => decodeStudy(asDatasets([{ '0020000D': { vr: 'UI', Value: ['1.2'] }, '00201208': { vr: 'IS', Value: ['many'] } }])[0]!)),
    ).toBe('BAD_RESPONSE: attribute 00201208 is not a number: "many"');
  });

  it('decodes a STOW-RS answer into stored and refused instances', () => {
    const [ds] = asDatasets([
      {
        '00081190': { vr: 'UR', Value: ['http://pacs/dicom-web/studies/1.2'] },
        '00081198': {
          vr: 'SQ',
          Value: [
            {
              '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.4'] },
              '00081155': { vr: 'UI', Value: ['1.9'] },
              '00081197': { vr: 'US', Value: [43264] },
            },
          ],
        },
        '00081199': {
          vr: 'SQ',
          Value: [
            {
              '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
              '00081155': { vr: 'UI', Value: ['1.8'] },
              '00081190': { vr: 'UR', Value: ['http://pacs/dicom-web/studies/1.2/series/1.3/instances/1.8'] },
            },
          ],
        },
      },
    ]);
    expect(decodeStoreResponse(ds!)).toEqual({
      stored: [
        {
          sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
          sopInstanceUid: '1.8',
          retrieveUrl: 'http://pacs/dicom-web/studies/1.2/series/1.3/instances/1.8',
        },
      ],
      failed: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.4', sopInstanceUid: '1.9', failureReason: 43264 }],
    });
    // Orthanc writes an empty FailedSOPSequence as an attribute without Value.
    expect(decodeStoreResponse(asDatasets([{ '00081198': { vr: 'SQ' } }])[0]!)).toEqual({ stored: [], failed: [] });
  });
});
