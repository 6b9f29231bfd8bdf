import {
  DomainError,
  placeholdersOf,
  renderCommand,
  resolveLaunchValues,
  RunTemplateDefinition,
  templateDefinitionProblems,
  templateNameProblem,
  TemplateParameter,
} from '../index';

const params: TemplateParameter[] = [
  { name: 'lr', type: 'float', default: 0.001, min: 1e-6, max: 1 },
  { name: 'epochs', type: 'int', default: 10, min: 1, max: 500 },
  { name: 'amp', type: 'bool', default: true },
  { name: 'loss', type: 'choice', default: 'dice', choices: ['dice', 'dice_ce', 'focal'] },
  { name: 'note', type: 'string', default: '' },
];

const unet = (over: Partial<RunTemplateDefinition> = {}): RunTemplateDefinition => ({
  description: 'Kidney UNet',
  architecture: 'UNet 2D, 4 levels',
  initialModelVersionId: null,
  datasetVersionId: null,
  parameters: params,
  resources: { gpus: 1, cpus: 8, memoryGb: 32, wallTimeMinutes: 240, partition: 'gpu' },
  executor: 'slurm',
  image: '/shared/images/monai-1.3.sif',
  command: ['python3', 'train.py', '--lr={lr}', '--epochs', '{epochs}', '--run', '{run_id}', '--json={{"a": 1}}'],
  ...over,
});

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('BAD_USER_INPUT');
    return (err as Error).message;
  }
  throw new Error('expected a BAD_USER_INPUT error');
}

describe('run template definitions', () => {
  it('accepts a complete Slurm template', () => {
    expect(templateDefinitionProblems(unet())).toEqual([]);
  });

  it('names every problem at once', () => {
    const problems = templateDefinitionProblems(
      unet({
        architecture: ' ',
        parameters: [
          { name: 'lr', type: 'float', default: 2, min: 0, max: 1 },
          { name: 'lr', type: 'int', default: 1.5 },
          { name: 'Bad-Name', type: 'string', default: 'x' },
          { name: 'run_id', type: 'string', default: 'x' },
          { name: 'opt', type: 'choice', default: 'sgd', choices: ['adam', 'adam'] },
          { name: 'flag', type: 'bool', default: 'yes' as unknown as boolean, min: 0 },
          { name: 'size', type: 'int', default: 5, min: 10, max: 1 },
        ],
        resources: { gpus: -1, cpus: 0, memoryGb: 1.5, wallTimeMinutes: 0, partition: 'gpu;rm -rf' },
        command: ['python3', '{missing}', 'a{b', 'c}d'],
      }),
    );
    expect(problems).toEqual([
      'the architecture is empty (e.g. "UNet 2D, 4 levels").',
      'parameter 1 (lr): the default 2 is above the maximum 1.',
      "parameter 2 (lr): the name 'lr' is used twice.",
      'parameter 2 (lr): the default 1.5 is not a whole number.',
      "parameter 3 (Bad-Name): the name must be lower-case letters, digits and '_', starting with a letter, at most 64 characters.",
      "parameter 4 (run_id): 'run_id' is reserved for the run's own value.",
      'parameter 5 (opt): the choices repeat a value.',
      "parameter 5 (opt): the default \"sgd\" is not one of 'adam', 'adam'.",
      'parameter 6 (flag): only int and float parameters have bounds.',
      'parameter 6 (flag): the default "yes" is not true or false.',
      'parameter 7 (size): min 10 is above max 1.',
      'parameter 7 (size): the default 5 is below the minimum 10.',
      'resources: GPUs must be a whole number from 0 to 64 (got -1).',
      'resources: CPUs must be a whole number from 1 to 512 (got 0).',
      'resources: memory (GB) must be a whole number from 1 to 4096 (got 1.5).',
      'resources: wall time (minutes) must be a whole number from 1 to 43200 (got 0).',
      "resources: the partition 'gpu;rm -rf' must be 1–64 letters, digits, '.', '-' or '_'.",
      "command argument 2: '{missing}' names no parameter.",
      "command argument 3: 'a{b' opens a '{' it does not close (write '{{' for a literal brace).",
      "command argument 4: 'c}d' closes a '}' it did not open (write '}}' for a literal brace).",
    ]);
  });

  it('ties the image to the executor', () => {
    expect(templateDefinitionProblems(unet({ executor: 'local', image: 'x.sif' }))).toEqual([
      'a local-process template runs no container: leave the image empty.',
    ]);
    expect(templateDefinitionProblems(unet({ executor: 'kubernetes', image: null }))).toEqual([
      'a Kubernetes template needs a container image.',
    ]);
    expect(templateDefinitionProblems(unet({ executor: 'kubernetes', image: 'registry.example.org/unet:1.2@sha256:abc' }))).toEqual([]);
    expect(templateDefinitionProblems(unet({ image: 'docker://nvcr.io/nvidia/pytorch:24.01-py3' }))).toEqual([]);
    expect(templateDefinitionProblems(unet({ image: 'img $(id)' }))[0]).toMatch(/^the image 'img \$\(id\)' is not an image reference/);
    expect(templateDefinitionProblems(unet({ command: [] }))).toEqual(['the command is empty.']);
  });

  it('checks template names', () => {
    expect(templateNameProblem('UNet kidney v2')).toBeNull();
    expect(templateNameProblem(' ')).toBe('the template name is empty.');
    expect(templateNameProblem('a/b')).toMatch(/may hold only letters/);
    expect(templateNameProblem('x'.repeat(101))).toMatch(/longer than 100/);
  });

  it('reads placeholders, with doubled braces literal', () => {
    expect(placeholdersOf('--lr={lr}/{epochs}')).toEqual({ names: ['lr', 'epochs'], problem: null });
    expect(placeholdersOf('{{"a": {lr}}}')).toEqual({ names: ['lr'], problem: null });
  });
});

