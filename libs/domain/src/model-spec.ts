/**
 * What a registered model version does and how its inputs and outputs are to be read (issue 14):
 * the task type and the pre/post-processing spec given at registration. The spec is checked here
 * when a version is registered, and again by the worker against the ONNX model's signature.
 */
import { z } from 'zod';
import { TrackingError } from './tracking';

export const MODEL_TASK_TYPES = ['segmentation', 'classification', 'detection'] as const;
export type ModelTaskType = (typeof MODEL_TASK_TYPES)[number];

const finite = z.number().finite();
const label = z
  .string()
  .min(1, 'a label must not be empty')
  .max(128, 'a label has at most 128 characters')
  .regex(/^[^\p{Cc}]*$/u, 'a label must not contain control characters');

const normalisation = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z.object({ kind: z.literal('zscore'), mean: finite, std: finite.positive('std must be positive') }).strict(),
  z
    .object({ kind: z.literal('minmax'), min: finite, max: finite })
    .strict()
    .refine((n) => n.max > n.min, { message: 'max must be greater than min', path: ['max'] }),
]);

export const preprocessingSpecSchema = z
  .object({
    /** CT window (Hounsfield units) applied before normalisation. */
    window: z
      .object({ center: finite, width: finite.positive('window width must be positive') })
      .strict()
      .optional(),
    /** Voxel spacing in mm the images are resampled to, [x, y] or [x, y, z]. */
    spacing: z.array(finite.positive('spacing must be positive')).min(2).max(3).optional(),
    /** Size in voxels the images are resized to, [x, y] or [x, y, z]. */
    size: z.array(z.number().int().positive('size must be a positive integer').max(4096)).min(2).max(3).optional(),
    normalisation: normalisation.optional(),
  })
  .strict();

export const postprocessingSpecSchema = z
  .object({
    /** Probability threshold for a positive voxel (segmentation) or a positive class (classification). */
    threshold: finite.min(0).max(1).optional(),
    /** One label per output channel (segmentation) or class (classification), background first. */
    labels: z
      .array(label)
      .min(1, 'at least one label is needed')
      .max(256)
      .refine((l) => new Set(l).size === l.length, 'labels must be unique'),
  })
  .strict();

export const modelSpecSchema = z
  .object({
    taskType: z.enum(MODEL_TASK_TYPES),
    preprocessing: preprocessingSpecSchema,
    postprocessing: postprocessingSpecSchema,
  })
  .strict();

export type PreprocessingSpec = z.infer<typeof preprocessingSpecSchema>;
export type PostprocessingSpec = z.infer<typeof postprocessingSpecSchema>;
export type ModelSpec = z.infer<typeof modelSpecSchema>;

/** The spec, or one sentence naming every problem (field paths as in the input). */
export function parseModelSpec(input: unknown): { ok: true; spec: ModelSpec } | { ok: false; problem: string } {
  const parsed = modelSpecSchema.safeParse(input);
  if (parsed.success) return { ok: true, spec: parsed.data };
  const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'spec'}: ${i.message}`);
  return { ok: false, problem: `Invalid model spec: ${problems.join('; ')}.` };
}

/** One tensor of an ONNX model's signature; a dynamic dimension is its symbolic name or null. */
export type TensorSignature = {
  name: string;
  dtype: string;
  shape: (number | string | null)[];
};

/**
 * Whether the model's outputs, as they came out of the smoke run (concrete shapes), fit the spec:
 * a segmentation model gives one channel per label on axis 1, a classifier one score per label on
 * its last axis; a static spatial input size must match preprocessing.size. Null when they fit.
 */
export function specSignatureProblem(spec: ModelSpec, inputs: TensorSignature[], smokeOutputs: TensorSignature[]): string | null {
  const labels = spec.postprocessing.labels.length;
  const out = smokeOutputs[0];
  if (!out) return 'The model has no outputs.';
  if (spec.taskType === 'segmentation') {
    if (out.shape.length < 4)
      return `A segmentation model's first output (${out.name}) must be [N, C, H, W] or [N, C, D, H, W]; it is [${out.shape.join(', ')}].`;
    if (out.shape[1] !== labels)
      return `The spec names ${labels} label(s), but the segmentation output ${out.name} has ${String(out.shape[1])} channel(s) on axis 1.`;
  }
  if (spec.taskType === 'classification' && out.shape[out.shape.length - 1] !== labels)
    return `The spec names ${labels} label(s), but the classifier output ${out.name} has ${String(out.shape[out.shape.length - 1])} score(s) on its last axis.`;
  const size = spec.preprocessing.size;
  const input = inputs[0];
  if (size && input) {
    const spatial = input.shape.slice(-size.length).reverse();
    if (spatial.every((d) => typeof d === 'number') && spatial.some((d, i) => d !== size[i]))
      return `preprocessing.size is [${size.join(', ')}] (x, y${size.length === 3 ? ', z' : ''}), but the model's input ${input.name} is [${input.shape.join(', ')}].`;
  }
  return null;
}

/** The spec, or a TrackingError (INVALID_PARAMETER) naming every problem. */
export function requireModelSpec(input: unknown): ModelSpec {
  const parsed = parseModelSpec(input);
  if (!parsed.ok) throw new TrackingError('INVALID_PARAMETER', parsed.problem);
  return parsed.spec;
}

/** Tags through which an MLflow client gives a version's task type and spec (the two specs as JSON). */
export const MODEL_SPEC_TAGS = {
  taskType: 'caliper.task_type',
  preprocessing: 'caliper.preprocessing',
  postprocessing: 'caliper.postprocessing',
} as const;

/** The spec given as version tags at registration; null when caliper.task_type is not among them. */
export function specFromTags(tags: readonly { key: string; value: string }[]): ModelSpec | null {
  const get = (key: string) => tags.find((t) => t.key === key)?.value;
  const taskType = get(MODEL_SPEC_TAGS.taskType);
  if (taskType === undefined) return null;
  const json = (key: string, fallback: unknown): unknown => {
    const value = get(key);
    if (value === undefined) return fallback;
    try {
      return JSON.parse(value);
    } catch {
      throw new TrackingError('INVALID_PARAMETER', `Tag ${key} must be a JSON object.`);
    }
  };
  return requireModelSpec({
    taskType,
    preprocessing: json(MODEL_SPEC_TAGS.preprocessing, {}),
    postprocessing: json(MODEL_SPEC_TAGS.postprocessing, undefined),
  });
}
