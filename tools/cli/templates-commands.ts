/**
 * `caliper templates list|show|push|preview`: run templates kept as files beside the training code.
 * `push` writes a template from a JSON file: a new template when the name is free, else its next
 * version, or nothing when the file matches the latest version (so a CI job can push on every
 * commit). `show --json` prints a version in the shape `push` takes. `preview` checks launch values
 * (`--set name=value`) against the parameters and prints the command a launch would run.
 */
import { Command, InvalidArgumentError } from 'commander';
import { projectClient, readJsonObject } from './models-commands';
import { versionArg } from './model-card-commands';

interface Parameter {
  name: string;
  type: string;
  default: string;
  min: number | null;
  max: number | null;
  choices: string[] | null;
  description: string | null;
}

interface TemplateVersion {
  id: string;
  version: number;
  description: string;
  architecture: string;
  initialModelVersion: { id: string; label: string } | null;
  datasetVersion: { id: string; label: string } | null;
  parameters: Parameter[];
  resources: { gpus: number; cpus: number; memoryGb: number; wallTimeMinutes: number; partition: string | null };
  executor: string;
  image: string | null;
  command: string[];
  createdBy: string;
  createdAt: string;
}

interface Template {
  id: string;
  name: string;
  latestVersion: TemplateVersion;
}

const VERSION_FIELDS = `id version description architecture initialModelVersion { id label } datasetVersion { id label }
  parameters { name type default min max choices description } resources { gpus cpus memoryGb wallTimeMinutes partition }
  executor image command createdBy createdAt`;

/** The definition of a version as `push --file` takes it (and as the API's RunTemplateDefinitionInput is). */
function definitionOf(v: TemplateVersion): Record<string, unknown> {
  return {
    description: v.description,
    architecture: v.architecture,
    initialModelVersionId: v.initialModelVersion?.id ?? null,
    datasetVersionId: v.datasetVersion?.id ?? null,
    parameters: v.parameters.map((p) => ({
      name: p.name,
      type: p.type,
      default: p.default,
      ...(p.min !== null ? { min: p.min } : {}),
      ...(p.max !== null ? { max: p.max } : {}),
      ...(p.choices !== null ? { choices: p.choices } : {}),
      ...(p.description !== null ? { description: p.description } : {}),
    })),
    resources: v.resources,
    executor: v.executor,
    image: v.image,
    command: v.command,
  };
}

/**
 * A file's definition in the API's shape: enum values upper-cased ("slurm" → SLURM), parameter
 * defaults as text (a JSON 0.001 or true is accepted and sent as "0.001", "true"). Everything
 * else is checked by the API, which names every problem.
 */
export function normaliseDefinition(given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...given };
  if (typeof out.executor === 'string') out.executor = out.executor.toUpperCase();
  if (Array.isArray(out.parameters))
    out.parameters = out.parameters.map((p: unknown) => {
      if (!p || typeof p !== 'object') return p;
      const q = { ...(p as Record<string, unknown>) };
      if (typeof q.type === 'string') q.type = q.type.toUpperCase();
      if (typeof q.default === 'number' || typeof q.default === 'boolean') q.default = String(q.default);
      return q;
    });
  return out;
}

/**
 * A definition as the API would store it, for comparing a file with the latest version: the
 * API's defaults for what the file leaves out, enum values upper-cased, numeric defaults as
 * numbers (a file's "1e-3" is the stored 0.001), text trimmed as the API trims it.
 */
