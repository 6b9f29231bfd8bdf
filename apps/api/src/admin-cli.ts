/**
 * `caliper admin create`: creates a system admin straight in the database (first install, or
 * locked out), with the same validation, argon2id hashing and audit event as the API. The
 * password comes from stdin (never argv, which other users can read in the process list).
 */
import { DomainError } from '@caliper/domain';
import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '@caliper/config';
import { AccountsRepository, ApiTokensRepository, AuditRepository, createDataSource } from '@caliper/persistence';
import { UsersService } from './users/users.service';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function createAdmin(databaseUrl: string, username: string, password: string, displayName: string): Promise<string> {
  const ds = await createDataSource(databaseUrl, { applicationName: 'caliper-cli', poolSize: 1 }).initialize();
  try {
    const users = new UsersService(ds, new AccountsRepository(ds), new AuditRepository(ds), new ApiTokensRepository(ds));
    const user = await users.create(
      { actorId: null, actorLabel: 'cli:admin-create' },
      { username, displayName, password, globalRole: 'system_admin' },
    );
    return user.id;
  } finally {
    await ds.destroy();
  }
}

if (require.main === module) {
  new Command('caliper admin')
    .command('create')
    .description('create a system admin; the password is read from stdin')
    .requiredOption('--username <name>', "the new admin's username")
    .option('--display-name <name>', 'name shown in the UI', 'Administrator')
    .action(async (opts: { username: string; displayName: string }) => {
      const password = await readStdin();
      const id = await createAdmin(loadConfig().DATABASE_URL, opts.username, password, opts.displayName);
      console.log(`created system admin ${opts.username} (${id})`);
    })
    .parent!.parseAsync()
    .catch((err: Error) => {
      console.error(`caliper admin: ${err instanceof DomainError || err instanceof ConfigError ? err.message : err.stack}`);
      process.exitCode = 2;
    });
}
