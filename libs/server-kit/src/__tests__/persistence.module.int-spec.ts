import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AccountsRepository, TrackingRepository } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { PersistenceModule, REPOSITORIES } from '../persistence.module';

/** A feature's own repository, as a new feature would add one. */
class NotesRepository {
  constructor(readonly ds: DataSource) {}
  async count(): Promise<number> {
    return Number((await this.ds.query('SELECT count(*)::int AS n FROM users'))[0].n);
  }
}

@Injectable()
class NotesService {
  constructor(
    readonly notes: NotesRepository,
    readonly accounts: AccountsRepository,
  ) {}
}

@Module({ imports: [PersistenceModule.forFeature([NotesRepository])], providers: [NotesService], exports: [NotesService] })
class NotesModule {}

@Injectable()
class OtherService {
  constructor(readonly accounts: AccountsRepository) {}
}

@Module({ providers: [OtherService] })
class OtherModule {}

describe('PersistenceModule (real PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('builds every repository once over one DataSource, gives a feature its own repositories, and closes the DataSource on shutdown', async () => {
    class Root {}
    const app = await NestFactory.createApplicationContext(
      {
        module: Root,
        imports: [PersistenceModule.forRoot({ url: db.appUrl, applicationName: 'persistence-module-test' }), NotesModule, OtherModule],
      },
      { logger: false },
    );
    const ds = app.get(DataSource);
    expect(ds.isInitialized).toBe(true);
    // One instance per repository, shared by every feature.
    const notes = app.get(NotesService);
    expect(notes.accounts).toBe(app.get(OtherService).accounts);
    for (const cls of REPOSITORIES) expect(app.get(cls, { strict: false })).toBeInstanceOf(cls);
    expect(app.get(TrackingRepository)).toBe(app.get(TrackingRepository));
    // The feature's repository runs on the same DataSource, against the real database.
    expect(notes.notes.ds).toBe(ds);
    expect(await notes.notes.count()).toBe(0);
    // Not global: a module that did not import the feature cannot see its repository.
    expect(() => app.select(OtherModule).get(NotesRepository, { strict: true })).toThrow();
    await app.close();
    expect(ds.isInitialized).toBe(false);
  });
});
