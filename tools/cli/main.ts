/**
 * `caliper` CLI. Operator commands that talk to the database use DATABASE_OWNER_URL / DATABASE_URL
 * (see .env.example); `login` and `runs …` talk to the API through the SDK (runs-commands.ts).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Command } from 'commander';
import type { AuditCheckpoint } from '@caliper/domain';
import { Config, loadConfig } from '@caliper/config';
import { AuditRepository, createDataSource, ensureDatabase, runMigrations, setAppRolePassword } from '@caliper/persistence';
import { AuditCheckpointStore, objectStoreFromConfig } from '@caliper/storage';
import { registerClientCommands } from './runs-commands';

const program = new Command('caliper').description('Caliper: log training runs and operate the platform');
registerClientCommands(program);

program
  .command('migrate')
  .description('create the database if missing and apply pending migrations as the owner role')
  .action(async () => {
    const config = loadConfig();
    if (await ensureDatabase(config.DATABASE_OWNER_URL)) console.log('created database');
    const applied = await runMigrations(config.DATABASE_OWNER_URL);
    if (config.DATABASE_APP_PASSWORD) await setAppRolePassword(config.DATABASE_OWNER_URL, config.DATABASE_APP_PASSWORD);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  });

const audit = program.command('audit').description('the tamper-evident audit log');
audit
  .command('verify')
  .description('walk the hash chain, compare it with the checkpoints kept in S3, and report the first broken link (exit 1 if broken)')
  .option('--json', 'print the report as JSON')
  .option('--skip-checkpoints', 'verify the chain alone (when S3 is unreachable); a deleted tail or a rewritten chain then goes unnoticed')
  .action(async (opts: { json?: boolean; skipCheckpoints?: boolean }) => {
    const config = loadConfig();
    const checkpoints = opts.skipCheckpoints ? [] : await readCheckpoints(config);
    const ds = createDataSource(config.DATABASE_URL, { applicationName: 'caliper-cli', poolSize: 1 });
    await ds.initialize();
    try {
      const report = await new AuditRepository(ds).verify(checkpoints);
      const against = opts.skipCheckpoints
        ? 'checkpoints NOT checked (--skip-checkpoints)'
        : `${report.checkpointsChecked} of ${checkpoints.length} checkpoint(s) in s3://${config.S3_BUCKET_AUDIT} match`;
      if (opts.json) console.log(JSON.stringify({ ...report, checkpointsFound: opts.skipCheckpoints ? null : checkpoints.length }));
      else if (report.ok) console.log(`audit chain intact: ${report.checkedEvents} events, last #${report.lastSeq} ${report.lastHash}; ${against}`);
      else console.log(`audit chain BROKEN at event #${report.firstBrokenSeq}: ${report.problem} (${report.checkedEvents} events verified before it)`);
      process.exitCode = report.ok ? 0 : 1;
    } finally {
      await ds.destroy();
    }
  });

/** The checkpoints the worker wrote to S3; failing to read them is an error, never "no checkpoints". */
async function readCheckpoints(config: Config): Promise<AuditCheckpoint[]> {
  const store = objectStoreFromConfig(config);
  try {
    if (!(await store.bucketExists(config.S3_BUCKET_AUDIT))) {
      throw new Error(`bucket "${config.S3_BUCKET_AUDIT}" does not exist (the worker creates it and writes checkpoints there)`);
    }
    return await new AuditCheckpointStore(store, config.S3_BUCKET_AUDIT).readAll();
  } catch (err) {
    throw new Error(`could not read the audit checkpoints from ${config.S3_ENDPOINT}: ${(err as Error).message}. Check S3_ENDPOINT and S3_BUCKET_AUDIT, or pass --skip-checkpoints to verify the chain alone.`);
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
    const entry = path.resolve(__dirname, '../../apps/api/src/admin-cli.ts');
    const child = spawn(process.execPath, ['-r', path.resolve(__dirname, '../register.js'), entry, 'create', '--username', opts.username, '--display-name', opts.displayName], { stdio: 'inherit' });
    process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 2)));
  });

program.parseAsync().catch((err: Error) => {
  console.error(`caliper: ${err.message}`);
  process.exitCode = 2;
});
