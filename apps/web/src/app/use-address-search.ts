/**
 * A page's state kept in its address (query string), changed from the address as it is now.
 *
 * The router renders a navigation as a transition, so the query string a page last rendered can be
 * older than the address: the history entry is written at once, the render comes later. A change
 * built on the rendered query (react-router's setSearchParams, functional form included) would undo
 * any change made since, e.g. choosing a log axis and then relative time within a fraction of a
 * second kept only the second. `change` reads window.location instead, which the router updates
 * before it returns from the navigation, so each change builds on the one before.
 */
import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

export type ChangeSearch = (next: (current: URLSearchParams) => URLSearchParams, opts?: { replace?: boolean }) => void;

export function useAddressSearch(): [URLSearchParams, ChangeSearch] {
  const [search, setSearch] = useSearchParams();
  const change: ChangeSearch = useCallback(
    (next, opts = {}) => setSearch(next(new URLSearchParams(window.location.search)), { replace: opts.replace ?? false }),
    [setSearch],
  );
  return [search, change];
}
