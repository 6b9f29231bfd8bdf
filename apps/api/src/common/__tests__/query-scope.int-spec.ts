/**
 * The HTTP half of query cancellation: a client that disconnects mid-request stops the bounded
 * query its request started, in PostgreSQL (real server, real HTTP connection), while a request
 * that completes leaves nothing cancelled.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { DataSource } from 'typeorm';
import { boundedQuery, createDataSource } from '@caliper/persistence';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';
import { cancelQueriesOnDisconnect } from '../query-scope.middleware';

describe('cancelQueriesOnDisconnect', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let server: http.Server;
  let base: string;
  const outcomes: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.appUrl, { poolSize: 3 }).initialize();
    const app = express();
    app.use(cancelQueriesOnDisconnect);
    app.get('/sleep/:seconds', (req, res) => {
      boundedQuery(ds, `SELECT pg_sleep(${Number(req.params.seconds)})`, [], { timeoutMs: 60_000, what: 'The sleep' }).then(
        () => {
          outcomes.push('done');
          res.json({});
        },
        (err: Error) => {
          outcomes.push(err.message);
          if (!res.headersSent && !res.destroyed) res.status(400).json({ message: err.message });
        },
      );
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await ds.destroy();
    await db.drop();
  });

  const sleeping = async () =>
    (await ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(%' AND state = 'active'`))[0]
      .n as number;
  const until = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 5000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not reached within 5 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('stops the query in PostgreSQL when the client disconnects', async () => {
    const req = http.get(`${base}/sleep/30`);
    req.on('error', () => undefined);
    await until(async () => (await sleeping()) === 1);
    req.destroy();
    await until(async () => outcomes.length === 1);
    expect(outcomes).toEqual(['The request for The sleep was closed by the client; the query was stopped.']);
    expect(await sleeping()).toBe(0);
  });

  it('lets a request that stays connected finish', async () => {
    const res = await fetch(`${base}/sleep/0.2`);
    expect(res.status).toBe(200);
    expect(outcomes.at(-1)).toBe('done');
  });
});
