/**
 * Run templates (issue 15, item 1): what a PI picks to launch a training run on the cluster. A
 * template is a name in a project; its versions are immutable definitions: the architecture, the
 * initial weights (a registered model version, for transfer learning, or none), the dataset
 * version, typed hyperparameters with defaults and bounds, the resources, the executor with its
 * container image, and the command. Launching resolves the caller's values against the
 * parameters: every value is checked once, here, and every problem is named at once.
 *
 * The command is an argument vector, never a shell line: `{name}` in an argument stands for the
 * value of parameter `name`, and `{run_id}` for the launched run's id; `{{` and `}}` are literal
 * braces. A value therefore lands inside one argument, whatever characters it holds.
 */
import { DomainError } from './errors';

const invalidArgument = (message: string) => new DomainError('BAD_USER_INPUT', message);

export const EXECUTOR_KINDS = ['local', 'slurm', 'kubernetes'] as const;
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number];

export const TEMPLATE_PARAMETER_TYPES = ['int', 'float', 'bool', 'string', 'choice'] as const;
export type TemplateParameterType = (typeof TEMPLATE_PARAMETER_TYPES)[number];

export type ParameterValue = number | boolean | string;

export interface TemplateParameter {
  name: string;
  type: TemplateParameterType;
  /** As the type reads it: a number for int and float, a boolean for bool, a string otherwise. */
  default: ParameterValue;
  /** int and float only; both inclusive. */
  min?: number | null;
  max?: number | null;
  /** choice only: the allowed values, the default among them. */
  choices?: string[] | null;
  description?: string | null;
}

export interface TemplateResources {
  gpus: number;
  cpus: number;
  memoryGb: number;
  wallTimeMinutes: number;
  /** The Slurm partition or the Kubernetes queue/namespace class; null: the scheduler's default. */
  partition: string | null;
}

export interface RunTemplateDefinition {
  description: string;
  architecture: string;
  /** A registered model version whose files are the initial weights (transfer learning), or null. */
  initialModelVersionId: string | null;
  /** The dataset version the run trains on, or null when the command reads no Caliper dataset. */
  datasetVersionId: string | null;
  parameters: TemplateParameter[];
  resources: TemplateResources;
  executor: ExecutorKind;
  /** Apptainer/Singularity image (Slurm) or OCI image reference (Kubernetes); none for a local process. */
  image: string | null;
  command: string[];
}

export const TEMPLATE_LIMITS = {
  name: 100,
  description: 4000,
  architecture: 200,
  parameters: 50,
  parameterName: 64,
  choices: 50,
  stringValue: 1000,
  commandArgs: 100,
  commandArg: 2000,
  image: 500,
  gpus: 64,
  cpus: 512,
  memoryGb: 4096,
  wallTimeMinutes: 30 * 24 * 60,
} as const;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/;
const PARAMETER_NAME_RE = /^[a-z][a-z0-9_]*$/;
const PARTITION_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** An OCI reference (registry/name[:tag][@sha256:…]) or an Apptainer image: a path, or docker://, oras://, library:// URI. */
const IMAGE_RE = /^(?:(?:docker|oras|library):\/\/)?[A-Za-z0-9/][A-Za-z0-9._/:@+-]*$/;
/** Placeholders every command may use besides the parameters. */
export const BUILT_IN_PLACEHOLDERS = ['run_id'] as const;

/** A template's name: 1–100 characters, letters, digits, spaces, dots, dashes, underscores. */
export function templateNameProblem(name: string): string | null {
  if (!name.trim()) return 'the template name is empty.';
  if (name.length > TEMPLATE_LIMITS.name) return `the template name is longer than ${TEMPLATE_LIMITS.name} characters.`;
  if (!NAME_RE.test(name))
    return `the template name '${name}' may hold only letters, digits, spaces, '.', '-' and '_', starting with a letter or digit.`;
  return null;
}

