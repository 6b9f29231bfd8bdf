/**
 * The `caliper` command's own build (issue 12, speed): a checkout without one builds it on the
 * first command and runs that command from the sources; later commands run the build, until a
 * source it was built from changes; a build that cannot be written costs speed, never the command.
 * The built CLI's operator commands load their libraries when they run (migrate, audit verify).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, TestDatabase } from '@caliper/persistence/testing';

jest.setTimeout(60_000);
const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(__dirname, 'bin.js');
const DIR = `.tmp/cli-bin-test-${process.pid}`;
const OUT = path.join(ROOT, DIR);

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: {
          ...process.env,
          CALIPER_CLI_BUILD_DIR: DIR,
          CALIPER_CLI_TRACE: '1',
          CALIPER_DATA_DIR: path.join(OUT, 'no-launcher'),
          ...env,
        },
      },
      (err, out, errOut) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errOut }),
    );
  });
}

describe('caliper bin: the prebuilt CLI', () => {
  let db: TestDatabase;
  let helpText: string;

  beforeAll(async () => {
    rmSync(OUT, { recursive: true, force: true });
    db = await createTestDatabase();
  });
  afterAll(async () => {
    rmSync(OUT, { recursive: true, force: true });
    await db?.drop();
  });

  it('builds on the first command, which runs from the sources, and runs the build after', async () => {
    const first = await cli(['--help']);
    expect(first.code).toBe(0);
    expect(first.err).toMatch(
      new RegExp(`^caliper: building ${OUT} \\(no build\\)\\ncaliper: built \\d+ files in \\d+ ms\\ncaliper: running from the sources\\n$`),
    );
    expect(first.out).toMatch(/^Usage: caliper \[options\] \[command\]/);
    helpText = first.out;
    const stamp = JSON.parse(readFileSync(path.join(OUT, 'build-stamp.json'), 'utf8')) as { inputs: [string, number, number][] };
    const inputs = stamp.inputs.map(([rel]) => rel);
    expect(inputs).toEqual(
      expect.arrayContaining(['tools/cli/main.ts', 'libs', 'libs/sdk/src/client.ts', 'apps/api/src/admin-cli.ts', 'tsconfig.base.json']),
    );
    expect(inputs.filter((rel) => /\.spec\.ts$|\.int-spec\.ts$/.test(rel))).toEqual([]);
    expect(existsSync(path.join(OUT, 'apps/api/src/admin-cli.js'))).toBe(true);

    const second = await cli(['--help']);
    expect(second).toEqual({ code: 0, out: helpText, err: `caliper: running the build in ${DIR}\n` });
  });

  it('rebuilds once a source it was built from changed, and runs the new build after', async () => {
    const file = path.join(OUT, 'build-stamp.json');
    const stamp = JSON.parse(readFileSync(file, 'utf8')) as { inputs: [string, number, number][] };
    // As if tools/cli/credentials.ts had been edited since: its recorded time is not its time now.
    const entry = stamp.inputs.find(([rel]) => rel === 'tools/cli/credentials.ts')!;
    entry[2] -= 1000;
    writeFileSync(file, JSON.stringify(stamp));
    const stale = await cli(['--help']);
    expect(stale.code).toBe(0);
    expect(stale.out).toBe(helpText);
    expect(stale.err).toMatch(/^caliper: building .* \(tools\/cli\/credentials\.ts changed since the build\)\ncaliper: built \d+ files/);
    expect(stale.err).toMatch(/running from the sources\n$/);
    expect(await cli(['--help'])).toEqual({ code: 0, out: helpText, err: `caliper: running the build in ${DIR}\n` });
  });

  it('runs from the sources, saying why, when it cannot build', async () => {
    const r = await cli(['--help'], { CALIPER_CLI_BUILD_DIR: '/tmp/caliper-cli-outside' });
    expect(r.code).toBe(0);
    expect(r.out).toBe(helpText);
    expect(r.err).toMatch(
      /caliper: could not build \/tmp\/caliper-cli-outside \(.*outside the repository.*\); running from the sources, slower\n/,
    );
    expect(existsSync('/tmp/caliper-cli-outside')).toBe(false);
  });

  it('runs the operator commands from the build, loading the database libraries when they run', async () => {
    const env = { DATABASE_URL: db.appUrl, DATABASE_OWNER_URL: db.ownerUrl };
    expect(await cli(['migrate'], env)).toEqual({
      code: 0,
      out: 'database is up to date\n',
      err: `caliper: running the build in ${DIR}\n`,
    });
    const verify = await cli(['audit', 'verify', '--skip-checkpoints', '--json'], env);
    expect(verify.err).toBe(`caliper: running the build in ${DIR}\n`);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.out)).toMatchObject({ ok: true, breaks: [] });
    const bad = await cli(['audit', 'acknowledge-break', '--seq', '1', '--by', 'nobody', '--reason', 'short'], env);
    expect(bad).toMatchObject({
      code: 2,
      err: expect.stringContaining('caliper: --reason must say what was found (at least 10 characters)'),
    });
  });
});
