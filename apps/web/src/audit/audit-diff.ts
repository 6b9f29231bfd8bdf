/**
 * Field-level difference between an audit event's `before` and `after` snapshots, flattened to
 * dotted paths so a reviewer sees exactly which values changed.
 */

export type DiffKind = 'added' | 'removed' | 'changed' | 'unchanged';

export interface DiffRow {
  path: string;
  kind: DiffKind;
  before?: unknown;
  after?: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
    return;
  }
  out.set(prefix, value);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Rows sorted by path; a snapshot that is not an object is compared as a whole under "(value)". */
export function diffSnapshots(before: unknown, after: unknown): DiffRow[] {
  const b = new Map<string, unknown>();
  const a = new Map<string, unknown>();
  if (before !== null && before !== undefined) flatten(before, '', b);
  if (after !== null && after !== undefined) flatten(after, '', a);
  const paths = [...new Set([...b.keys(), ...a.keys()])].sort();
  return paths.map((key) => {
    const path = key === '' ? '(value)' : key;
    if (!b.has(key)) return { path, kind: 'added', after: a.get(key) };
    if (!a.has(key)) return { path, kind: 'removed', before: b.get(key) };
    const kind: DiffKind = sameValue(b.get(key), a.get(key)) ? 'unchanged' : 'changed';
    return { path, kind, before: b.get(key), after: a.get(key) };
  });
}

export function formatValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
