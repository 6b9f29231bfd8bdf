/**
 * The UNet example's run template (template.json beside it) as GraphQL's createRunTemplate takes
 * it, for this checkout: the script's path, relative in the file (a job starts in its run folder,
 * so the file's user makes it absolute before `caliper templates push`), made absolute here. Used by
 * the launcher, which seeds the template into its demo project, and by the example's Slurm test.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normaliseDefinition } from '../../cli/templates-commands';

export const UNET2D_TEMPLATE_NAME = 'UNet 2D example';
export const UNET2D_DIR = __dirname;
const SCRIPT = 'tools/examples/unet2d/train.py';
const ROOT = path.resolve(__dirname, '../../..');

export interface Unet2dTemplateOptions {
  /** The sealed dataset version to train on. */
  datasetVersionId: string;
  executor?: 'LOCAL' | 'SLURM';
  /** Slurm: the partition, and CPUs to ask for (default: the file's). */
  partition?: string;
  cpus?: number;
}

/** template.json with the dataset version, the executor and the script's absolute path filled in. */
export function unet2dTemplateDefinition(opts: Unet2dTemplateOptions): Record<string, unknown> {
  const file = JSON.parse(readFileSync(path.join(UNET2D_DIR, 'template.json'), 'utf8')) as Record<string, unknown>;
  const def = normaliseDefinition(file);
  const resources = { ...(def.resources as Record<string, unknown>) };
  if (opts.partition) resources.partition = opts.partition;
  if (opts.cpus) resources.cpus = opts.cpus;
  return {
    ...def,
    datasetVersionId: opts.datasetVersionId,
    executor: opts.executor ?? def.executor,
    resources,
    command: (def.command as string[]).map((a) => (a === SCRIPT ? path.join(ROOT, SCRIPT) : a)),
  };
}
