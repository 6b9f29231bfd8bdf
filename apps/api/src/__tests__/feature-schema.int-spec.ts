/**
 * The schema check over every feature: features declare their entities in their own folders
 * (PersistenceModule.forFeature), so the core's check in libs/persistence cannot see them. Importing
 * the api's feature list registers them all; the migrated database must then match every entity.
 */
import { allEntities, ENTITIES, pendingSchemaChanges } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { API_FEATURES } from '../features';

describe("every feature's entities against the migrations", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('leaves nothing for the schema check to generate once every feature is loaded', async () => {
    expect(API_FEATURES.length).toBeGreaterThan(10);
    expect(allEntities().slice(0, ENTITIES.length)).toEqual(ENTITIES);
    expect(await pendingSchemaChanges(db.ownerUrl)).toEqual([]);
  });
});
