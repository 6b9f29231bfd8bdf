/** The runs table's state, kept in the address so a reload or a shared link shows the same table (state.ts reads and writes it). */
import { useCallback, useMemo } from 'react';
import { useAddressSearch } from '../app/use-address-search';
import { parseState, serialiseState, type RunsTableState } from './state';

/**
 * Changes the table's state: a patch, or a function of the state as the address holds it now (for
 * a change that depends on it, such as adding a column), so two quick changes both hold.
 */
export type UpdateRunsTableState = (
  patch: Partial<RunsTableState> | ((current: RunsTableState) => Partial<RunsTableState>),
  replace?: boolean,
) => void;

/** The table's state in the URL: reading it, and changing it (a new history entry unless `replace`). */
export function useRunsTableState(): [RunsTableState, UpdateRunsTableState] {
  const [search, changeSearch] = useAddressSearch();
  const state = useMemo(() => parseState(search), [search]);
  const update: UpdateRunsTableState = useCallback(
    (patch, replace = false) =>
      changeSearch(
        (current) => {
          const now = parseState(current);
          const change = typeof patch === 'function' ? patch(now) : patch;
          // A new filter or order starts from the first page.
          const reset = ['filter', 'status', 'user', 'tag', 'sort', 'groupBy'].some((k) => k in change);
          return serialiseState({ ...now, ...(reset ? { pages: 1 } : {}), ...change });
        },
        { replace },
      ),
    [changeSearch],
  );
  return [state, update];
}
