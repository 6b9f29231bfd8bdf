/** Test databases: one migrated template per test run, one clone per test file (STYLE.md: immich medium tests). */
import { randomBytes } from 'node:crypto';
import { dropDatabase, recreateDatabase, withDatabase } from '../database-admin';

export const TEST_PG_URL = process.env.TEST_DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The migrated template: one per Jest run (named by global setup) so parallel runs never race. */
export function templateDb(): string {
  return process.env.CALIPER_TEST_TEMPLATE_DB ?? 'caliper_test_template';
}

export interface TestDatabase {
  name: string;
  ownerUrl: string;
  appUrl: string;
  drop(): Promise<void>;
}

export function appUrlFor(ownerUrl: string): string {
  const u = new URL(ownerUrl);
  u.username = 'caliper_app';
  u.password = '';
  return u.toString();
}

/** A fresh database; cloned from the migrated template unless `empty` is asked for. */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `caliper_test_${randomBytes(5).toString('hex')}`;
  const ownerUrl = withDatabase(TEST_PG_URL, name);
  await recreateDatabase(ownerUrl, opts.empty ? undefined : templateDb());
  return { name, ownerUrl, appUrl: appUrlFor(ownerUrl), drop: () => dropDatabase(ownerUrl) };
}
