import { rmSync } from 'node:fs';
import { dropDatabase, withDatabase } from '@caliper/persistence';
import { TEST_PG_URL } from '@caliper/persistence/testing';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.CALIPER_TEST_TEMPLATE_DB;
  if (name) await dropDatabase(withDatabase(TEST_PG_URL, name));
  const web = process.env.CALIPER_TEST_WEB_DIST;
  if (web) for (const p of [web, `${web}.lock`, `${web}.partial`, `${web}.failed`]) rmSync(p, { recursive: true, force: true });
}