export function comparableDefinition(def: Record<string, unknown>): unknown {
  const d = normaliseDefinition(def);
  const r = (d.resources ?? {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() || null : (v ?? null));
  return {
    description: d.description ?? '',
    architecture: typeof d.architecture === 'string' ? d.architecture.trim() : d.architecture,
    initialModelVersionId: d.initialModelVersionId ?? null,
    datasetVersionId: d.datasetVersionId ?? null,
    parameters: ((d.parameters ?? []) as Record<string, unknown>[]).map((p) => ({
      name: p.name,
      type: p.type,
      default: p.type === 'INT' || p.type === 'FLOAT' ? Number(p.default) : p.default,
      min: p.min ?? null,
      max: p.max ?? null,
      choices: p.choices ?? null,
      description: p.description ?? null,
    })),
    resources: {
      gpus: r.gpus ?? 0,
      cpus: r.cpus ?? 1,
      memoryGb: r.memoryGb ?? 4,
      wallTimeMinutes: r.wallTimeMinutes ?? 60,
      partition: text(r.partition),
    },
    executor: d.executor,
    image: text(d.image),
    command: d.command,
  };
}

function setArg(value: string, previous: { name: string; value: string }[] = []): { name: string; value: string }[] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`'${value}' must be name=value`);
  return [...previous, { name: value.slice(0, eq), value: value.slice(eq + 1) }];
}

async function findTemplate(client: Awaited<ReturnType<typeof projectClient>>['client'], projectId: string, name: string) {
  const { runTemplates } = await client.graphql<{ runTemplates: Template[] }>(
    `query($p: ID!) { runTemplates(projectId: $p) { id name latestVersion { ${VERSION_FIELDS} } } }`,
    { p: projectId },
  );
  return runTemplates.find((t) => t.name.toLowerCase() === name.trim().toLowerCase()) ?? null;
}

async function versionOf(
  client: Awaited<ReturnType<typeof projectClient>>['client'],
  projectId: string,
  name: string,
  version: number | undefined,
): Promise<TemplateVersion> {
  const t = await findTemplate(client, projectId, name);
  if (!t) throw new Error(`the project has no run template named '${name}' (see \`caliper templates list\`)`);
  if (version === undefined || version === t.latestVersion.version) return t.latestVersion;
  const { runTemplate } = await client.graphql<{ runTemplate: { versions: TemplateVersion[] } }>(
    `query($t: ID!) { runTemplate(id: $t) { versions { ${VERSION_FIELDS} } } }`,
    { t: t.id },
  );
  const v = runTemplate.versions.find((x) => x.version === version);
  if (!v) throw new Error(`run template '${t.name}' has no version ${version} (its latest is ${t.latestVersion.version})`);
  return v;
}

