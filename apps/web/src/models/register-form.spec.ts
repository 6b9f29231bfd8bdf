import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { readRegisterForm, registerErrors, splitLabels, type RegisterValues } from './register-form';

const values = (v: Partial<RegisterValues> = {}): RegisterValues => ({
  modelName: 'liver-seg',
  runId: 'a'.repeat(32),
  artifactPath: 'model/seg2d.onnx',
  taskType: 'SEGMENTATION',
  labels: 'background, liver',
  threshold: '',
  preprocessing: '',
  ...v,
});

const refusal = (...messages: string[]) =>
  new CombinedGraphQLErrors({ errors: messages.map((message) => ({ message, extensions: { code: 'BAD_USER_INPUT' } })) });

describe('the register form', () => {
  it('reads labels one a line or comma-separated, without blanks', () => {
    expect(splitLabels('background,\n liver ,,\n\ntumour')).toEqual(['background', 'liver', 'tumour']);
  });

  it('sends the trimmed values, the threshold as a number and the preprocessing object', () => {
    expect(
      readRegisterForm(
        values({ runId: ` ${'B'.repeat(32)} `, artifactPath: '/model', threshold: '0.5', preprocessing: '{"size":[64,64]}' }),
      ),
    ).toEqual({
      ok: true,
      input: {
        modelName: 'liver-seg',
        runId: 'b'.repeat(32),
        artifactPath: 'model',
        taskType: 'SEGMENTATION',
        postprocessing: { labels: ['background', 'liver'], threshold: 0.5 },
        preprocessing: { size: [64, 64] },
      },
    });
    const plain = readRegisterForm(values());
    expect(plain.ok && plain.input).toEqual(expect.not.objectContaining({ preprocessing: expect.anything() }));
  });

  it('refuses missing values, a threshold that is no number and preprocessing that is no JSON object, each on its field', () => {
    const r = readRegisterForm(values({ modelName: ' ', runId: '', artifactPath: '', threshold: 'half', preprocessing: '[1]' }));
    expect(r.ok).toBe(false);
    expect(!r.ok && Object.keys(r.errors).sort()).toEqual(['artifactPath', 'modelName', 'preprocessing', 'runId', 'threshold']);
    const short = readRegisterForm(values({ runId: 'abc' }));
    expect(!short.ok && short.errors).toEqual({ runId: 'A run ID is 32 hexadecimal characters, as the run’s page shows it.' });
    const bad = readRegisterForm(values({ preprocessing: '{"size": [64,' }));
    expect(!bad.ok && bad.errors.preprocessing).toMatch(/^Preprocessing is not valid JSON: /);
  });

  it('puts each problem of a refused spec under the field it names', () => {
    expect(
      registerErrors(
        refusal(
          'Invalid model spec: postprocessing.labels: labels must be unique; preprocessing.window.width: window width must be positive; postprocessing.threshold: Number must be less than or equal to 1.',
        ),
      ),
    ).toEqual({
      fields: {
        labels: 'postprocessing.labels: labels must be unique.',
        preprocessing: 'preprocessing.window.width: window width must be positive.',
        threshold: 'postprocessing.threshold: Number must be less than or equal to 1.',
      },
      form: null,
    });
  });

  it('puts a run or artifact path refusal under its field, and anything else on the form', () => {
    expect(
      registerErrors(refusal("Run abc has no artifacts at 'model/x.onnx'; log the model's files to the run before registering it.")),
    ).toEqual({
      fields: { artifactPath: "Run abc has no artifacts at 'model/x.onnx'; log the model's files to the run before registering it." },
      form: null,
    });
    expect(registerErrors(refusal('Run with id=abc not found')).fields).toEqual({ runId: 'Run with id=abc not found' });
    expect(registerErrors(refusal('Something else went wrong.'))).toEqual({ fields: {}, form: 'Something else went wrong.' });
    expect(registerErrors(new Error('offline'))).toEqual({ fields: {}, form: null });
  });
});
