/**
 * The one tokenizer of MLflow's filter grammar, shared by run and experiment search
 * (search-filter.ts) and the registry searches (registry.ts), so a filter is read the same way
 * wherever it is sent.
 *
 * Quoted text ends where MLflow 2.x's lexer (sqlparse 0.4.4, which MLflow's SearchUtils parse
 * with) ends it:
 * - `'…'` and `"…"` are strings; inside them a doubled quote (`''`) and a backslash-quote (`\'`)
 *   do not end the string. A backslash before anything else is an ordinary character.
 * - `` `…` `` is a key; inside it only a doubled backtick does not end it (a backslash is an
 *   ordinary character, as in sqlparse).
 * - sqlparse matches these with a backtracking regex, so when no quote closes the text the last
 *   escape read is taken apart instead: `'C:\dir\'` is the string `C:\dir\`, as MLflow reads it.
 *
 * One deliberate difference: MLflow only trims the outer quotes and keeps escapes verbatim
 * (`'it''s'` is `it''s` there), which leaves no way to write a value holding both quote kinds.
 * Caliper reads each escape as the quote it stands for (`'it''s'` and `'it\'s'` are `it's`,
 * `` `a``b` `` is ``a`b``); the web's runs table quotes values and keys that way.
 *
 * Text the database cannot hold (U+0000, a lone surrogate) is refused before anything is read.
 */
import { textProblem } from './text-check';
import { TrackingError } from './tracking';

export type FilterQuote = "'" | '"' | '`';
export type FilterOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type FilterToken =
  /** An unquoted name or keyword: a letter or `_`, then letters, digits, `_`, `-`, `/`, `:`. */
  | { kind: 'word'; text: string }
  /** The text between the quotes with its escapes read. */
  | { kind: 'quoted'; text: string; quote: FilterQuote }
  /** As written: sign, decimals and exponent included (`-1e-3`, `.5`). */
  | { kind: 'number'; text: string }
  /** `<>` is read as `!=`. */
  | { kind: 'op'; text: FilterOperator }
  | { kind: 'punct'; text: '(' | ')' | ',' | '.' };

const NUMBER = /[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/y;
const OPERATOR = /!=|<>|<=|>=|=|<|>/y;
const WORD = /[A-Za-z_][\w\-/:]*/y;

function matchAt(re: RegExp, input: string, at: number): string | null {
  re.lastIndex = at;
  return re.exec(input)?.[0] ?? null;
}

/**
 * The quoted text opened at `start`: the index of its closing quote and its text with escapes
 * read, or null when no quote closes it. Reads as sqlparse's `'(''|\\'|[^'])*'` (and the `"` and
 * backtick forms) match: escapes are taken greedily, and if that runs off the end the last escape
 * read becomes the closing quote instead, which is where the regex's backtracking ends.
 */
function scanQuoted(input: string, start: number, quote: FilterQuote): { close: number; text: string } | null {
  const backslashEscapes = quote !== '`';
  let text = '';
  let fallback: { close: number; text: string } | null = null;
  let j = start + 1;
  while (j < input.length) {
    const ch = input[j];
    if (ch === quote && input[j + 1] === quote) {
      fallback = { close: j, text };
      text += quote;
      j += 2;
    } else if (backslashEscapes && ch === '\\' && input[j + 1] === quote) {
      fallback = { close: j + 1, text: text + '\\' };
      text += quote;
      j += 2;
    } else if (ch === quote) {
      return { close: j, text };
    } else {
      text += ch;
      j++;
    }
  }
  return fallback;
}

/**
 * Splits a filter (or one order_by item) into tokens; `what` names it in errors ("filter
 * string", "order_by clause"). Refuses with INVALID_PARAMETER, naming the position, a quoted text
 * that is never closed, a character outside the grammar, and text the database cannot hold.
 */
export function tokenizeFilter(input: string, what: string): FilterToken[] {
  const unstorable = textProblem(input);
  if (unstorable) throw new TrackingError('INVALID_PARAMETER', `Invalid ${what}: it ${unstorable}; remove that character.`);
  const fail = (problem: string) => new TrackingError('INVALID_PARAMETER', `Invalid ${what} '${input}': ${problem}.`);
  const out: FilterToken[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      const quoted = scanQuoted(input, i, c);
      if (!quoted)
        throw fail(`unterminated quoted string starting at position ${i} (close it with ${c}; inside it, write ${c} as ${c}${c})`);
      out.push({ kind: 'quoted', text: quoted.text, quote: c });
      i = quoted.close + 1;
      continue;
    }
    const prev = out[out.length - 1];
    const num = prev?.kind === 'punct' && prev.text === '.' ? null : matchAt(NUMBER, input, i);
    if (num) {
      out.push({ kind: 'number', text: num });
      i += num.length;
      continue;
    }
    const op = matchAt(OPERATOR, input, i);
    if (op) {
      out.push({ kind: 'op', text: op === '<>' ? '!=' : (op as FilterOperator) });
      i += op.length;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '.') {
      out.push({ kind: 'punct', text: c });
      i++;
      continue;
    }
    const word = matchAt(WORD, input, i);
    if (word) {
      out.push({ kind: 'word', text: word });
      i += word.length;
      continue;
    }
    throw fail(`unexpected character '${c}' at position ${i}`);
  }
  return out;
}