function printVersion(name: string, v: TemplateVersion): void {
  const r = v.resources;
  console.log(`${name} version ${v.version} (${v.createdAt} by ${v.createdBy})`);
  if (v.description) console.log(v.description);
  console.log(`architecture: ${v.architecture}`);
  console.log(`dataset version: ${v.datasetVersion?.label ?? '-'}`);
  console.log(`initial weights: ${v.initialModelVersion?.label ?? '- (trained from scratch)'}`);
  console.log(`executor: ${v.executor.toLowerCase()}${v.image ? `  image ${v.image}` : ''}`);
  console.log(
    `resources: ${r.gpus} GPU, ${r.cpus} CPU, ${r.memoryGb} GB, ${r.wallTimeMinutes} min${r.partition ? `, partition ${r.partition}` : ''}`,
  );
  console.log(`command: ${v.command.map((a) => (/[\s"'\\$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  console.log('parameters:');
  for (const p of v.parameters) {
    const bounds = [
      p.min !== null ? `min ${p.min}` : '',
      p.max !== null ? `max ${p.max}` : '',
      p.choices ? `one of ${p.choices.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    console.log(
      `  ${p.name} (${p.type.toLowerCase()}) = ${p.default}${bounds ? `  [${bounds}]` : ''}${p.description ? `  ${p.description}` : ''}`,
    );
  }
  if (!v.parameters.length) console.log('  -');
}

export function registerTemplateCommands(program: Command): void {
  const templates = program.command('templates').description('run templates: list, show, push from a JSON file, preview a launch');

  templates
    .command('list')
    .description("the project's run templates with their latest versions")
    .option('--project <slug>', 'the project (default: the one logged in to)')
    .action(async (opts: { project?: string }) => {
      const { client, projectId, slug } = await projectClient(opts.project);
      const { runTemplates } = await client.graphql<{ runTemplates: Template[] }>(
        `query($p: ID!) { runTemplates(projectId: $p) { id name latestVersion { ${VERSION_FIELDS} } } }`,
        { p: projectId },
      );
      if (!runTemplates.length)
        return console.log(`no run templates in ${slug} yet (\`caliper templates push <name> --file <definition.json>\`)`);
      for (const t of runTemplates)
        console.log(`${t.name}  v${t.latestVersion.version}  ${t.latestVersion.executor.toLowerCase()}  ${t.latestVersion.architecture}`);
    });

  templates
    .command('show')
    .description('a template version: its definition, parameters, resources and command')
    .argument('<name>')
    .option('--version <n>', 'the version (default: the latest)', versionArg)
    .option('--json', 'print the definition as JSON (what `templates push --file` takes)')
    .option('--project <slug>', 'the project (default: the one logged in to)')
    .action(async (name: string, opts: { version?: number; json?: boolean; project?: string }) => {
      const { client, projectId } = await projectClient(opts.project);
      const v = await versionOf(client, projectId, name, opts.version);
      if (opts.json) console.log(JSON.stringify(definitionOf(v), null, 2));
      else printVersion(name, v);
    });

  templates
    .command('push')
    .description('write a template from a JSON file: created, or its next version, or unchanged when the file matches the latest')
    .argument('<name>')
    .requiredOption(
      '--file <definition.json>',
      'architecture, executor, command, resources, parameters, image, datasetVersionId, initialModelVersionId, description',
    )
    .option('--project <slug>', 'the project (default: the one logged in to)')
    .action(async (name: string, opts: { file: string; project?: string }) => {
      const definition = normaliseDefinition(readJsonObject(opts.file, '--file'));
      const { client, projectId } = await projectClient(opts.project);
      const existing = await findTemplate(client, projectId, name);
      if (!existing) {
        const { createRunTemplate } = await client.graphql<{ createRunTemplate: { name: string; latestVersion: { version: number } } }>(
          `mutation($i: CreateRunTemplateInput!) { createRunTemplate(input: $i) { name latestVersion { version } } }`,
          { i: { projectId, name, definition } },
        );
        return console.log(`created run template '${createRunTemplate.name}' version ${createRunTemplate.latestVersion.version}`);
      }
      if (JSON.stringify(comparableDefinition(definitionOf(existing.latestVersion))) === JSON.stringify(comparableDefinition(definition)))
        return console.log(`run template '${existing.name}' is unchanged: still version ${existing.latestVersion.version}`);
      const { addRunTemplateVersion } = await client.graphql<{ addRunTemplateVersion: { version: number } }>(
        `mutation($i: AddRunTemplateVersionInput!) { addRunTemplateVersion(input: $i) { version } }`,
        { i: { templateId: existing.id, definition } },
      );
      console.log(`added version ${addRunTemplateVersion.version} of run template '${existing.name}'`);
    });

  templates
    .command('preview')
    .description('check launch values against the parameters and print the command a launch would run')
    .argument('<name>')
    .option('--version <n>', 'the version (default: the latest)', versionArg)
    .option('--set <name=value>', 'a parameter value (repeat for more)', setArg)
    .option('--project <slug>', 'the project (default: the one logged in to)')
    .action(async (name: string, opts: { version?: number; set?: { name: string; value: string }[]; project?: string }) => {
      const { client, projectId } = await projectClient(opts.project);
      const v = await versionOf(client, projectId, name, opts.version);
      const { launchPreview } = await client.graphql<{
        launchPreview: { values: { name: string; value: string; isDefault: boolean }[]; command: string[] };
      }>(
        `query($v: ID!, $values: [ParameterValueInput!]) { launchPreview(templateVersionId: $v, values: $values) {
          values { name value isDefault } command } }`,
        { v: v.id, values: opts.set ?? [] },
      );
      console.log(`${name} version ${v.version}: the values are valid`);
      for (const x of launchPreview.values) console.log(`  ${x.name} = ${x.value}${x.isDefault ? '  (default)' : ''}`);
      console.log(`command: ${launchPreview.command.map((a) => (/[\s"'\\$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
    });
}
