/**
 * `caliper models card show|set|export`: a model version's card over the API. `show` prints the
 * sections and what is still missing (or the card as JSON, the shape `set` takes back), `set`
 * replaces the card from a JSON file (refused once a promotion signature has locked it), `export`
 * writes the Markdown or PDF the API renders, with the version's identity and its signatures.
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { projectClient, readJsonObject } from './models-commands';

interface Card {
  intendedUse: string;
  outOfScopeUse: string;
  trainingData: string[];
  validationData: string[];
  metrics: { name: string; value: number | null; threshold: number | null }[];
  subgroups: { group: string; metric: string; value: number }[];
  limitations: string;
  changes: string;
  missingSections: string[];
  locked: boolean;
  lockedAt: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
}

const CARD_FIELDS = `intendedUse outOfScopeUse trainingData validationData metrics { name value threshold } subgroups { group metric value }
  limitations changes missingSections locked lockedAt updatedAt updatedBy`;
const FORMATS = ['md', 'pdf'];

export function versionArg(v: string): number {
  if (!/^[1-9]\d{0,8}$/.test(v)) throw new InvalidArgumentError('must be a version number (1, 2, …)');
  return Number(v);
}

function printCard(name: string, version: number, c: Card): void {
  const state = c.locked
    ? `signed, locked since ${c.lockedAt}`
    : c.updatedAt
      ? `draft, edited ${c.updatedAt} by ${c.updatedBy}`
      : 'not written yet';
  console.log(`model card of ${name} version ${version} (${state})`);
  console.log(c.missingSections.length ? `missing: ${c.missingSections.join(', ')}` : 'complete');
  const text = (title: string, t: string) => console.log(`\n${title}:\n  ${t.trim() ? t.trim().replace(/\n/g, '\n  ') : '-'}`);
  const list = (title: string, l: string[]) => console.log(`\n${title}:\n${l.length ? l.map((x) => `  - ${x}`).join('\n') : '  -'}`);
  text('intended use', c.intendedUse);
  text('out-of-scope use', c.outOfScopeUse);
  list('training data', c.trainingData);
  list('validation data', c.validationData);
  list(
    'metrics',
    c.metrics.map((m) => `${m.name}: ${m.value ?? '-'}${m.threshold !== null ? ` (threshold ${m.threshold})` : ''}`),
  );
  list(
    'subgroups',
    c.subgroups.map((s) => `${s.group}: ${s.metric} ${s.value}`),
  );
  text('limitations', c.limitations);
  text('changes from the previous version', c.changes);
}

/** Adds `card` under the `models` command registerModelCommands made. */
export function registerModelCardCommands(program: Command): void {
  const models = program.commands.find((c) => c.name() === 'models');
  if (!models) throw new Error('registerModelCommands must run before registerModelCardCommands');
  const card = models.command('card').description("a model version's card: show it, set it from a JSON file, export it as Markdown or PDF");

  card
    .command('show')
    .description('show the card and the sections it still lacks')
    .argument('<model-name>')
    .argument('<version>', 'the version number', versionArg)
    .option('--project <slug>', 'the project (default: the one logged in to)')
    .option('--json', 'print the card as JSON (the sections are what `card set --file` takes)')
    .action(async (name: string, version: number, opts: { project?: string; json?: boolean }) => {
      const { client, projectId } = await projectClient(opts.project);
      const { modelVersion } = await client.graphql<{ modelVersion: { card: Card } }>(
        `query($p: ID!, $n: String!, $v: Int!) { modelVersion(projectId: $p, name: $n, version: $v) { card { ${CARD_FIELDS} } } }`,
        { p: projectId, n: name, v: version },
      );
      if (opts.json) console.log(JSON.stringify(modelVersion.card, null, 2));
      else printCard(name, version, modelVersion.card);
    });

  card
    .command('set')
    .description('replace the card with the one in a JSON file (refused once the version is signed)')
    .argument('<model-name>')
    .argument('<version>', 'the version number', versionArg)
    .requiredOption(
      '--file <card.json>',
      'the whole card: intendedUse, outOfScopeUse, trainingData, validationData, metrics, subgroups, limitations, changes',
    )
    .option('--project <slug>', 'the project (default: the one logged in to)')
    .action(async (name: string, version: number, opts: { file: string; project?: string }) => {
      const given = readJsonObject(opts.file, '--file');
      // `card show --json` prints the state beside the sections; setting takes the sections only.
      for (const k of ['missingSections', 'locked', 'lockedAt', 'updatedAt', 'updatedBy']) delete given[k];
      const { client, projectId } = await projectClient(opts.project);
      const { updateModelCard } = await client.graphql<{ updateModelCard: { card: Card } }>(
        `mutation($i: UpdateModelCardInput!) { updateModelCard(input: $i) { card { ${CARD_FIELDS} } } }`,
        { i: { projectId, modelName: name, version, card: given } },
      );
      const missing = updateModelCard.card.missingSections;
      console.log(
        `saved the model card of ${name} version ${version}; ${missing.length ? `still missing: ${missing.join(', ')}` : 'complete'}`,
      );
    });

  card
    .command('export')
    .description('write the card as Markdown or PDF, with the version identity and its signatures')
    .argument('<model-name>')
    .argument('<version>', 'the version number', versionArg)
    .requiredOption('--format <md|pdf>', 'md or pdf', (v: string) => {
      if (!FORMATS.includes(v)) throw new InvalidArgumentError(`must be one of ${FORMATS.join(', ')}`);
      return v;
    })
    .requiredOption('--out <file>', 'where to write it')
    .option('--project <slug>', 'the project (default: the one logged in to)')
    .action(async (name: string, version: number, opts: { format: string; out: string; project?: string }) => {
      const { client, projectId } = await projectClient(opts.project);
      const res = await client.http.request(
        'GET',
        `/api/v1/projects/${projectId}/models/${encodeURIComponent(name)}/versions/${version}/card.${opts.format}`,
        { idempotent: true, what: `the ${opts.format} export of ${name} version ${version}'s card` },
      );
      const bytes = Buffer.from(await res.arrayBuffer());
      writeFileSync(opts.out, bytes);
      console.log(`wrote ${opts.out} (${bytes.length} bytes)`);
    });
}
