import { recreateDatabase, runMigrations, TEMPLATE_DB, TEST_PG_URL, withDatabase } from '@caliper/persistence';


/** Builds the migrated template database every integration test file clones. */
export default async function globalSetup(): Promise<void> {
  const url = withDatabase(TEST_PG_URL, TEMPLATE_DB);
  await recreateDatabase(url);
  await runMigrations(url);
}
