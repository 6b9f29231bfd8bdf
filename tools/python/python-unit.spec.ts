/**
 * The Python client's own unit tests (tools/python/test_*.py: the system-metrics parsers, the
 * sampler on a fake /proc and nvidia-smi, the sampling thread, mask keys, attaching to a launched
 * run), run by the system Python.
 */
import { execFile } from 'node:child_process';

jest.setTimeout(60_000);

it('passes the Python unit tests of caliper_client', async () => {
  const result = await new Promise<{ code: number; err: string }>((resolve) => {
    execFile(
      '/usr/bin/python3',
      ['-m', 'unittest', 'discover', '-s', __dirname, '-p', 'test_*.py', '-v'],
      { cwd: __dirname, env: { PATH: process.env.PATH ?? '', PYTHONDONTWRITEBYTECODE: '1' } },
      (err, _out, errOut) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, err: errOut }),
    );
  });
  // unittest reports on stderr; on a failure the diff shows the whole report.
  expect({ code: result.code, report: result.err }).toEqual({ code: 0, report: expect.stringMatching(/\nOK\s*$/) });
  expect(Number(/Ran (\d+) tests?/.exec(result.err)?.[1])).toBeGreaterThanOrEqual(24);
});
