import { tmpdir } from 'node:os';
import path from 'node:path';
import { recreateDatabase, runMigrations, withDatabase } from '@caliper/persistence';
import { TEST_PG_URL } from '@caliper/persistence/testing';

/** Builds the migrated template database every integration test file clones; unique per run. */
export default async function globalSetup(): Promise<void> {
  process.env.CALIPER_TEST_TEMPLATE_DB = `caliper_test_template_${process.pid}`;
  // Processes the tests spawn keep their Redis keys (login limits, queues) apart from a running Caliper's.
  process.env.REDIS_PREFIX ??= `test-run-${process.pid}`;
  // Where the browser tests' shared production build of the web app goes (apps/web/e2e/harness.ts
  // webBuild): built once, by the first test file that needs it.
  process.env.CALIPER_TEST_WEB_DIST = path.join(tmpdir(), `caliper-test-web-${process.pid}`);
  const url = withDatabase(TEST_PG_URL, process.env.CALIPER_TEST_TEMPLATE_DB);
  await recreateDatabase(url);
  await runMigrations(url);
}
