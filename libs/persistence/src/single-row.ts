/**
 * The row of a statement that always returns exactly one: an aggregate without GROUP BY, a
 * SELECT without FROM, INSERT … RETURNING of one row. An empty result there is a broken
 * statement or driver, never an answer, so it fails loudly instead of reading as "nothing".
 */
export function singleRow<T>(rows: readonly T[], statement: string): T {
  const [row] = rows;
  if (row === undefined) throw new Error(`${statement} returned no row`);
  return row;
}
