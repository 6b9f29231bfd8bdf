/**
 * The CLI build's staleness check (prebuilt.js, run by bin.js before every command): a build counts
 * only while every input it recorded is unchanged — edited, removed or added files included.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { currentBuild, fingerprint, STAMP, STAMP_VERSION } from './prebuilt';

describe('prebuilt CLI check', () => {
  let root: string;
  let out: string;
  const stampOf = (...rels: string[]) => {
    writeFileSync(path.join(out, STAMP), JSON.stringify({ version: STAMP_VERSION, inputs: rels.map((rel) => fingerprint(root, rel)) }));
  };
  const check = () => {
    const why: { reason?: string } = {};
    return { entry: currentBuild(out, root, why), why: why.reason };
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'cli-prebuilt-'));
    out = path.join(root, 'dist/cli');
    mkdirSync(path.join(root, 'src/lib'), { recursive: true });
    mkdirSync(path.join(out, 'tools/cli'), { recursive: true });
    writeFileSync(path.join(out, 'tools/cli/main.js'), '');
    writeFileSync(path.join(root, 'src/main.ts'), 'export const a = 1;\n');
    writeFileSync(path.join(root, 'src/lib/util.ts'), 'export const b = 2;\n');
    // Times the tests then move forward, as an edit would.
    for (const rel of ['src/main.ts', 'src/lib/util.ts', 'src/lib', 'src']) utimesSync(path.join(root, rel), 1_700_000_000, 1_700_000_000);
    stampOf('src', 'src/lib', 'src/main.ts', 'src/lib/util.ts');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('runs a build whose inputs are as they were', () => {
    expect(check()).toEqual({ entry: path.join(out, 'tools/cli/main.js'), why: undefined });
  });

  it('refuses a build once a source is edited, even to the same size', () => {
    writeFileSync(path.join(root, 'src/main.ts'), 'export const a = 3;\n');
    expect(check()).toEqual({ entry: null, why: 'src/main.ts changed since the build' });
  });

  it('refuses a build when a source went back to an older time (a checkout of an older commit)', () => {
    utimesSync(path.join(root, 'src/lib/util.ts'), 1_600_000_000, 1_600_000_000);
    expect(check()).toEqual({ entry: null, why: 'src/lib/util.ts changed since the build' });
  });

  it('refuses a build when a source is removed or one is added to a folder it compiled', () => {
    rmSync(path.join(root, 'src/lib/util.ts'));
    expect(check().why).toBe('src/lib changed since the build');
    stampOf('src', 'src/main.ts');
    writeFileSync(path.join(root, 'src/extra.ts'), 'export {};\n');
    expect(check()).toEqual({ entry: null, why: 'src changed since the build' });
  });

  it('refuses a folder without a stamp, an old stamp, or a build without its entry', () => {
    rmSync(path.join(out, STAMP));
    expect(check()).toEqual({ entry: null, why: 'no build' });
    writeFileSync(path.join(out, STAMP), JSON.stringify({ version: STAMP_VERSION + 1, inputs: [fingerprint(root, 'src')] }));
    expect(check()).toEqual({ entry: null, why: 'not a build stamp of this version' });
    writeFileSync(path.join(out, STAMP), '{"version": 1, "inp');
    expect(check()).toEqual({ entry: null, why: 'no build' });
    stampOf('src');
    rmSync(path.join(out, 'tools/cli/main.js'));
    expect(check()).toEqual({ entry: null, why: 'the build has no tools/cli/main.js' });
  });
});
