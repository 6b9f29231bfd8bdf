import { assertStorableText, findInvalidText, InvalidTextError, textProblem } from '../text-check';

describe('textProblem', () => {
  it('accepts ordinary text, astral characters as surrogate pairs, and U+FFFD itself', () => {
    for (const ok of ['', 'left the group', 'Müller – 東京', '\u{1F600} smile', '\ud83d\ude00', 'x\ufffdy', 'tab\tnew\nline']) {
      expect(textProblem(ok)).toBeNull();
    }
  });

  it('names a lone high or low surrogate and where it is', () => {
    expect(textProblem('left \ud800 group')).toBe('holds a lone UTF-16 surrogate U+D800 at character 5, which is not Unicode text');
    expect(textProblem('\udc00')).toMatch(/lone UTF-16 surrogate U\+DC00 at character 0/);
    expect(textProblem('ab\ud83d')).toMatch(/U\+D83D at character 2/); // high surrogate at the very end
    expect(textProblem('\ude00\ud83d')).toMatch(/U\+DE00 at character 0/); // a reversed pair is two lone ones
  });

  it('names U+0000', () => {
    expect(textProblem('a\u0000b')).toBe('holds U+0000 (NUL) at character 1, which text in the database cannot hold');
  });
});

describe('findInvalidText', () => {
  it('returns null when every string is storable, whatever else the value holds', () => {
    expect(findInvalidText({ a: [1, true, null, 'x', { b: 'y' }], c: 2.5 })).toBeNull();
    expect(findInvalidText(undefined)).toBeNull();
    expect(findInvalidText(42)).toBeNull();
  });

  it('returns the JSON path of the first bad string', () => {
    expect(findInvalidText({ reason: 'left \ud800 group' }, '$.variables')).toEqual({
      path: '$.variables.reason',
      problem: expect.stringMatching(/U\+D800/),
    });
    expect(findInvalidText({ tags: ['ok', { 'my key': ['fine', 'n\u0000ul'] }] })).toEqual({
      path: '$.tags[1]["my key"][1]',
      problem: expect.stringMatching(/U\+0000/),
    });
    expect(findInvalidText('\udfff')?.path).toBe('$');
  });

  it('checks object keys too, naming them printably', () => {
    const found = findInvalidText({ after: { '\ud800': 1 } });
    expect(found).toEqual({ path: '$.after["\\ud800"] (key)', problem: expect.stringMatching(/U\+D800/) });
  });

  it('assertStorableText throws an error that says what, where and that nothing was written', () => {
    expect(() => assertStorableText({ ok: 'x' })).not.toThrow();
    let error: unknown;
    try {
      assertStorableText({ reason: 'a\ud800' }, '$', 'audit event field');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidTextError);
    expect((error as InvalidTextError).path).toBe('$.reason');
    expect((error as InvalidTextError).message).toMatch(
      /^audit event field \$\.reason holds a lone UTF-16 surrogate U\+D800 at character 1.*refused, nothing was written/,
    );
  });
});
