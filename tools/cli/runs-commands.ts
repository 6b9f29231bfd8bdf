/**
 * The CLI's client commands over the SDK: `login` and `runs create|log|upload|finish|ls|show`.
 * They talk to the API only (never the database), with the stored or environment credentials.
 */
import { createReadStream } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import { CaliperClient, Run, RunLogger } from '@caliper/sdk';
import { loadCredentials, saveCredentials } from './credentials';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `key=value` arguments as an object; the value may itself contain "=". */
export function parseKeyValues(pairs: string[] = [], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`${what} "${pair}" must look like key=value`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** `key=value` or `key=value@step` (step 0 when left out). */
export function parseMetricArg(arg: string): { key: string; value: number; step: number } {
  const [, key, text, step] = /^([^=]+)=([^@]+)(?:@(-?\d+))?$/.exec(arg) ?? [];
  const value = text === undefined ? NaN : Number(text);
  if (key === undefined || text === undefined || (Number.isNaN(value) && text !== 'NaN'))
    throw new InvalidArgumentError(`metric "${arg}" must look like key=value or key=value@step, with a numeric value`);
  return { key, value, step: step ? Number(step) : 0 };
}

async function client(): Promise<CaliperClient> {
  const creds = await loadCredentials();
  return new CaliperClient({ baseUrl: creds.url, token: creds.token });
}

/** A secret from stdin (piped, or typed and ended with Ctrl-D), without its final newline. */
async function readStdin(what: string): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write(`${what} (end with Ctrl-D): `);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

const formatTime = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '-');

