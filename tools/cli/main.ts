/**
 * `caliper` CLI. Operator commands that talk to the database use DATABASE_OWNER_URL / DATABASE_URL
 * (see .env.example); `login`, `runs …` and `models …` talk to the API through the SDK (runs-commands.ts, models-commands.ts).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Command } from 'commander';
import { registerModelCardCommands } from './model-card-commands';
import { registerModelCommands } from './models-commands';
import { registerPromotionCommands } from './promotion-commands';
import { registerClientCommands } from './runs-commands';
import { registerTemplateCommands } from './templates-commands';
import { applyLauncherSettings } from './launcher-settings';
import type * as OperatorCommands from './operator-commands';

// The operator commands load the database, storage and config libraries (TypeORM, the S3 client,
// zod: a third of a second) when they run, not for every command (`--help`, `runs ls`). A require,
// not import(): this file is CommonJS, where a dynamic import() resolves as ESM (needing the
// emitted file's extension, which the sources run by tools/register.js do not have).
const operator = async (): Promise<typeof OperatorCommands> =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./operator-commands') as typeof OperatorCommands;

// DATABASE_*, REDIS_*, S3_* … not set here: those of a running `npm start`, if one runs (env wins).
const launcher = applyLauncherSettings();
if (launcher.status === 'stale') console.error(`caliper: ignoring ${launcher.file}: ${launcher.reason}`);

const program = new Command('caliper').description('Caliper: log training runs and operate the platform');
registerClientCommands(program);
registerModelCommands(program);
registerModelCardCommands(program);
registerPromotionCommands(program);
registerTemplateCommands(program);

program
  .command('migrate')
  .description('create the database if missing and apply pending migrations as the owner role')
  .action(async () => (await operator()).migrate());

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
  .action(async (opts: { json?: boolean; skipCheckpoints?: boolean }) => (await operator()).auditVerify(opts));

audit
  .command('acknowledge-break')
  .description(
    'record, as a new audit event, that a system admin has investigated the broken event N; verify then lists it as acknowledged. Never rewrites the broken row',
  )
  .requiredOption('--seq <n>', 'the broken event, as `audit verify` lists it')
  .requiredOption('--by <username>', 'the system admin who investigated it (an active user with the system_admin role)')
  .requiredOption('--reason <text>', 'what was found and why the row stays as it is (at least 10 characters)')
  .action(async (opts: { seq: string; by: string; reason: string }) => (await operator()).acknowledgeBreak(opts));

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