/** The `{name}` placeholders of one command argument, or a problem with its braces. */
export function placeholdersOf(arg: string): { names: string[]; problem: string | null } {
  const names: string[] = [];
  for (let i = 0; i < arg.length; i++) {
    const c = arg[i];
    if (c === '{') {
      if (arg[i + 1] === '{') {
        i++;
        continue;
      }
      const end = arg.indexOf('}', i);
      if (end < 0) return { names, problem: `'${arg}' opens a '{' it does not close (write '{{' for a literal brace).` };
      names.push(arg.slice(i + 1, end));
      i = end;
    } else if (c === '}') {
      if (arg[i + 1] === '}') {
        i++;
        continue;
      }
      return { names, problem: `'${arg}' closes a '}' it did not open (write '}}' for a literal brace).` };
    }
  }
  return { names, problem: null };
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function parameterProblems(p: TemplateParameter, where: string): string[] {
  const out: string[] = [];
  const bounded = p.type === 'int' || p.type === 'float';
  if (!bounded && (p.min != null || p.max != null)) out.push(`${where}: only int and float parameters have bounds.`);
  if (p.type !== 'choice' && p.choices != null) out.push(`${where}: only choice parameters have choices.`);
  if (p.description != null && p.description.length > TEMPLATE_LIMITS.description)
    out.push(`${where}: the description is longer than ${TEMPLATE_LIMITS.description} characters.`);
  if (bounded) {
    for (const [k, v] of [
      ['min', p.min],
      ['max', p.max],
    ] as const) {
      if (v == null) continue;
      if (!finite(v)) out.push(`${where}: ${k} must be a finite number.`);
      else if (p.type === 'int' && !Number.isSafeInteger(v)) out.push(`${where}: ${k} ${v} is not a whole number.`);
    }
    if (finite(p.min) && finite(p.max) && p.min > p.max) out.push(`${where}: min ${p.min} is above max ${p.max}.`);
  }
  if (p.type === 'choice') {
    const choices = p.choices ?? [];
    if (choices.length === 0) out.push(`${where}: a choice parameter needs at least one choice.`);
    if (choices.length > TEMPLATE_LIMITS.choices) out.push(`${where}: more than ${TEMPLATE_LIMITS.choices} choices.`);
    if (new Set(choices).size !== choices.length) out.push(`${where}: the choices repeat a value.`);
    for (const c of choices)
      if (!c || c.length > TEMPLATE_LIMITS.stringValue)
        out.push(`${where}: the choice '${c}' must be 1–${TEMPLATE_LIMITS.stringValue} characters.`);
  }
  // The default must be a value the parameter itself accepts.
  const problem = valueProblem(p, p.default);
  if (problem) out.push(`${where}: the default ${problem}`);
  return out;
}

/** Why `value` (already typed) does not fit `p`, or null. */
function valueProblem(p: TemplateParameter, value: ParameterValue): string | null {
  switch (p.type) {
    case 'int':
    case 'float':
      if (!finite(value)) return `${JSON.stringify(value)} is not a ${p.type === 'int' ? 'whole' : 'finite'} number.`;
      if (p.type === 'int' && !Number.isSafeInteger(value)) return `${value} is not a whole number.`;
      if (p.min != null && value < p.min) return `${value} is below the minimum ${p.min}.`;
      if (p.max != null && value > p.max) return `${value} is above the maximum ${p.max}.`;
      return null;
    case 'bool':
      return typeof value === 'boolean' ? null : `${JSON.stringify(value)} is not true or false.`;
    case 'string':
      if (typeof value !== 'string') return `${JSON.stringify(value)} is not text.`;
      return value.length > TEMPLATE_LIMITS.stringValue ? `is longer than ${TEMPLATE_LIMITS.stringValue} characters.` : null;
    case 'choice':
      if (typeof value !== 'string' || !(p.choices ?? []).includes(value))
        return `${JSON.stringify(value)} is not one of ${(p.choices ?? []).map((c) => `'${c}'`).join(', ')}.`;
      return null;
  }
}

/** Every problem of a template version's definition, in words; empty when it is valid. */
export function templateDefinitionProblems(def: RunTemplateDefinition): string[] {
  const out: string[] = [];
  if (def.description.length > TEMPLATE_LIMITS.description)
    out.push(`the description is longer than ${TEMPLATE_LIMITS.description} characters.`);
  if (!def.architecture.trim()) out.push('the architecture is empty (e.g. "UNet 2D, 4 levels").');
  else if (def.architecture.length > TEMPLATE_LIMITS.architecture)
    out.push(`the architecture is longer than ${TEMPLATE_LIMITS.architecture} characters.`);
  if (!(EXECUTOR_KINDS as readonly string[]).includes(def.executor))
    out.push(`the executor '${def.executor}' is not one of ${EXECUTOR_KINDS.join(', ')}.`);

  if (def.parameters.length > TEMPLATE_LIMITS.parameters) out.push(`more than ${TEMPLATE_LIMITS.parameters} parameters.`);
  const seen = new Set<string>();
  for (const [i, p] of def.parameters.entries()) {
    const where = `parameter ${i + 1}${p.name ? ` (${p.name})` : ''}`;
    if (!PARAMETER_NAME_RE.test(p.name) || p.name.length > TEMPLATE_LIMITS.parameterName)
      out.push(
        `${where}: the name must be lower-case letters, digits and '_', starting with a letter, at most ${TEMPLATE_LIMITS.parameterName} characters.`,
      );
    else if ((BUILT_IN_PLACEHOLDERS as readonly string[]).includes(p.name))
      out.push(`${where}: '${p.name}' is reserved for the run's own value.`);
    else if (seen.has(p.name)) out.push(`${where}: the name '${p.name}' is used twice.`);
    seen.add(p.name);
    if (!(TEMPLATE_PARAMETER_TYPES as readonly string[]).includes(p.type))
      out.push(`${where}: the type '${p.type}' is not one of ${TEMPLATE_PARAMETER_TYPES.join(', ')}.`);
    else out.push(...parameterProblems(p, where));
  }

  const r = def.resources;
  const whole = (v: number, lo: number, hi: number, what: string) => {
    if (!Number.isSafeInteger(v) || v < lo || v > hi) out.push(`resources: ${what} must be a whole number from ${lo} to ${hi} (got ${v}).`);
  };
  whole(r.gpus, 0, TEMPLATE_LIMITS.gpus, 'GPUs');
  whole(r.cpus, 1, TEMPLATE_LIMITS.cpus, 'CPUs');
  whole(r.memoryGb, 1, TEMPLATE_LIMITS.memoryGb, 'memory (GB)');
  whole(r.wallTimeMinutes, 1, TEMPLATE_LIMITS.wallTimeMinutes, 'wall time (minutes)');
  if (r.partition !== null && !PARTITION_RE.test(r.partition))
    out.push(`resources: the partition '${r.partition}' must be 1–64 letters, digits, '.', '-' or '_'.`);

  if (def.image !== null) {
    if (def.executor === 'local') out.push('a local-process template runs no container: leave the image empty.');
    else if (!def.image || def.image.length > TEMPLATE_LIMITS.image || !IMAGE_RE.test(def.image))
      out.push(`the image '${def.image}' is not an image reference (e.g. registry.example.org/unet:1.2 or docker://…, or an .sif path).`);
  } else if (def.executor === 'kubernetes') out.push('a Kubernetes template needs a container image.');

  if (def.command.length === 0) out.push('the command is empty.');
  if (def.command.length > TEMPLATE_LIMITS.commandArgs) out.push(`the command has more than ${TEMPLATE_LIMITS.commandArgs} arguments.`);
  if (def.command[0] !== undefined && !def.command[0].trim()) out.push("the command's program (its first argument) is empty.");
  const known = new Set([...def.parameters.map((p) => p.name), ...BUILT_IN_PLACEHOLDERS]);
  for (const [i, arg] of def.command.entries()) {
    if (arg.length > TEMPLATE_LIMITS.commandArg)
      out.push(`command argument ${i + 1} is longer than ${TEMPLATE_LIMITS.commandArg} characters.`);
    if (arg.includes('\0')) out.push(`command argument ${i + 1} holds a NUL character.`);
    const { names, problem } = placeholdersOf(arg);
    if (problem) out.push(`command argument ${i + 1}: ${problem}`);
    for (const n of names) if (!known.has(n)) out.push(`command argument ${i + 1}: '{${n}}' names no parameter.`);
  }
  return out;
}

/** Throws INVALID_ARGUMENT naming every problem of the definition. */
export function assertTemplateDefinition(def: RunTemplateDefinition): void {
  const problems = templateDefinitionProblems(def);
  if (problems.length) throw invalidArgument(`The run template is not valid: ${problems.join(' ')}`);
}

/** A value as typed in a form or on a command line, read as parameter `p` reads it. */
export function parseParameterValue(p: TemplateParameter, text: string): { value: ParameterValue } | { problem: string } {
  switch (p.type) {
    case 'int': {
      const t = text.trim();
      if (!/^[+-]?\d+$/.test(t)) return { problem: `'${text}' is not a whole number.` };
      return { value: Number(t) };
    }
    case 'float': {
      const t = text.trim();
      // Decimal or scientific notation; not '', 'Infinity', '0x10' or '1_000'.
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return { problem: `'${text}' is not a number.` };
      return { value: Number(t) };
    }
    case 'bool':
      if (text === 'true') return { value: true };
      if (text === 'false') return { value: false };
      return { problem: `'${text}' is not true or false.` };
    default:
      return { value: text };
  }
}

/**
 * The launch's parameter values: each given value (text, as from a form) parsed and checked
 * against its parameter; the defaults for the rest. Unknown names, unparsable values and values
 * out of bounds are all named in one INVALID_ARGUMENT.
 */
export function resolveLaunchValues(
  parameters: readonly TemplateParameter[],
  given: readonly { name: string; value: string }[],
): Record<string, ParameterValue> {
  const problems: string[] = [];
  const byName = new Map(parameters.map((p) => [p.name, p]));
  const values: Record<string, ParameterValue> = {};
  const seen = new Set<string>();
  for (const g of given) {
    const p = byName.get(g.name);
    if (!p) {
      problems.push(`'${g.name}' is not a parameter of this template (it has ${parameters.map((q) => q.name).join(', ') || 'none'}).`);
      continue;
    }
    if (seen.has(g.name)) {
      problems.push(`'${g.name}' is given twice.`);
      continue;
    }
    seen.add(g.name);
    const parsed = parseParameterValue(p, g.value);
    if ('problem' in parsed) {
      problems.push(`${g.name}: ${parsed.problem}`);
      continue;
    }
    const problem = valueProblem(p, parsed.value);
    if (problem) problems.push(`${g.name}: ${problem}`);
    else values[g.name] = parsed.value;
  }
  if (problems.length) throw invalidArgument(`The launch values are not valid: ${problems.join(' ')}`);
  for (const p of parameters) if (!(p.name in values)) values[p.name] = p.default;
  return values;
}

/** A value as the command and the run's params show it: numbers in JavaScript's shortest form, booleans as true/false. */
export function parameterText(value: ParameterValue): string {
  return String(value);
}

/** The command with its placeholders replaced (values from resolveLaunchValues, plus the built-ins). */
export function renderCommand(
  command: readonly string[],
  values: Readonly<Record<string, ParameterValue>>,
  builtIns: { runId: string },
): string[] {
  const lookup = (name: string): string => {
    if (name === 'run_id') return builtIns.runId;
    const v = values[name];
    if (v === undefined) throw invalidArgument(`The command names '{${name}}', which has no value.`);
    return parameterText(v);
  };
  return command.map((arg) => {
    let out = '';
    for (let i = 0; i < arg.length; i++) {
      const c = arg[i]!;
      if ((c === '{' || c === '}') && arg[i + 1] === c) {
        out += c;
        i++;
      } else if (c === '{') {
        const end = arg.indexOf('}', i);
        out += lookup(arg.slice(i + 1, end));
        i = end;
      } else out += c;
    }
    return out;
  });
}