/** Plain aligned columns; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  // A row short of a cell counts it as empty; a cell past the header's columns is not padded.
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

function printRun(run: Run): void {
  console.log(`run ${run.id}  ${run.name}  ${run.status}`);
  console.log(`experiment: ${run.experiment.name} (${run.experiment.id})`);
  console.log(`started: ${formatTime(run.startTime)}  ended: ${formatTime(run.endTime)}`);
  if (run.gitCommit) console.log(`code: ${run.gitRepo ?? ''}@${run.gitCommit}`);
  const section = (title: string, rows: string[][]) => {
    const [first] = rows;
    if (!first) return;
    console.log(`\n${title}`);
    console.log(formatTable(['KEY', 'VALUE', ...(first.length > 2 ? ['STEP'] : [])], rows));
  };
  section('params', Object.entries(run.params));
  section('tags', Object.entries(run.tags));
  section(
    'metrics (latest)',
    run.latestMetrics.map((m) => [m.key, String(m.value), String(m.step)]),
  );
}

/** A JSONL line: a metric point `{key, value, step?, timestamp?}`, or `{params: {...}}` / `{tags: {...}}`. */
async function logJsonLines(logger: RunLogger, file: string): Promise<{ metrics: number; params: number; tags: number }> {
  const counts = { metrics: 0, params: 0, tags: 0 };
  const lines = createInterface({ input: file === '-' ? process.stdin : createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (!text.trim()) continue;
    let entry: { key?: unknown; value?: unknown; step?: unknown; timestamp?: unknown; params?: unknown; tags?: unknown };
    try {
      entry = JSON.parse(text) as typeof entry;
    } catch {
      throw new Error(`${file}:${n}: not valid JSON`);
    }
    if (entry.params && typeof entry.params === 'object') {
      await logger.logParams(entry.params as Record<string, string>);
      counts.params += Object.keys(entry.params).length;
    } else if (entry.tags && typeof entry.tags === 'object') {
      await logger.setTags(entry.tags as Record<string, string>);
      counts.tags += Object.keys(entry.tags).length;
    } else if (typeof entry.key === 'string' && (typeof entry.value === 'number' || entry.value === 'NaN')) {
      const step = entry.step ?? 0;
      if (!Number.isInteger(step)) throw new Error(`${file}:${n}: "step" must be an integer`);
      await logger.logMetric(
        entry.key,
        Number(entry.value),
        step as number,
        typeof entry.timestamp === 'number' ? entry.timestamp : Date.now(),
      );
      counts.metrics++;
    } else {
      throw new Error(`${file}:${n}: expected a metric {"key","value","step"} or {"params":{...}} or {"tags":{...}}`);
    }
  }
  return counts;
}

export function registerClientCommands(program: Command): void {
  program
    .command('login')
    .description('store the API URL and a token in ~/.config/caliper/credentials.json (mode 600)')
    .requiredOption('--url <url>', 'the Caliper API, e.g. https://caliper.example.org')
    .option('--token <token>', 'an API token clp_… from the web UI ("-" reads it from stdin)')
    .option('--username <name>', 'sign in with a password (from CALIPER_PASSWORD, else stdin) and issue a token for --project')
    .option('--project <slug>', 'the project the issued token is for (with --username)')
    .option('--roles <roles>', 'roles the issued token carries, comma-separated (with --username)', 'researcher')
    .action(async (opts: { url: string; token?: string; username?: string; project?: string; roles: string }) => {
      let token = opts.token === '-' ? await readStdin('token') : opts.token;
      if (!token && !opts.username) throw new Error('give --token, or --username with --project');
      if (!token) {
        if (!opts.project) throw new Error('--username needs --project: tokens are issued for one project');
        const password = process.env.CALIPER_PASSWORD ?? (await readStdin('password'));
        const session = new CaliperClient({ baseUrl: opts.url, username: opts.username, password });
        token = await session.createApiToken(opts.project, {
          name: `caliper-cli@${os.hostname()}`,
          roles: opts.roles.split(',').map((r) => r.trim()),
        });
      }
      const me = await new CaliperClient({ baseUrl: opts.url, token }).whoAmI();
      const file = await saveCredentials({
        url: opts.url,
        token,
        username: me.username,
        ...(opts.project ? { project: opts.project } : {}),
      });
      console.log(`logged in to ${opts.url} as ${me.username}; credentials saved in ${file}`);
    });

  const runs = program.command('runs').description('training runs: create, log, upload, finish, list, show');

  runs
    .command('create')
    .description('create a run (status running) and print its id')
    .argument('<project>', 'project slug')
    .option('-e, --experiment <name>', 'experiment name (created if missing; the Default experiment when left out)')
    .option('-n, --name <name>', 'run name (generated when left out)')
    .option('-p, --param <key=value>', 'a param (repeatable)', collect)
    .option('-t, --tag <key=value>', 'a tag (repeatable)', collect)
    .option('--git-commit <sha>', 'code version')
    .option('--git-repo <url>', 'code repository')
    .option('--image-digest <digest>', 'container image digest')
    .option('--json', 'print the run as JSON')
    .action(
      async (
        project: string,
        opts: {
          experiment?: string;
          name?: string;
          param?: string[];
          tag?: string[];
          gitCommit?: string;
          gitRepo?: string;
          imageDigest?: string;
          json?: boolean;
        },
      ) => {
        const run = await (
          await client()
        ).runs.create({
          project,
          experiment: opts.experiment,
          name: opts.name,
          params: parseKeyValues(opts.param, 'param'),
          tags: parseKeyValues(opts.tag, 'tag'),
          git: { commit: opts.gitCommit, repo: opts.gitRepo },
          imageDigest: opts.imageDigest,
        });
        console.log(opts.json ? JSON.stringify(run) : run.id);
      },
    );

  runs
    .command('log')
    .description('log params, tags and metrics to a run, from arguments or a JSONL file')
    .argument('<runId>')
    .option('-p, --param <key=value>', 'a param (repeatable)', collect)
    .option('-t, --tag <key=value>', 'a tag (repeatable)', collect)
    .option('-m, --metric <key=value[@step]>', 'a metric point (repeatable)', collect)
    .option('-f, --file <path>', 'JSONL: {"key","value","step","timestamp"} per line, or {"params":{…}} / {"tags":{…}}; "-" for stdin')
    .action(async (runId: string, opts: { param?: string[]; tag?: string[]; metric?: string[]; file?: string }) => {
      const metrics = (opts.metric ?? []).map(parseMetricArg);
      const params = parseKeyValues(opts.param, 'param');
      const tags = parseKeyValues(opts.tag, 'tag');
      const logger = await (await client()).resumeRun(runId, { heartbeatIntervalMs: 0 });
      try {
        if (Object.keys(params).length) await logger.logParams(params);
        if (Object.keys(tags).length) await logger.setTags(tags);
        const now = Date.now();
        for (const m of metrics) await logger.logMetric(m.key, m.value, m.step, now);
        const fromFile = opts.file ? await logJsonLines(logger, opts.file) : { metrics: 0, params: 0, tags: 0 };
        await logger.flush();
        console.log(
          `logged ${metrics.length + fromFile.metrics} metric point(s), ${Object.keys(params).length + fromFile.params} param(s), ${Object.keys(tags).length + fromFile.tags} tag(s) to run ${runId}`,
        );
      } finally {
        logger.close();
      }
    });

  runs
    .command('upload')
    .description("upload a file to the run's artifacts (streamed, with its sha256), showing progress")
    .argument('<runId>')
    .argument('<file>')
    .option('--path <artifactPath>', "where it goes among the run's artifacts (default: the file name)")
    .action(async (runId: string, file: string, opts: { path?: string }) => {
      const { SingleBar } = await import('cli-progress');
      const bar = new SingleBar({
        format: 'uploading [{bar}] {percentage}% | {value}/{total} bytes | ETA {eta}s',
        stream: process.stderr,
        hideCursor: true,
      });
      let started = false;
      try {
        const info = await (
          await client()
        ).runs.uploadArtifact(runId, file, opts.path, (sent, total) => {
          if (!started) bar.start(total, 0);
          started = true;
          bar.update(sent);
        });
        bar.stop();
        console.log(`uploaded ${info.path} (${info.size} bytes, sha256 ${info.sha256}) to run ${runId}`);
      } finally {
        bar.stop();
      }
    });

  runs
    .command('finish')
    .description("set the run's final status")
    .argument('<runId>')
    .option('-s, --status <status>', 'finished, failed or killed', 'finished')
    .action(async (runId: string, opts: { status: string }) => {
      if (!['finished', 'failed', 'killed'].includes(opts.status))
        throw new Error(`--status must be finished, failed or killed, not "${opts.status}"`);
      const run = await (await client()).runs.update(runId, { status: opts.status as 'finished', endTime: Date.now() });
      console.log(`run ${run.id} is ${run.status}`);
    });

  runs
    .command('ls')
    .description("list a project's runs, filtered and ordered with MLflow's grammar")
    .argument('<project>', 'project slug')
    .option('-e, --experiment <name>', "only this experiment's runs (default: every experiment of the project)")
    .option('--filter <expr>', 'e.g. "metrics.loss < 0.2 and params.lr = \'0.01\'"')
    .option('--order-by <clause>', 'e.g. "metrics.loss ASC" (repeatable)', collect)
    .option(
      '--max-results <n>',
      'runs to list',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
        return n;
      },
      100,
    )
    .option('--json', 'print the runs as JSON lines')
    .action(
      async (project: string, opts: { experiment?: string; filter?: string; orderBy?: string[]; maxResults: number; json?: boolean }) => {
        const found: Run[] = [];
        for await (const run of (await client()).runs.searchAll(project, {
          experiment: opts.experiment,
          filter: opts.filter,
          orderBy: opts.orderBy,
          maxResults: Math.min(opts.maxResults, 1000),
        })) {
          found.push(run);
          if (found.length >= opts.maxResults) break;
        }
        if (opts.json) {
          for (const run of found) console.log(JSON.stringify(run));
          return;
        }
        if (!found.length) {
          console.log('no runs match');
          return;
        }
        const metricsOf = (r: Run) =>
          r.latestMetrics
            .map(
              (m) =>
                `${m.key}=${Number(m.value)
                  .toPrecision(4)
                  .replace(/\.?0+$/, '')}`,
            )
            .join(' ');
        console.log(
          formatTable(
            ['RUN ID', 'NAME', 'STATUS', 'STARTED', 'METRICS'],
            found.map((r) => [r.id, r.name, r.status, formatTime(r.startTime), metricsOf(r)]),
          ),
        );
      },
    );

  runs
    .command('show')
    .description('show a run: status, times, params, tags and latest metrics')
    .argument('<runId>')
    .option('--json', 'print the run as JSON')
    .action(async (runId: string, opts: { json?: boolean }) => {
      const run = await (await client()).runs.get(runId);
      if (opts.json) console.log(JSON.stringify(run, null, 2));
      else printRun(run);
    });
}