describe('launch values', () => {
  it('parses text as each type reads it and fills the defaults', () => {
    expect(
      resolveLaunchValues(params, [
        { name: 'lr', value: '3e-4' },
        { name: 'epochs', value: ' 20 ' },
        { name: 'amp', value: 'false' },
      ]),
    ).toEqual({ lr: 0.0003, epochs: 20, amp: false, loss: 'dice', note: '' });
  });

  it('refuses unknown, repeated, unparsable and out-of-bounds values, all named in one error', () => {
    const message = messageOf(() =>
      resolveLaunchValues(params, [
        { name: 'lr', value: '2' },
        { name: 'epochs', value: '1.5' },
        { name: 'epochs', value: '3' },
        { name: 'amp', value: 'yes' },
        { name: 'loss', value: 'mse' },
        { name: 'batch', value: '4' },
        { name: 'note', value: 'x'.repeat(1001) },
      ]),
    );
    expect(message).toBe(
      'The launch values are not valid: lr: 2 is above the maximum 1. ' +
        "epochs: '1.5' is not a whole number. 'epochs' is given twice. amp: 'yes' is not true or false. " +
        "loss: \"mse\" is not one of 'dice', 'dice_ce', 'focal'. " +
        "'batch' is not a parameter of this template (it has lr, epochs, amp, loss, note). note: is longer than 1000 characters.",
    );
  });

  it.each(['', 'Infinity', 'NaN', '0x10', '1_000', '1e', '--1'])('refuses %j as a float', (text) => {
    expect(messageOf(() => resolveLaunchValues(params, [{ name: 'lr', value: text }]))).toMatch(/is not a number\.$/);
  });

  it('renders the command, each value inside its own argument', () => {
    const values = resolveLaunchValues(params, [
      { name: 'lr', value: '0.01' },
      { name: 'note', value: 'a b; $(rm -rf /)' },
    ]);
    expect(
      renderCommand(['python3', 'train.py', '--lr={lr}', '--epochs', '{epochs}', '--note', '{note}', '{{{run_id}}}'], values, {
        runId: 'abc',
      }),
    ).toEqual(['python3', 'train.py', '--lr=0.01', '--epochs', '10', '--note', 'a b; $(rm -rf /)', '{abc}']);
  });
});
