/**
 * `caliper models promote|requests|provenance`: signed promotion from the command line (issue 14).
 * `promote` opens a promotion request (the PI's `promotion.request`) and prints its gates, the roles
 * that must still sign and the web page where they sign: signatures need a browser session and a
 * re-entered password, so the CLI never signs. `--wait` follows the evaluation gate until the worker
 * has decided it. `requests` lists a model's requests, `provenance` writes a version's provenance.
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { CaliperApiError } from '@caliper/sdk';
import { versionArg } from './model-card-commands';
import { projectClient } from './models-commands';
import { formatTable } from './runs-commands';

const TARGETS = ['staging', 'clinical', 'retired'];
const PROVENANCE_FORMATS = ['json', 'pdf'];
/** How long `--wait` follows the evaluation gate, and how often it asks. */
const WAIT_MS = 10 * 60_000;
const POLL_MS = 2_000;

interface Criterion {
  metric: string;
  op: string;
  threshold: number;
  value: number | null;
  passed: boolean;
}
interface PromotionRequest {
  id: string;
  version: number;
  fromStage: string;
  targetStage: string;
  kind: string;
  status: string;
  reason: string;
  requestedBy: { username: string };
  requestedAt: string;
  gates: { gate: string; status: string; detail: string }[];
  requiredRoles: string[];
  requiredSignatures: number;
  missingRoles: string[];
  decisionReason: string | null;
  signatures: { printedName: string; role: string; meaning: string; decision: string; signedAt: string }[];
  evaluation: {
    status: string;
    metrics: Record<string, number> | null;
    criteria: Criterion[];
    itemCount: number | null;
    manifestSha256: string | null;
    reason: string | null;
  } | null;
}

const REQUEST_FIELDS = `id version fromStage targetStage kind status reason requestedBy { username } requestedAt
  gates { gate status detail } requiredRoles requiredSignatures missingRoles decisionReason
  signatures { printedName role meaning decision signedAt }
  evaluation { status metrics criteria { metric op threshold value passed } itemCount manifestSha256 reason }`;

const oneOf = (allowed: string[]) => (v: string) => {
  if (!allowed.includes(v)) throw new InvalidArgumentError(`must be one of ${allowed.join(', ')}`);
  return v;
};
const lower = (s: string) => s.toLowerCase();
const when = (iso: string) => iso.replace('T', ' ').slice(0, 16);
/** Four significant digits: enough to read a metric against its threshold; --json has the exact value. */
const figure = (v: number) => String(Number(v.toPrecision(4)));

/** The request's page in the web app, where signers review the evidence and sign. */
const requestPage = (slug: string, model: string, id: string) =>
  `/models/${encodeURIComponent(slug)}/${encodeURIComponent(model)}/requests/${id}`;

/**
 * Runs a command's body; an API refusal (a GraphQL error, a 4xx) prints the API's code and message
 * and exits 1, so scripts can tell "the API said no" from a failure to reach it (main.ts: exit 2).
 */
function refusalsExit1<A extends unknown[]>(body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await body(...args);
    } catch (err) {
      if (!(err instanceof CaliperApiError) || err.status < 200 || err.status >= 500 || err.code === 'BAD_RESPONSE') throw err;
      console.error(`caliper: refused (${err.code}): ${err.message}`);
      process.exitCode = 1;
    }
  };
}

function printRequest(r: PromotionRequest, model: string, slug: string): void {
  const kind = r.kind === 'rollback' ? ' (rollback)' : '';
  console.log(`promotion request ${r.id}${kind}: ${model} version ${r.version} ${lower(r.fromStage)} -> ${lower(r.targetStage)}`);
  // A failed gate says why in its detail; a rejection or a cancellation only in the decision.
  const why = r.decisionReason && r.status !== 'GATE_FAILED' ? ` (${r.decisionReason})` : '';
  console.log(`status: ${lower(r.status)}${why}`);
  console.log('gates:');
  for (const g of r.gates) console.log(`  ${g.gate}: ${g.status}. ${g.detail}`);
  if (r.evaluation) printEvaluation(r.evaluation);
  const open = r.status === 'AWAITING_SIGNATURES' || r.status === 'EVALUATING';
  if (open || r.signatures.length) console.log(`signatures: ${r.requiredSignatures} of ${r.requiredRoles.join(', ')}`);
  for (const s of r.signatures) console.log(`  ${s.role}: ${s.printedName}, ${lower(s.meaning)}, ${lower(s.decision)} at ${s.signedAt}`);
  if (open) {
    console.log(`missing roles: ${r.missingRoles.join(', ') || '-'}`);
    console.log(`signers sign in the web app (the CLI never signs): ${requestPage(slug, model, r.id)}`);
  }
}

