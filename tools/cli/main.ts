/**
 * `caliper` operator CLI. Commands that talk to the database use DATABASE_OWNER_URL / DATABASE_URL
 * (see .env.example); commands over the API come with the SDK in the Tracking issue.
 */
import { Command } from 'commander';
import { loadConfig } from '@caliper/config';
import { AuditRepository, createDataSource, ensureDatabase, runMigrations, setAppRolePassword } from '@caliper/persistence';

const program = new Command('caliper').description('Caliper operator commands');

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
  .description('walk the hash chain and report the first broken link (exit 1 if broken)')
  .option('--json', 'print the report as JSON')
  .action(async (opts: { json?: boolean }) => {
    const config = loadConfig();
    const ds = createDataSource(config.DATABASE_URL, { applicationName: 'caliper-cli', poolSize: 1 });
    await ds.initialize();
    try {
      const report = await new AuditRepository(ds).verify();
      if (opts.json) console.log(JSON.stringify(report));
      else if (report.ok) console.log(`audit chain intact: ${report.checkedEvents} events, last #${report.lastSeq} ${report.lastHash}`);
      else console.log(`audit chain BROKEN at event #${report.firstBrokenSeq}: ${report.problem} (${report.checkedEvents} events verified before it)`);
      process.exitCode = report.ok ? 0 : 1;
    } finally {
      await ds.destroy();
    }
  });

program.parseAsync().catch((err: Error) => {
  console.error(`caliper: ${err.message}`);
  process.exitCode = 2;
});
