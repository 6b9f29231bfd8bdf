/**
 * For tests under noUncheckedIndexedAccess: a row, element or match the test goes on to use is
 * checked to be there, and the test fails naming what was missing instead of on a TypeError later.
 */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`Expected ${what}, but there is none`);
  return value;
}