function printEvaluation(e: NonNullable<PromotionRequest['evaluation']>): void {
  const on = [e.itemCount !== null ? `${e.itemCount} test items` : null, e.manifestSha256 ? `manifest sha256 ${e.manifestSha256}` : null]
    .filter(Boolean)
    .join(', ');
  console.log(`evaluation: ${e.status}${on ? ` on ${on}` : ''}${e.reason ? ` (${e.reason})` : ''}`);
  if (e.criteria.length)
    console.log(
      formatTable(
        ['  METRIC', 'VALUE', 'CRITERION', 'RESULT'],
        e.criteria.map((c) => [
          `  ${c.metric}`,
          c.value === null ? '-' : figure(c.value),
          `${c.op} ${c.threshold}`,
          c.value === null ? 'pending' : c.passed ? 'passed' : 'failed',
        ]),
      ),
    );
  const judged = new Set(e.criteria.map((c) => c.metric));
  const others = Object.entries(e.metrics ?? {}).filter(([k]) => !judged.has(k));
  if (others.length)
    console.log(`  other metrics: ${others.map(([k, v]) => `${k} ${typeof v === 'number' ? figure(v) : String(v)}`).join(', ')}`);
}

/** Asks for the request until the worker has decided the evaluation gate, showing the wait on stderr. */
async function untilEvaluated(read: () => Promise<PromotionRequest>, first: PromotionRequest): Promise<PromotionRequest | null> {
  const started = Date.now();
  const tty = process.stderr.isTTY;
  let r = first;
  if (!tty) process.stderr.write('waiting for the evaluation gate (at most 10 min)\n');
  while (r.status === 'EVALUATING') {
    const waited = Date.now() - started;
    if (waited >= WAIT_MS) {
      if (tty) process.stderr.write('\n');
      return null;
    }
    if (tty) process.stderr.write(`\rwaiting for the evaluation gate: ${r.evaluation?.status ?? 'queued'}, ${Math.round(waited / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    r = await read();
  }
  if (tty) process.stderr.write('\n');
  return r;
}

/** Adds `promote`, `requests` and `provenance` under the `models` command registerModelCommands made. */
export function registerPromotionCommands(program: Command): void {
  const models = program.commands.find((c) => c.name() === 'models');
  if (!models) throw new Error('registerModelCommands must run before registerPromotionCommands');

  models
    .command('promote')
    .description(
      'request the promotion of a version to staging, clinical use or retirement (needs the PI role); prints the gates and ' +
        'the web page where the required roles sign: signing needs a browser session and a re-entered password, never the CLI',
    )
    .argument('<model-name>')
    .argument('<version>', 'the version number', versionArg)
    .requiredOption('--to <stage>', TARGETS.join(', '), oneOf(TARGETS))
    .option('--reason <text>', 'why (required for a rollback)')
    .option('--rollback', 're-activate a retired version in clinical use (with --to clinical and a --reason)')
    .option('--wait', 'follow the evaluation gate (at most 10 min) and print its metrics against the acceptance criteria')
    .option('--project <slug>', 'the project (default: the one logged in to)')
    .option('--json', 'print the request as JSON')
    .action(
      refusalsExit1(
        async (
          name: string,
          version: number,
          opts: { to: string; reason?: string; rollback?: boolean; wait?: boolean; project?: string; json?: boolean },
        ) => {
          const { client, projectId, slug } = await projectClient(opts.project);
          const { requestPromotion: opened } = await client.graphql<{ requestPromotion: PromotionRequest }>(
            `mutation($i: RequestPromotionInput!) { requestPromotion(input: $i) { ${REQUEST_FIELDS} } }`,
            {
              i: {
                projectId,
                modelName: name,
                version,
                target: opts.to.toUpperCase(),
                reason: opts.reason ?? '',
                rollback: !!opts.rollback,
              },
            },
          );
          let r = opened;
          if (opts.wait && r.status === 'EVALUATING') {
            if (!opts.json) printRequest(r, name, slug);
            const read = async () =>
              (
                await client.graphql<{ promotionRequest: PromotionRequest }>(
                  `query($id: ID!) { promotionRequest(id: $id) { ${REQUEST_FIELDS} } }`,
                  { id: r.id },
                )
              ).promotionRequest;
            const decided = await untilEvaluated(read, r);
            if (!decided) {
              console.error(
                `caliper: request ${r.id} is still evaluating after 10 min; see it with caliper models requests ${name} or at ${requestPage(slug, name, r.id)}`,
              );
              process.exitCode = 1;
              return;
            }
            r = decided;
            if (!opts.json) console.log('');
          }
          if (opts.json) console.log(JSON.stringify(r, null, 2));
          else printRequest(r, name, slug);
          if (opts.wait && r.status === 'GATE_FAILED') process.exitCode = 1;
        },
      ),
    );

  models
    .command('requests')
    .description("a model's promotion requests, newest first")
    .argument('<model-name>')
    .option('--project <slug>', 'the project (default: the one logged in to)')
    .option('--json', 'print the requests as JSON')
    .action(
      refusalsExit1(async (name: string, opts: { project?: string; json?: boolean }) => {
        const { client, projectId } = await projectClient(opts.project);
        const { registeredModel } = await client.graphql<{ registeredModel: { promotionRequests: PromotionRequest[] } }>(
          `query($p: ID!, $n: String!) { registeredModel(projectId: $p, name: $n) { promotionRequests(first: 200) { ${REQUEST_FIELDS} } } }`,
          { p: projectId, n: name },
        );
        const requests = registeredModel.promotionRequests;
        if (opts.json) {
          console.log(JSON.stringify(requests, null, 2));
          return;
        }
        if (!requests.length) {
          console.log(`no promotion requests for ${name}`);
          return;
        }
        console.log(
          formatTable(
            ['ID', 'VERSION', 'FROM -> TO', 'STATUS', 'REQUESTED BY', 'WHEN (UTC)', 'MISSING ROLES'],
            requests.map((r) => [
              r.id.slice(0, 8),
              String(r.version),
              `${lower(r.fromStage)} -> ${lower(r.targetStage)}`,
              lower(r.status),
              r.requestedBy.username,
              when(r.requestedAt),
              r.status === 'AWAITING_SIGNATURES' || r.status === 'EVALUATING' ? r.missingRoles.join(', ') || '-' : '-',
            ]),
          ),
        );
      }),
    );

  models
    .command('provenance')
    .description(
      "a version's provenance: dataset versions, run, files and sha256, evaluation evidence, signatures, deployments and their audit events",
    )
    .argument('<model-name>')
    .argument('<version>', 'the version number', versionArg)
    .requiredOption('--format <json|pdf>', PROVENANCE_FORMATS.join(' or '), oneOf(PROVENANCE_FORMATS))
    .option('--out <file>', 'where to write it (required for pdf; json without it goes to stdout)')
    .option('--project <slug>', 'the project (default: the one logged in to)')
    .action(
      refusalsExit1(async (name: string, version: number, opts: { format: string; out?: string; project?: string }) => {
        if (opts.format === 'pdf' && !opts.out) throw new InvalidArgumentError('--format pdf needs --out <file>');
        const { client, projectId } = await projectClient(opts.project);
        const res = await client.http.request(
          'GET',
          `/api/v1/projects/${projectId}/models/${encodeURIComponent(name)}/versions/${version}/provenance.${opts.format}`,
          { idempotent: true, what: `the ${opts.format} provenance of ${name} version ${version}` },
        );
        const bytes = Buffer.from(await res.arrayBuffer());
        if (!opts.out) {
          process.stdout.write(bytes);
          return;
        }
        writeFileSync(opts.out, bytes);
        console.log(`wrote ${opts.out} (${bytes.length} bytes)`);
      }),
    );
}
