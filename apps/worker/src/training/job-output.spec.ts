import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileFrom, splitOutput } from './job-output';

const split = (text: string | Buffer, final = false, lineMax?: number) =>
  splitOutput(Buffer.isBuffer(text) ? text : Buffer.from(text), { final, ...(lineMax ? { lineMax } : {}) });

describe('splitOutput', () => {
  it('takes whole lines and leaves a line being written for the next read', () => {
    expect(split('epoch 1\nepoch 2\nepo')).toEqual({ lines: ['epoch 1', 'epoch 2'], consumed: 16 });
    expect(split('epo')).toEqual({ lines: [], consumed: 0 });
    expect(split('')).toEqual({ lines: [], consumed: 0 });
  });

  it('takes the last line without its line break once the job ended', () => {
    expect(split('a\nlast', true)).toEqual({ lines: ['a', 'last'], consumed: 6 });
    expect(split('a\n', true)).toEqual({ lines: ['a'], consumed: 2 });
  });

  it('keeps blank lines', () => {
    expect(split('a\n\nb\n')).toEqual({ lines: ['a', '', 'b'], consumed: 5 });
    expect(split('\n')).toEqual({ lines: [''], consumed: 1 });
  });

  it('shows what a terminal shows of carriage returns: CRLF ends a line, a progress bar its last state', () => {
    expect(split('win\r\n 10%\r 50%\r100%\n').lines).toEqual(['win', '100%']);
  });

  it('cuts a line longer than the limit into pieces, and output without line breaks once it is that long', () => {
    expect(split('abcdefghij\n', false, 4)).toEqual({ lines: ['abcd', 'efgh', 'ij'], consumed: 11 });
    expect(split('abcdefghij', false, 4)).toEqual({ lines: ['abcd'], consumed: 4 });
    expect(split('abc', false, 4)).toEqual({ lines: [], consumed: 0 });
  });

  it('never splits a UTF-8 character', () => {
    // 'é' is two bytes: a cut at byte 4 would fall inside the second one.
    const r = split('abcéé', false, 4);
    expect(r).toEqual({ lines: ['abc'], consumed: 3 });
    expect(split('aé€b\n', false, 3).lines).toEqual(['aé', '€', 'b']);
  });
});

describe('readFileFrom', () => {
  it('reads up to the limit from an offset, what is there at the end, nothing for a missing file', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'job-output-')), 'output.log');
    expect(await readFileFrom(file, 0, 10)).toBeUndefined();
    writeFileSync(file, 'line 1\nline 2\n');
    expect((await readFileFrom(file, 7, 4))!.toString()).toBe('line');
    expect((await readFileFrom(file, 7, 100))!.toString()).toBe('line 2\n');
    expect((await readFileFrom(file, 14, 100))!.length).toBe(0);
  });
});
