/** The runs table's state, kept in the address so a reload or a shared link shows the same table (state.ts reads and writes it). */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { parseState, serialiseState, type RunsTableState } from './state';

/** The table's state in the URL: reading it, and changing it (a new history entry unless `replace`). */
export function useRunsTableState(): [RunsTableState, (patch: Partial<RunsTableState>, replace?: boolean) => void] {
  const [search, setSearch] = useSearchParams();
  const state = useMemo(() => parseState(search), [search]);
  const update = useCallback(
    (patch: Partial<RunsTableState>, replace = false) => {
      // A new filter or order starts from the first page.
      const reset = 'filter' in patch || 'status' in patch || 'user' in patch || 'tag' in patch || 'sort' in patch || 'groupBy' in patch;
      setSearch(serialiseState({ ...state, ...(reset ? { pages: 1 } : {}), ...patch }), { replace });
    },
    [state, setSearch],
  );
  return [state, update];
}
