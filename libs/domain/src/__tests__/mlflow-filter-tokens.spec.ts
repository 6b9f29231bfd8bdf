import { tokenizeFilter } from '../mlflow-filter-tokens';
import { TrackingError } from '../tracking';

const refusal = (input: string, what = 'filter string'): string => {
  try {
    tokenizeFilter(input, what);
  } catch (e) {
    expect(e).toBeInstanceOf(TrackingError);
    expect((e as TrackingError).code).toBe('INVALID_PARAMETER');
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
};
const quoted = (input: string) => {
  const tokens = tokenizeFilter(input, 'filter string');
  expect(tokens).toHaveLength(1);
  expect(tokens[0]?.kind).toBe('quoted');
  return tokens[0]?.text;
};

describe('words, numbers, operators and punctuation', () => {
  it('splits a comparison chain into tokens, reading <> as !=', () => {
    expect(tokenizeFilter("metrics.val_loss <= -1e-3 and params.lr <> '0.1'", 'filter string')).toEqual([
      { kind: 'word', text: 'metrics' },
      { kind: 'punct', text: '.' },
      { kind: 'word', text: 'val_loss' },
      { kind: 'op', text: '<=' },
      { kind: 'number', text: '-1e-3' },
      { kind: 'word', text: 'and' },
      { kind: 'word', text: 'params' },
      { kind: 'punct', text: '.' },
      { kind: 'word', text: 'lr' },
      { kind: 'op', text: '!=' },
      { kind: 'quoted', text: '0.1', quote: "'" },
    ]);
    expect(tokenizeFilter('run_id IN (\'a\',"b")', 'filter string').map((t) => t.kind)).toEqual([
      'word',
      'word',
      'punct',
      'quoted',
      'punct',
      'quoted',
      'punct',
    ]);
  });

  it('keeps -, / and : inside unquoted words, and reads a number that starts with a dot', () => {
    expect(tokenizeFilter('metrics.system/gpu-0:util>.5', 'filter string')).toEqual([
      { kind: 'word', text: 'metrics' },
      { kind: 'punct', text: '.' },
      { kind: 'word', text: 'system/gpu-0:util' },
      { kind: 'op', text: '>' },
      { kind: 'number', text: '.5' },
    ]);
  });

  it('refuses characters outside the grammar, naming the character, the position and what was parsed', () => {
    expect(refusal("params.lr = '1'; DROP TABLE runs")).toBe(
      `Invalid filter string 'params.lr = '1'; DROP TABLE runs': unexpected character ';' at position 15.`,
    );
    expect(refusal('start_time * 2', 'order_by clause')).toBe(
      `Invalid order_by clause 'start_time * 2': unexpected character '*' at position 11.`,
    );
  });
});

describe('quoted text, read where MLflow (sqlparse 0.4.4) ends it', () => {
  it('holds the other quote kinds as they are', () => {
    expect(quoted(`"it's"`)).toBe("it's");
    expect(quoted(`'say "hi" and \`x\`'`)).toBe('say "hi" and `x`');
    expect(quoted('`run\'s "name"`')).toBe(`run's "name"`);
    expect(tokenizeFilter(`'' ""`, 'filter string')).toEqual([
      { kind: 'quoted', text: '', quote: "'" },
      { kind: 'quoted', text: '', quote: '"' },
    ]);
  });

  it('reads a doubled quote and a backslash-quote as the quote inside strings', () => {
    expect(quoted("'it''s'")).toBe("it's");
    expect(quoted("'it\\'s'")).toBe("it's");
    expect(quoted('"a""b"')).toBe('a"b');
    expect(quoted('"a\\"b"')).toBe('a"b');
    expect(quoted("''''")).toBe("'");
  });

  it('keeps a backslash before anything other than the quote as an ordinary character', () => {
    expect(quoted("'C:\\temp\\n'")).toBe('C:\\temp\\n');
    // sqlparse 0.4.4 has no `\\` escape: both backslashes stay.
    expect(quoted("'a\\\\b'")).toBe('a\\\\b');
    expect(quoted(`'a\\"b'`)).toBe('a\\"b');
  });

  it('escapes a backtick inside a backticked key only by doubling it; a backslash there is ordinary', () => {
    expect(tokenizeFilter('params.`val loss`', 'filter string')[2]).toEqual({ kind: 'quoted', text: 'val loss', quote: '`' });
    expect(quoted('`a``b`')).toBe('a`b');
    expect(quoted('`a\\`')).toBe('a\\');
    expect(refusal('`a\\`b`')).toBe(
      "Invalid filter string '`a\\`b`': unterminated quoted string starting at position 5 (close it with `; inside it, write ` as ``).",
    );
  });

  it('ends the string at the last escape read when nothing closes it, as the backtracking regex does', () => {
    // A Windows path ending in a backslash: `\'` cannot be an escape, since no quote would close the string then.
    expect(quoted("'C:\\dir\\'")).toBe('C:\\dir\\');
    // Here a quote does close it, so `\'` is an escape and the string runs on to the quote before x.
    expect(refusal("params.p = 'C:\\dir\\' and tags.t = 'x'")).toBe(
      `Invalid filter string 'params.p = 'C:\\dir\\' and tags.t = 'x'': unterminated quoted string starting at position 36 (close it with '; inside it, write ' as '').`,
    );
    // The doubled quote's first half closes the string; its second half opens one nothing closes.
    expect(refusal("tags.x = 'it''")).toBe(
      `Invalid filter string 'tags.x = 'it''': unterminated quoted string starting at position 13 (close it with '; inside it, write ' as '').`,
    );
  });

  it('refuses a quoted text nothing closes, naming where it starts and how to close it', () => {
    expect(refusal("tags.a = 'abc")).toBe(
      `Invalid filter string 'tags.a = 'abc': unterminated quoted string starting at position 9 (close it with '; inside it, write ' as '').`,
    );
    expect(refusal('name = "abc', 'filter')).toBe(
      `Invalid filter 'name = "abc': unterminated quoted string starting at position 7 (close it with "; inside it, write " as "").`,
    );
    expect(refusal('params.`lr = 1')).toContain('unterminated quoted string starting at position 7');
  });

  it('reads long quoted text in one pass', () => {
    const long = 'x'.repeat(200_000);
    expect(quoted(`'${long}'`)).toBe(long);
    // Every `\'` reads as an escape until the end; then the last one closes the string instead.
    const escapes = quoted(`'${"\\'".repeat(100_000)}`);
    expect(escapes?.length).toBe(100_000);
    expect(escapes?.slice(-3)).toBe("''\\");
  });
});

describe('text the database cannot hold', () => {
  it('refuses U+0000 anywhere, without echoing it', () => {
    const message = refusal("tags.a = 'x\u0000y'");
    expect(message).toBe(
      'Invalid filter string: it holds U+0000 (NUL) at character 11, which text in the database cannot hold; remove that character.',
    );
    expect(message).not.toContain('\u0000');
    expect(refusal('metrics.loss\u0000 < 1')).toContain('U+0000 (NUL) at character 12');
  });

  it('refuses a lone UTF-16 surrogate, which would reach the database as U+FFFD', () => {
    expect(refusal("tags.a = '\ud800'")).toContain('lone UTF-16 surrogate U+D800 at character 10');
    expect(quoted("'\ud83d\ude00'")).toBe('\ud83d\ude00');
  });
});
