import {
  controlFor,
  initialValues,
  invalidParameters,
  prefillFromSearch,
  problemOf,
  relaunchSearch,
  valuesToSend,
  type LaunchParameter,
} from './launch-form';

const PARAMETERS: LaunchParameter[] = [
  { name: 'epochs', type: 'INT', default: '10', min: 1, max: 500 },
  { name: 'lr', type: 'FLOAT', default: '0.001', min: 0, max: 1 },
  { name: 'amp', type: 'BOOL', default: 'true' },
  { name: 'loss', type: 'CHOICE', default: 'dice', choices: ['dice', 'ce'] },
  { name: 'note', type: 'STRING', default: '' },
];

describe('controlFor', () => {
  it('gives numbers with bounds (whole steps for INT), a checkbox, a select and a text field', () => {
    expect(PARAMETERS.map(controlFor)).toEqual([
      { kind: 'number', step: '1', min: 1, max: 500 },
      { kind: 'number', step: 'any', min: 0, max: 1 },
      { kind: 'checkbox' },
      { kind: 'select', choices: ['dice', 'ce'] },
      { kind: 'text' },
    ]);
  });

  it('leaves out bounds the template does not set', () => {
    expect(controlFor({ name: 'seed', type: 'INT', default: '1', min: null, max: null })).toEqual({
      kind: 'number',
      step: '1',
      min: undefined,
      max: undefined,
    });
  });
});

describe('initialValues', () => {
  it('starts from the defaults', () => {
    expect(initialValues(PARAMETERS)).toEqual({ epochs: '10', lr: '0.001', amp: 'true', loss: 'dice', note: '' });
  });

  it("takes a run's values over the defaults, booleans as the checkbox holds them", () => {
    const prefill = new Map([
      ['lr', '0.02'],
      ['amp', 'False'],
      ['loss', 'ce'],
      ['unknown', 'x'],
    ]);
    expect(initialValues(PARAMETERS, prefill)).toEqual({ epochs: '10', lr: '0.02', amp: 'false', loss: 'ce', note: '' });
  });

  it('falls back to the default for a choice the template no longer offers, keeps other values for the API to check', () => {
    expect(
      initialValues(
        PARAMETERS,
        new Map([
          ['loss', 'focal'],
          ['epochs', '0'],
        ]),
      ),
    ).toMatchObject({ loss: 'dice', epochs: '0' });
  });
});

it('valuesToSend sends every parameter in the template order, the default where the form has none', () => {
  expect(valuesToSend(PARAMETERS, { lr: '0.5', amp: 'false' })).toEqual([
    { name: 'epochs', value: '10' },
    { name: 'lr', value: '0.5' },
    { name: 'amp', value: 'false' },
    { name: 'loss', value: 'dice' },
    { name: 'note', value: '' },
  ]);
});

describe("the API's message about bad values", () => {
  const message = "The launch values are not valid: epochs: 0 is below the minimum 1. amp: 'maybe' is not true or false.";
  const names = PARAMETERS.map((p) => p.name);

  it('names the invalid parameters, not those that only appear inside a problem', () => {
    expect(invalidParameters(message, names)).toEqual(new Set(['epochs', 'amp']));
    expect(invalidParameters('The launch values are not valid: lr: 2 is above the maximum 1.', ['lr', 'loss'])).toEqual(new Set(['lr']));
  });

  it("gives each parameter's problem", () => {
    expect(problemOf(message, 'epochs')).toBe('0 is below the minimum 1');
    expect(problemOf(message, 'amp')).toBe("'maybe' is not true or false");
    expect(problemOf(message, 'lr')).toBeNull();
    expect(problemOf('The launch values are not valid: lr: 1.5 is above the maximum 1.', 'lr')).toBe('1.5 is above the maximum 1');
  });
});

describe('run again with changes', () => {
  it("carries the template version and the run's params to the template page and back", () => {
    const search = relaunchSearch('v-1', [
      { key: 'lr', value: '0.02' },
      { key: 'note', value: 'a & b' },
    ]);
    expect(search).toBe('?version=v-1&p.lr=0.02&p.note=a+%26+b');
    const prefill = prefillFromSearch(new URLSearchParams(search));
    expect(prefill.versionId).toBe('v-1');
    expect([...prefill.values]).toEqual([
      ['lr', '0.02'],
      ['note', 'a & b'],
    ]);
  });

  it('reads no values from a plain template address', () => {
    expect(prefillFromSearch(new URLSearchParams(''))).toEqual({ versionId: null, values: new Map() });
  });
});
