import { cardValues, readCardForm, serverCardErrors, type CardValues } from './model-card-form';

const EMPTY: CardValues = {
  intendedUse: '',
  outOfScopeUse: '',
  trainingData: '',
  validationData: '',
  metrics: [],
  subgroups: [],
  limitations: '',
  changes: '',
};

describe('model card form', () => {
  it('reads lists a line each, numbers as typed, empty numbers as null, and leaves empty rows out', () => {
    const read = readCardForm({
      ...EMPTY,
      intendedUse: 'Volumetry',
      trainingData: ' brain-ct v3 \n\nbrats v1\n',
      metrics: [
        { name: 'dice', value: ' 0.87 ', threshold: '0.8' },
        { name: '', value: '', threshold: '' },
        { name: 'hd95', value: '', threshold: '' },
      ],
      subgroups: [{ group: 'age >= 65', metric: 'dice', value: '1e-1' }],
    });
    expect(read).toEqual({
      ok: true,
      card: {
        ...EMPTY,
        intendedUse: 'Volumetry',
        trainingData: ['brain-ct v3', 'brats v1'],
        validationData: [],
        metrics: [
          { name: 'dice', value: 0.87, threshold: 0.8 },
          { name: 'hd95', value: null, threshold: null },
        ],
        subgroups: [{ group: 'age >= 65', metric: 'dice', value: 0.1 }],
      },
    });
  });

  it('names each row field that cannot be read, by the row as shown', () => {
    const read = readCardForm({
      ...EMPTY,
      metrics: [
        { name: '', value: '', threshold: '' },
        { name: '', value: 'high', threshold: '0,8' },
      ],
      subgroups: [{ group: 'x', metric: '', value: '' }],
    });
    expect(read).toEqual({
      ok: false,
      errors: {
        'metrics.1.name': 'Name the metric.',
        'metrics.1.value': 'Must be a number.',
        'metrics.1.threshold': 'Must be a number.',
        'subgroups.0.metric': 'Name the metric.',
        'subgroups.0.value': 'Must be a number.',
      },
    });
  });

  it('round-trips a card through the form values', () => {
    const card = {
      intendedUse: 'a',
      outOfScopeUse: 'b',
      trainingData: ['d1', 'd2'],
      validationData: ['v1'],
      metrics: [{ name: 'dice', value: 0.9, threshold: null }],
      subgroups: [{ group: 'g', metric: 'dice', value: 0.8 }],
      limitations: 'l',
      changes: 'c',
    };
    expect(readCardForm(cardValues(card))).toEqual({ ok: true, card });
  });

  it("puts the server's problems under their fields, and anything else on the form", () => {
    expect(serverCardErrors('Invalid model card: metrics.0.value: Expected number, received string; intendedUse: Required.')).toEqual({
      fields: { 'metrics.0.value': 'Expected number, received string', intendedUse: 'Required' },
      form: null,
    });
    const locked = "Version 3's model card was signed on 2026-11-30 and cannot change; register a new version to change it.";
    expect(serverCardErrors(locked)).toEqual({ fields: {}, form: locked });
  });
});
