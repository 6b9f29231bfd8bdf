/**
 * CLI start-up benchmark (prints figures; not a test): `npm run bench:cli [-- --reps 5]`.
 *
 * Issue 12 measured every `caliper` command at 4-8 s (`--help` 4.5 s) on a busy machine: the
 * TypeScript was compiled on load. The command now runs the build in dist/cli (tools/build/cli.ts,
 * kept current by tools/cli/bin.js). In the same run, against the API on a scratch database with
 * 20 logged runs, this times, as separate processes, median and p95 of --reps each (interleaved,
 * so load on the machine falls on both alike):
 *   before  `node -r tools/register.js tools/cli/main.ts …`, the old bin.js (SWC's disk cache warm)
 *   cold    the same with SWC's disk cache off (a first run after a change)
 *   after   `node tools/cli/bin.js …` with a current build
 * for `--help` and `runs ls <project>`, and the target: after ≤ 500 ms.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildCli } from '../../build/cli';
import { fmt, median, percentile, REGISTER, ROOT, startBenchApi } from '../harness';

const { values: flags } = parseArgs({ options: { reps: { type: 'string', default: '5' } } });
const REPS = Number(flags.reps);
const TARGET_MS = 500;

const VARIANTS = {
  before: { args: ['-r', REGISTER, path.join(ROOT, 'tools/cli/main.ts')], env: {} },
  cold: { args: ['-r', REGISTER, path.join(ROOT, 'tools/cli/main.ts')], env: { SWC_NODE_CACHE: '0' } },
  after: { args: [path.join(ROOT, 'tools/cli/bin.js')], env: { CALIPER_CLI_TRACE: '1' } },
} as const;
type Variant = keyof typeof VARIANTS;

/**
 * One command as a process; its wall time in ms. Fails on a non-zero exit or output unlike `expect`.
 * An "after" run that rebuilt dist/cli (a source changed meanwhile: other work in the checkout)
 * is not a sample of the build: it is repeated, now on the new build.
 */
async function time(variant: Variant, args: string[], env: Record<string, string>, expect: RegExp): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const ms = await timeOnce(variant, args, env, expect);
    if (ms !== null) return ms;
    if (attempt === 3) throw new Error(`caliper ${args.join(' ')} rebuilt dist/cli three times in a row: are the sources being edited?`);
  }
}

function timeOnce(variant: Variant, args: string[], env: Record<string, string>, expect: RegExp): Promise<number | null> {
  const v = VARIANTS[variant];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...v.args, ...args], { env: { ...process.env, ...env, ...v.env } }, (err, out, errOut) => {
      const ms = performance.now() - started;
      if (err) return reject(new Error(`${variant} caliper ${args.join(' ')} failed: ${errOut || err.message}`));
      if (!expect.test(out)) return reject(new Error(`${variant} caliper ${args.join(' ')} printed something else:\n${out}`));
      // The "after" figures must be of the build, not of a run that rebuilt it.
      if (variant === 'after' && !/^caliper: running the build in /.test(errOut)) {
        console.log(`(caliper ${args.join(' ')} rebuilt dist/cli: ${errOut.split('\n')[0]}; repeated)`);
        return resolve(null);
      }
      resolve(ms);
    });
  });
}

async function main(): Promise<void> {
  if (!Number.isInteger(REPS) || REPS < 5) throw new Error(`--reps must be an integer of at least 5, not ${flags.reps}`);
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(`${os.cpus().length} CPU cores; load average at start ${load()}; node ${process.version}`);
  const built = await buildCli();
  console.log(`npm run build:cli: ${built.files} files in ${fmt(built.ms)} ms`);
  const api = await startBenchApi({ api: 'source', projectSlug: 'bench-cli' });
  try {
    for (let i = 0; i < 20; i++) {
      const run = await api.client.runs.create({
        project: api.project.slug,
        name: `cli-bench-${i}`,
        params: { lr: String(0.001 * (i + 1)) },
      });
      await api.client.runs.update(run.id, { status: 'finished', endTime: Date.now() });
    }
    const env = { CALIPER_URL: api.base, CALIPER_TOKEN: api.token, CALIPER_DATA_DIR: path.join(ROOT, '.tmp/bench-cli-no-launcher') };
    const commands: { label: string; args: string[]; expect: RegExp }[] = [
      { label: '--help', args: ['--help'], expect: /^Usage: caliper/ },
      { label: 'runs ls', args: ['runs', 'ls', api.project.slug], expect: /cli-bench-19/ },
    ];
    const samples = new Map<string, number[]>();
    // A warm-up of each, then the repetitions interleaved.
    for (const c of commands) for (const v of Object.keys(VARIANTS) as Variant[]) await time(v, c.args, env, c.expect);
    for (let rep = 0; rep < REPS; rep++) {
      for (const c of commands) {
        for (const v of Object.keys(VARIANTS) as Variant[]) {
          const key = `${c.label}/${v}`;
          samples.set(key, [...(samples.get(key) ?? []), await time(v, c.args, env, c.expect)]);
        }
      }
    }
    console.log(`\n${'command'.padEnd(10)}${'variant'.padEnd(9)}${'median'.padStart(9)}${'p95'.padStart(9)}`);
    for (const c of commands) {
      for (const v of Object.keys(VARIANTS) as Variant[]) {
        const xs = samples.get(`${c.label}/${v}`)!;
        console.log(
          `${c.label.padEnd(10)}${v.padEnd(9)}${`${fmt(median(xs))} ms`.padStart(9)}${`${fmt(percentile(xs, 95))} ms`.padStart(9)}`,
        );
      }
    }
    console.log('');
    for (const c of commands) {
      const m = (v: Variant) => median(samples.get(`${c.label}/${v}`)!);
      const verdict = m('after') <= TARGET_MS ? 'meets' : 'MISSES';
      console.log(
        `${c.label}: ${fmt(m('before'))} ms → ${fmt(m('after'))} ms (${(m('before') / m('after')).toFixed(1)}× faster; ${(m('cold') / m('after')).toFixed(1)}× against a cold SWC cache); ${verdict} the ${TARGET_MS} ms target`,
      );
    }
    console.log(`load average at end ${load()}`);
  } finally {
    await api.close();
  }
}

main().catch((err: Error) => {
  console.error(`bench:cli failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
