/**
 * `caliper` CLI. Operator commands that talk to the database use DATABASE_OWNER_URL / DATABASE_URL
 * (see .env.example); `login` and `runs …` talk to the API through the SDK (runs-commands.ts).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Command } from 'commander';
import type { AuditCheckpoint } from '@caliper/domain';
import type { Config } from '@caliper/config';
import { registerClientCommands } from './runs-commands';
import { applyLauncherSettings } from './launcher-settings';

// The operator commands load the database, storage and config libraries (TypeORM, the S3 client,
// zod: a third of a second) when they run, not for every command (`--help`, `runs ls`).
const persistence = () => import('@caliper/persistence');
const domain = () => import('@caliper/domain');
const loadConfig = async () => (await import('@caliper/config')).loadConfig();

// DATABASE_*, REDIS_*, S3_* … not set here: those of a running `npm start`, if one runs (env wins).
const launcher = applyLauncherSettings();
if (launcher.status === 'stale') console.error(`caliper: ignoring ${launcher.file}: ${launcher.reason}`);

const program = new Command('caliper').description('Caliper: log training runs and operate the platform');
registerClientCommands(program);

program
  .command('migrate')
  .description('create the database if missing and apply pending migrations as the owner role')
  .action(async () => {
    const config = await loadConfig();
    const { ensureDatabase, runMigrations, setAppRolePassword } = await persistence();
    if (await ensureDatabase(config.DATABASE_OWNER_URL)) console.log('created database');
    const applied = await runMigrations(config.DATABASE_OWNER_URL);
    if (config.DATABASE_APP_PASSWORD) await setAppRolePassword(config.DATABASE_OWNER_URL, config.DATABASE_APP_PASSWORD);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  });

const audit = program.command('audit').description('the tamper-evident audit log');
audit
  .command('verify')
  .description(
    'walk the hash chain, compare it with the checkpoints kept in S3 and recorded in the database, and report every break (exit 1 unless every break is acknowledged)',
  )
  .option('--json', 'print the report as JSON')
  .option(
    '--skip-checkpoints',
    'verify the chain alone (when S3 is unreachable); a deleted tail, a rewritten chain or a deleted checkpoint then goes unnoticed',
  )
  .action(async (opts: { json?: boolean; skipCheckpoints?: boolean }) => {
    const config = await loadConfig();
    const { checkpointDeadlineSeconds, ROW_BREAK_KINDS } = await domain();
    const { AuditRepository, createDataSource } = await persistence();
    const checkpoints = opts.skipCheckpoints ? null : await readCheckpoints(config);
    const deadline = checkpointDeadlineSeconds(config.AUDIT_CHECKPOINT_INTERVAL_SECONDS, config.AUDIT_CHECKPOINT_QUIET_SECONDS);
    const ds = createDataSource(config.DATABASE_URL, { applicationName: 'caliper-cli', poolSize: 1 });
    await ds.initialize();
    try {
      const report = await new AuditRepository(ds).verify(checkpoints, { coverBefore: new Date(Date.now() - deadline * 1000) });
      const against =
        checkpoints === null
          ? 'checkpoints NOT checked (--skip-checkpoints)'
          : `${report.checkpointsChecked} of ${report.checkpointsFound} checkpoint(s) in s3://${config.S3_BUCKET_AUDIT} match; ${report.checkpointsExpected} recorded in the database`;
      const acknowledged = report.breaks.filter((b) => b.acknowledged);
      if (opts.json) console.log(JSON.stringify(report));
      else {
        if (report.ok) {
          console.log(
            `audit chain intact${acknowledged.length ? ` but for ${acknowledged.length} acknowledged break(s)` : ''}: ${report.checkedEvents} events, last #${report.lastSeq} ${report.lastHash}; ${against}`,
          );
        } else {
          console.log(
            `audit chain BROKEN at event #${report.firstBrokenSeq}: ${report.problem} (${report.unacknowledgedBreaks} unacknowledged break(s), ${report.checkedEvents} events checked, last #${report.lastSeq}; ${against})`,
          );
        }
        for (const b of report.breaks) {
          const ack = b.acknowledged
            ? ` [acknowledged in event #${b.acknowledged.seq} by ${b.acknowledged.by} at ${b.acknowledged.time}: ${b.acknowledged.reason ?? ''}]`
            : '';
          console.log(`  #${b.seq} ${b.kind}: ${b.problem}${ack}`);
        }
        if (!report.ok && report.breaks.some((b) => !b.acknowledged && ROW_BREAK_KINDS.includes(b.kind))) {
          console.log(
            'Investigate each break; a row that cannot be restored is acknowledged with `caliper audit acknowledge-break --seq N --by ADMIN --reason "..."` (README: audit).',
          );
        }
      }
      process.exitCode = report.ok ? 0 : 1;
    } finally {
      await ds.destroy();
    }
  });

audit
  .command('acknowledge-break')
  .description(
    'record, as a new audit event, that a system admin has investigated the broken event N; verify then lists it as acknowledged. Never rewrites the broken row',
  )
  .requiredOption('--seq <n>', 'the broken event, as `audit verify` lists it')
  .requiredOption('--by <username>', 'the system admin who investigated it (an active user with the system_admin role)')
  .requiredOption('--reason <text>', 'what was found and why the row stays as it is (at least 10 characters)')
  .action(async (opts: { seq: string; by: string; reason: string }) => {
    if (!/^[1-9][0-9]{0,15}$/.test(opts.seq)) throw new Error(`--seq must be an event number, e.g. --seq 42 (got "${opts.seq}")`);
    const reason = opts.reason.trim();
    if (reason.length < 10) throw new Error('--reason must say what was found (at least 10 characters)');
    const bad = (await domain()).textProblem(reason);
    if (bad) throw new Error(`--reason ${bad}`);
    const config = await loadConfig();
    const { AuditRepository, createDataSource } = await persistence();
    const ds = createDataSource(config.DATABASE_URL, { applicationName: 'caliper-cli', poolSize: 1 });
    await ds.initialize();
    try {
      const [user]: { id: string; global_role: string | null; is_active: boolean }[] = await ds.query(
        `SELECT id, global_role, is_active FROM users WHERE username = $1`,
        [opts.by],
      );
      if (!user || user.global_role !== 'system_admin' || !user.is_active) {
        throw new Error(`--by "${opts.by}" is not an active system admin: only a system admin can acknowledge a break in the audit chain`);
      }
      const { ackSeq, acknowledged } = await new AuditRepository(ds).acknowledgeBreak({
        seq: Number(opts.seq),
        reason,
        actorId: user.id,
        actorLabel: opts.by,
      });
      console.log(
        `acknowledged the break at event #${opts.seq} (${acknowledged.map((b) => b.kind).join(', ')}) in audit event #${ackSeq} by ${opts.by}`,
      );
    } finally {
      await ds.destroy();
    }
  });

/** The checkpoints the worker wrote to S3; failing to read them is an error, never "no checkpoints". */
async function readCheckpoints(config: Config): Promise<AuditCheckpoint[]> {
  const { AuditCheckpointStore, objectStoreFromConfig } = await import('@caliper/storage');
  const store = objectStoreFromConfig(config);
  try {
    if (!(await store.bucketExists(config.S3_BUCKET_AUDIT))) {
      throw new Error(`bucket "${config.S3_BUCKET_AUDIT}" does not exist (the worker creates it and writes checkpoints there)`);
    }
    return await new AuditCheckpointStore(store, config.S3_BUCKET_AUDIT).readAll();
  } catch (err) {
    throw new Error(
      `could not read the audit checkpoints from ${config.S3_ENDPOINT}: ${(err as Error).message}. Check S3_ENDPOINT and S3_BUCKET_AUDIT, or pass --skip-checkpoints to verify the chain alone.`,
    );
  }
}

program
  .command('admin')
  .description('system administrators')
  .command('create')
  .description('create a system admin in the database; the password is read from stdin')
  .requiredOption('--username <name>', "the new admin's username")
  .option('--display-name <name>', 'name shown in the UI', 'Administrator')
  .action(async (opts: { username: string; displayName: string }) => {
    // The command lives with the API's user service (same validation, hashing and audit event).
    // From source: admin-cli.ts through the SWC loader; built (dist/server): the compiled admin-cli.js, no loader.
    const ext = path.extname(__filename);
    const entry = path.resolve(__dirname, `../../apps/api/src/admin-cli${ext}`);
    const loader = ext === '.ts' ? ['-r', path.resolve(__dirname, '../register.js')] : [];
    const child = spawn(process.execPath, [...loader, entry, 'create', '--username', opts.username, '--display-name', opts.displayName], {
      stdio: 'inherit',
    });
    process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 2)));
  });

program.parseAsync().catch((err: Error) => {
  console.error(`caliper: ${err.message}`);
  process.exitCode = 2;
});
