/**
 * Text that cannot be stored as given. PostgreSQL's text and jsonb hold UTF-8 without U+0000:
 * a lone UTF-16 surrogate (e.g. "\ud800" sent as a JSON escape) is silently replaced by U+FFFD
 * on its way to the database, and U+0000 is refused by it. What is stored then differs from
 * what the caller sent (and from what a hash over the caller's value covers), so such text is
 * refused at the edge and again where audit events are written.
 */
import type { JsonValue } from './audit-chain';

/** Where a string that cannot be stored was found, and why. */
export interface InvalidText {
  /** JSON path of the string, e.g. `$.after.tags[2]`; a bad key is named as `$.after["\\ud800"] (key)`. */
  path: string;
  /** e.g. "holds a lone UTF-16 surrogate U+D800 at character 5" */
  problem: string;
}

/** Why `value` cannot be stored as text, or null when it can: a lone UTF-16 surrogate or U+0000. */
export function textProblem(value: string): string | null {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0) return `holds U+0000 (NUL) at character ${i}, which text in the database cannot hold`;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < value.length ? value.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 1; // a valid pair
        continue;
      }
      return `holds a lone UTF-16 surrogate U+${c.toString(16).toUpperCase()} at character ${i}, which is not Unicode text`;
    }
    if (c >= 0xdc00 && c <= 0xdfff)
      return `holds a lone UTF-16 surrogate U+${c.toString(16).toUpperCase()} at character ${i}, which is not Unicode text`;
  }
  return null;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function child(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * The first string (or object key) in a JSON-like value that cannot be stored as text, with its
 * JSON path from `path` (default `$`); null when every string is storable. Walks arrays and plain
 * objects; other values (numbers, booleans, null, undefined) are never a problem here.
 */
export function findInvalidText(value: unknown, path = '$'): InvalidText | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path, problem } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findInvalidText(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const keyProblem = textProblem(key);
      // JSON.stringify escapes a lone surrogate or NUL, so the path stays printable.
      if (keyProblem) return { path: `${child(path, key)} (key)`, problem: keyProblem };
      const found = findInvalidText(v, child(path, key));
      if (found) return found;
    }
  }
  return null;
}

/** Thrown where text that cannot be stored reaches a writer; `path` names the offending value. */
export class InvalidTextError extends Error {
  readonly code = 'INVALID_TEXT';
  constructor(
    readonly path: string,
    readonly problem: string,
    what = 'value',
  ) {
    super(`${what} ${path} ${problem}: refused, nothing was written. Send well-formed Unicode text without NUL characters.`);
  }
}

/** Throws InvalidTextError for the first string in `value` that cannot be stored. */
export function assertStorableText(value: JsonValue | unknown, path = '$', what = 'value'): void {
  const found = findInvalidText(value, path);
  if (found) throw new InvalidTextError(found.path, found.problem, what);
}
