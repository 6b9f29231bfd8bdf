/**
 * Compare benchmark (prints figures; not a test): `npm run bench:compare [-- --phases downsample,compare --reps 7]`.
 * Boots the built API on a scratch database (tools/bench/harness.ts), seeds through the ingest
 * API, and times each phase: median and p95 of --reps repetitions (at least 5).
 * Phases: downsample (a), compare (b), search (c: search-phase.ts); others register in PHASES below.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { mb, startBenchApi, type BenchApi } from '../harness';
import { browserPhase } from './browser-phase';
import { searchPhase } from './search-phase';
import { seriesPhases } from './series-phase';

type Phase = (api: BenchApi, opts: { reps: number; phases: Set<string> }) => Promise<void>;

/** Every phase, by the names --phases takes; a runner may serve several names. */
const PHASES: { names: string[]; run: Phase }[] = [
  { names: ['downsample', 'compare'], run: seriesPhases },
  { names: ['search'], run: searchPhase },
  { names: ['browser'], run: browserPhase },
];

const { values: flags } = parseArgs({
  options: {
    phases: { type: 'string', default: PHASES.flatMap((p) => p.names).join(',') },
    reps: { type: 'string', default: '7' },
    api: { type: 'string', default: 'built' },
  },
});

async function main(): Promise<void> {
  const reps = Number(flags.reps);
  if (!Number.isInteger(reps) || reps < 5) throw new Error(`--reps must be an integer of at least 5, not ${flags.reps}`);
  const phases = new Set(String(flags.phases).split(','));
  const known = new Set(PHASES.flatMap((p) => p.names));
  for (const p of phases) if (!known.has(p)) throw new Error(`unknown phase ${p}; phases: ${[...known].join(', ')}`);
  console.log(
    `${os.cpus().length} CPU cores; load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const api = await startBenchApi({ api: flags.api as 'built' | 'source' });
  try {
    for (const p of PHASES) {
      if (!p.names.some((n) => phases.has(n))) continue;
      api.rss.current = p.names.join('/');
      await p.run(api, { reps, phases });
    }
    console.log(
      `load average at end ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(`API process peak RSS: ${mb(api.rss.max)}; by phase: ${[...api.rss.phase].map(([p, b]) => `${p} ${mb(b)}`).join(', ')}`);
  } finally {
    await api.close();
  }
}

main().catch((err: Error) => {
  console.error(`bench:compare failed: ${err.stack ?? err.message}`);
  process.exitCode = 1;
});
