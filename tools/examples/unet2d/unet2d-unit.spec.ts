/**
 * The UNet example's pure parts (tools/examples/unet2d/test_*.py: PNG mask decoding, windowing,
 * resizing as the evaluation does, Dice, a split's items), run by Debian's Python (numpy, no torch).
 */
import { execFile } from 'node:child_process';

jest.setTimeout(60_000);

it('passes the Python unit tests of the UNet example', async () => {
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
  expect(Number(/Ran (\d+) tests?/.exec(result.err)?.[1])).toBeGreaterThanOrEqual(11);
});
