/**
 * The runs table's grouped rows: a header per group with the server's count of every matching
 * run (runGroups), how many of them are loaded, and the loaded rows beneath unless collapsed.
 * The rows arrive ordered by the group key, in the server's group order, so each group's loaded
 * rows are together; a value the server did not list (more than its cap, or a run logged since)
 * follows with its loaded count.
 */
import { parseColumn } from './state';

/** How a run without the grouping key is grouped. */
export const NO_VALUE = '(none)';

export interface GroupableRun {
  params: readonly { key: string; value: string }[];
  tags: readonly { key: string; value: string }[];
}

export type GroupItem<R> = { kind: 'group'; value: string; count: number; loaded: number; collapsed: boolean } | { kind: 'run'; run: R };

/** A param's or tag's value in a run; null when the run lacks it or the column is neither. */
export function groupValue(run: GroupableRun, column: string): string | null {
  const c = parseColumn(column);
  const list = c?.kind === 'params' ? run.params : c?.kind === 'tags' ? run.tags : null;
  return list?.find((x) => x.key === c!.key)?.value ?? null;
}

export function groupItems<R extends GroupableRun>(
  rows: readonly R[],
  groupBy: string,
  serverGroups: readonly { value: string | null; count: number }[] | undefined,
  collapsed: ReadonlySet<string>,
): GroupItem<R>[] {
  const loaded = new Map<string, R[]>();
  for (const run of rows) {
    const v = groupValue(run, groupBy) ?? NO_VALUE;
    const list = loaded.get(v);
    if (list) list.push(run);
    else loaded.set(v, [run]);
  }
  const counts = new Map((serverGroups ?? []).map((g) => [g.value ?? NO_VALUE, g.count]));
  const values = [...counts.keys(), ...[...loaded.keys()].filter((v) => !counts.has(v))];
  return values.flatMap((value): GroupItem<R>[] => {
    const runs = loaded.get(value) ?? [];
    return [
      { kind: 'group', value, count: Math.max(counts.get(value) ?? 0, runs.length), loaded: runs.length, collapsed: collapsed.has(value) },
      ...(collapsed.has(value) ? [] : runs.map((run): GroupItem<R> => ({ kind: 'run', run }))),
    ];
  });
}
