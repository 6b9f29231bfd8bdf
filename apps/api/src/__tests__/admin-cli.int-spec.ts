import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';

const ROOT = path.resolve(__dirname, '../../../..');

function caliper(args: string[], env: Record<string, string>, stdin: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn('node', [path.join(ROOT, 'tools/cli/bin.js'), ...args], { env: { ...process.env, ...env }, cwd: ROOT });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    proc.on('exit', (code) => resolve({ code, out }));
    proc.stdin.end(stdin);
  });
}

describe('caliper admin create', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('creates a system admin with an argon2id hash and an audit event, reading the password from stdin', async () => {
    const r = await caliper(['admin', 'create', '--username', 'root-admin'], { DATABASE_URL: db.appUrl }, 'a-long-admin-password\n');
    expect(r.out).toMatch(/created system admin root-admin/);
    expect(r.code).toBe(0);
    const pg = new Client({ connectionString: db.ownerUrl });
    await pg.connect();
    try {
      const u = await pg.query(
        `SELECT u.global_role, c.password_hash FROM users u JOIN user_credentials c ON c.user_id = u.id WHERE username = 'root-admin'`,
      );
      expect(u.rows[0].global_role).toBe('system_admin');
      expect(u.rows[0].password_hash).toMatch(/^\$argon2id\$/);
      const ev = await pg.query(`SELECT actor_label, action FROM audit_events WHERE action = 'user.created'`);
      expect(ev.rows).toEqual([{ actor_label: 'cli:admin-create', action: 'user.created' }]);
    } finally {
      await pg.end();
    }
  });

  it('refuses a short password and a taken username with a clear message', async () => {
    const short = await caliper(['admin', 'create', '--username', 'other-admin'], { DATABASE_URL: db.appUrl }, 'short');
    expect(short.code).toBe(2);
    expect(short.out).toMatch(/password: must be at least 12 characters/);
    const taken = await caliper(['admin', 'create', '--username', 'root-admin'], { DATABASE_URL: db.appUrl }, 'another-long-password');
    expect(taken.code).toBe(2);
    expect(taken.out).toMatch(/username "root-admin" is taken/);
  });
});
