import { dropDatabase, TEST_PG_URL, withDatabase } from '@caliper/persistence';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.CALIPER_TEST_TEMPLATE_DB;
  if (name) await dropDatabase(withDatabase(TEST_PG_URL, name));
}
