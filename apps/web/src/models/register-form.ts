/**
 * The "Register a version" form's rules: what it sends to registerModelVersion, read from the
 * fields, and which field a refusal is about. The server checks the spec and names the bad field
 * in its message ("Invalid model spec: postprocessing.labels: labels must be unique."), or says
 * which run or artifact path it could not use; the form shows each problem under its field.
 */
import { CombinedGraphQLErrors } from '@apollo/client/errors';

export const TASK_TYPES = ['SEGMENTATION', 'CLASSIFICATION', 'DETECTION'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export type RegisterField = 'modelName' | 'runId' | 'artifactPath' | 'taskType' | 'labels' | 'threshold' | 'preprocessing';
export type FieldErrors = Partial<Record<RegisterField, string>>;

export interface RegisterValues {
  modelName: string;
  runId: string;
  artifactPath: string;
  taskType: TaskType;
  /** One label per output channel or class, background first: one a line or comma-separated. */
  labels: string;
  /** Empty, or a probability. */
  threshold: string;
  /** Empty, or a JSON object (window, spacing, size, normalisation). */
  preprocessing: string;
}

export interface RegisterInput {
  modelName: string;
  runId: string;
  artifactPath: string;
  taskType: TaskType;
  postprocessing: { labels: string[]; threshold?: number };
  preprocessing?: Record<string, unknown>;
}

export const splitLabels = (text: string): string[] =>
  text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter((l) => l !== '');

/**
 * The mutation's input, or what is wrong in the fields the browser can check itself (required
 * values, a number, JSON). Whether the spec is acceptable is the server's to say.
 */
export function readRegisterForm(v: RegisterValues): { ok: true; input: RegisterInput } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const modelName = v.modelName.trim();
  const runId = v.runId.trim().toLowerCase();
  const artifactPath = v.artifactPath.trim().replace(/^\/+/, '');
  if (!modelName) errors.modelName = 'Enter the model’s name.';
  if (!runId) errors.runId = 'Enter the run ID of the run that logged the model.';
  else if (!/^[0-9a-f]{32}$/.test(runId)) errors.runId = 'A run ID is 32 hexadecimal characters, as the run’s page shows it.';
  if (!artifactPath) errors.artifactPath = 'Enter the path of the ONNX file (or its folder) in the run’s artifacts.';
  const postprocessing: RegisterInput['postprocessing'] = { labels: splitLabels(v.labels) };
  if (v.threshold.trim() !== '') {
    const threshold = Number(v.threshold);
    if (!Number.isFinite(threshold)) errors.threshold = 'The threshold is a number between 0 and 1.';
    else postprocessing.threshold = threshold;
  }
  let preprocessing: Record<string, unknown> | undefined;
  if (v.preprocessing.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(v.preprocessing);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) errors.preprocessing = 'Preprocessing is a JSON object.';
      else preprocessing = parsed as Record<string, unknown>;
    } catch (e) {
      errors.preprocessing = `Preprocessing is not valid JSON: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    input: { modelName, runId, artifactPath, taskType: v.taskType, postprocessing, ...(preprocessing ? { preprocessing } : {}) },
  };
}

/** The field a spec path is about (postprocessing.labels.1 → labels). */
function fieldOfSpecPath(specPath: string): RegisterField | null {
  const [head, sub] = specPath.split('.');
  if (head === 'taskType') return 'taskType';
  if (head === 'preprocessing') return 'preprocessing';
  if (head === 'postprocessing') return sub === 'threshold' ? 'threshold' : 'labels';
  return null;
}

/** The field a server message is about, from `extensions.field` or the message itself; null for the form as a whole. */
function fieldOfMessage(message: string, field: string | null): RegisterField | null {
  if (field === 'runId' || field === 'run_id') return 'runId';
  if (field === 'artifactPath' || field === 'source') return 'artifactPath';
  if (field === 'modelName' || field === 'name') return 'modelName';
  if (/has no artifacts at|artifactPath|source '/.test(message)) return 'artifactPath';
  if (/^Run\b|\brun_?id\b|runId/i.test(message)) return 'runId';
  return null;
}

/**
 * The refusal split by field: each problem of an invalid spec under the field it names, a run or
 * artifact path problem under that field; `form` holds what is about none of them.
 */
export function registerErrors(error: unknown): { fields: FieldErrors; form: string | null } {
  if (!CombinedGraphQLErrors.is(error)) return { fields: {}, form: null };
  const fields: FieldErrors = {};
  const rest: string[] = [];
  const add = (f: RegisterField, text: string) => (fields[f] = fields[f] ? `${fields[f]} ${text}` : text);
  for (const e of error.errors) {
    const spec = /^Invalid model spec: (.*?)\.?$/s.exec(e.message);
    if (spec?.[1]) {
      for (const problem of spec[1].split('; ')) {
        const m = /^([\w.]+): (.*)$/s.exec(problem);
        const f = m?.[1] ? fieldOfSpecPath(m[1]) : null;
        if (f && m) add(f, `${m[1]}: ${m[2]}.`);
        else rest.push(`${problem}.`);
      }
      continue;
    }
    const f = fieldOfMessage(e.message, typeof e.extensions?.field === 'string' ? e.extensions.field : null);
    if (f) add(f, e.message);
    else rest.push(e.message);
  }
  return { fields, form: rest.length ? rest.join(' ') : null };
}
