/**
 * The CLI's registry commands over the API's GraphQL: `models register` (a run's ONNX artifact as
 * the next version of a model, with its task type and pre/post-processing spec; the worker then
 * validates it) and `models show` (a model's versions and their validation).
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { CaliperClient } from '@caliper/sdk';
import { loadCredentials } from './credentials';
import { formatTable } from './runs-commands';

const TASKS = ['segmentation', 'classification', 'detection'];

interface Validation {
  status: string;
  reason: string | null;
  sha256: string | null;
  opset: number | null;
  taskType: string | null;
  inputs: { name: string; dtype: string; shape: unknown[] }[] | null;
  outputs: { name: string; dtype: string; shape: unknown[] }[] | null;
}
interface Version {
  version: number;
  stage: string;
  runId: string | null;
  source: string;
  createdAt: string;
  validation: Validation | null;
}

const VERSION_FIELDS = `version stage runId source createdAt
  validation { status reason sha256 opset taskType inputs { name dtype shape } outputs { name dtype shape } }`;

/** A JSON object from a file (the spec's pre- or post-processing part), or an error naming the file. */
export function readJsonObject(file: string, option: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`${option} ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`${option} ${file}: not valid JSON`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidArgumentError(`${option} ${file}: must be a JSON object`);
  return value as Record<string, unknown>;
}

export async function projectClient(project: string | undefined): Promise<{ client: CaliperClient; projectId: string; slug: string }> {
  const creds = await loadCredentials();
  const slug = project ?? creds.project;
  if (!slug) throw new Error('give --project <slug> (or log in with --project)');
  const client = new CaliperClient({ baseUrl: creds.url, token: creds.token });
  const { project: p } = await client.graphql<{ project: { id: string } }>(`query($slug: String!) { project(slug: $slug) { id } }`, {
    slug,
  });
  return { client, projectId: p.id, slug };
}

const signature = (t: { name: string; dtype: string; shape: unknown[] }[] | null) =>
  (t ?? []).map((x) => `${x.name} ${x.dtype} [${x.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`).join('; ') || '-';

function printVersion(v: Version): void {
  const val = v.validation;
  console.log(`version ${v.version}  ${v.stage}  validation ${val ? val.status : 'none'}`);
  console.log(`source: ${v.source}${v.runId ? `  (run ${v.runId})` : ''}`);
  if (!val) return;
  if (val.reason) console.log(`reason: ${val.reason}`);
  if (val.taskType) console.log(`task: ${val.taskType}`);
  if (val.sha256) console.log(`sha256: ${val.sha256}  opset: ${val.opset ?? '-'}`);
  if (val.inputs) console.log(`inputs: ${signature(val.inputs)}`);
  if (val.outputs) console.log(`outputs: ${signature(val.outputs)}`);
}

export function registerModelCommands(program: Command): void {
  const models = program.command('models').description('the model registry: register versions from runs, show them');

  models
    .command('register')
    .description("register a run's ONNX artifact as the next version of a model (created if missing); the worker then validates it")
    .argument('<model-name>')
    .requiredOption('--run <runId>', 'the run that logged the model (MLflow run_id)')
    .requiredOption('--artifact <path>', "the ONNX file or its folder in the run's artifacts, e.g. model/model.onnx")
    .requiredOption('--task <type>', `task type: ${TASKS.join(', ')}`, (v: string) => {
      if (!TASKS.includes(v)) throw new InvalidArgumentError(`must be one of ${TASKS.join(', ')}`);
      return v;
    })
    .option('--preprocessing <file.json>', 'window, spacing, size, normalisation (JSON object)')
    .option('--postprocessing <file.json>', 'labels and threshold (JSON object); or give --labels')
    .option('--labels <a,b,...>', 'output labels, background first (when no --postprocessing file)')
    .option('--description <text>')
    .option('--project <slug>', 'the project (default: the one logged in to)')
    .option('--json', 'print the version as JSON')
    .action(
      async (
        name: string,
        opts: {
          run: string;
          artifact: string;
          task: string;
          preprocessing?: string;
          postprocessing?: string;
          labels?: string;
          description?: string;
          project?: string;
          json?: boolean;
        },
      ) => {
        if (!opts.postprocessing && !opts.labels) throw new Error('give --postprocessing <file.json> or --labels <a,b,...>');
        const postprocessing = opts.postprocessing
          ? readJsonObject(opts.postprocessing, '--postprocessing')
          : { labels: (opts.labels ?? '').split(',').map((l) => l.trim()) };
        const { client, projectId, slug } = await projectClient(opts.project);
        const { registerModelVersion: v } = await client.graphql<{ registerModelVersion: Version }>(
          `mutation($i: RegisterModelVersionInput!) { registerModelVersion(input: $i) { ${VERSION_FIELDS} } }`,
          {
            i: {
              projectId,
              modelName: name,
              runId: opts.run,
              artifactPath: opts.artifact,
              taskType: opts.task.toUpperCase(),
              preprocessing: opts.preprocessing ? readJsonObject(opts.preprocessing, '--preprocessing') : null,
              postprocessing,
              description: opts.description ?? null,
            },
          },
        );
        if (opts.json) console.log(JSON.stringify(v, null, 2));
        else
          console.log(
            `registered ${slug}/${name} version ${v.version}; validation ${v.validation?.status ?? 'none'} (caliper models show ${name})`,
          );
      },
    );

  models
    .command('show')
    .description("show a model's versions, newest first, with their ONNX validation")
    .argument('<model-name>')
    .option('--project <slug>', 'the project (default: the one logged in to)')
    .option('--json', 'print the model as JSON')
    .action(async (name: string, opts: { project?: string; json?: boolean }) => {
      const { client, projectId, slug } = await projectClient(opts.project);
      const { registeredModel: m } = await client.graphql<{
        registeredModel: { name: string; description: string | null; versions: Version[] };
      }>(`query($p: ID!, $n: String!) { registeredModel(projectId: $p, name: $n) { name description versions { ${VERSION_FIELDS} } } }`, {
        p: projectId,
        n: name,
      });
      if (opts.json) {
        console.log(JSON.stringify(m, null, 2));
        return;
      }
      console.log(`model ${slug}/${m.name}${m.description ? `: ${m.description}` : ''}`);
      console.log(
        formatTable(
          ['VERSION', 'STAGE', 'VALIDATION', 'TASK', 'RUN'],
          m.versions.map((v) => [String(v.version), v.stage, v.validation?.status ?? '-', v.validation?.taskType ?? '-', v.runId ?? '-']),
        ),
      );
      for (const v of m.versions) {
        console.log('');
        printVersion(v);
      }
    });
}
