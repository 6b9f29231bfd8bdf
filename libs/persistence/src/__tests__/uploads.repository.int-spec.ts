import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, PendingUpload, UploadsRepository } from '../index';
import { createTestDatabase, TestDatabase } from '../testing/test-database';

describe('UploadsRepository (real PostgreSQL, app role)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let uploads: UploadsRepository;

  beforeEach(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.appUrl).initialize();
    uploads = new UploadsRepository(ds);
  });
  afterEach(async () => {
    await ds.destroy();
    await db.drop();
  });

  async function age(objectKey: string, seconds: number) {
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await owner.query(`UPDATE uploads SET created_at = now() - make_interval(secs => $2) WHERE object_key = $1`, [objectKey, seconds]);
    await owner.end();
  }
  const keys = async () =>
    ((await ds.query(`SELECT object_key, status FROM uploads ORDER BY object_key`)) as { object_key: string; status: string }[]).map(
      (r) => `${r.object_key}:${r.status}`,
    );

  it('sweeps old pending uploads only, removing each object before its row', async () => {
    const old = await ds.transaction((m) => uploads.begin(m, 'b', 'old-pending'));
    await ds.transaction((m) => uploads.begin(m, 'b', 'young-pending'));
    const done = await ds.transaction((m) => uploads.begin(m, 'b', 'old-complete'));
    expect(await ds.transaction((m) => uploads.complete(m, done, { size: 3, sha256: 'f'.repeat(64) }))).toBe(true);
    await age('old-pending', 7200);
    await age('old-complete', 7200);
    const removed: PendingUpload[] = [];
    const swept = await uploads.sweepOrphans(3600, 100, async (u) => {
      removed.push(u);
    });
    expect(swept).toEqual([{ id: old, bucket: 'b', objectKey: 'old-pending' }]);
    expect(removed).toEqual(swept);
    expect(await keys()).toEqual(['old-complete:complete', 'young-pending:pending']);
  });

  it('keeps every row of the batch when removing an object fails', async () => {
    await ds.transaction((m) => uploads.begin(m, 'b', 'a'));
    await ds.transaction((m) => uploads.begin(m, 'b', 'c'));
    await age('a', 7200);
    await age('c', 7200);
    await expect(
      uploads.sweepOrphans(3600, 100, async (u) => {
        if (u.objectKey === 'c') throw new Error('S3 unreachable');
      }),
    ).rejects.toThrow('S3 unreachable');
    expect(await keys()).toEqual(['a:pending', 'c:pending']);
  });

  it('does not complete an upload that was swept', async () => {
    const id = await ds.transaction((m) => uploads.begin(m, 'b', 'late'));
    await age('late', 7200);
    await uploads.sweepOrphans(3600, 100, async () => undefined);
    expect(await ds.transaction((m) => uploads.complete(m, id, { size: 1, sha256: 'a'.repeat(64) }))).toBe(false);
  });
});
