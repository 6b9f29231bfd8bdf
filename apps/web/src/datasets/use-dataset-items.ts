/**
 * A version's items for the windowed table, a page at a time (the server's keyset cursor), as far
 * as the reader has scrolled: pages are fetched in order until `wanted` rows are here. Another
 * version, split or revision (new uploads) starts again from the first page; answers to an older
 * request are dropped.
 */
import { useEffect, useRef, useState } from 'react';
import { useApolloClient } from '@apollo/client/react';
import type { DatasetItemsPageQuery as PageResult, DatasetSplit } from '../gql/graphql';
import { DatasetItemsPageQuery } from './datasets.operations';

export const ITEMS_PAGE_SIZE = 500;

export type DatasetItemRow = PageResult['datasetVersion']['items']['items'][number];

interface Loaded {
  key: string;
  rows: DatasetItemRow[];
  next: string | null;
  done: boolean;
  error: unknown;
}

const fresh = (key: string): Loaded => ({ key, rows: [], next: null, done: false, error: null });

export function useDatasetItems(versionId: string, split: DatasetSplit | null, revision: number, wanted: number) {
  const client = useApolloClient();
  const key = JSON.stringify([versionId, split, revision]);
  const [loaded, setLoaded] = useState<Loaded>(() => fresh(key));
  const inFlight = useRef<string | null>(null);
  const current = loaded.key === key ? loaded : fresh(key);

  useEffect(() => {
    if (current.error || current.done || current.rows.length >= wanted) return;
    const request = `${key}#${current.rows.length}`;
    if (inFlight.current === request) return;
    inFlight.current = request;
    client
      .query({
        query: DatasetItemsPageQuery,
        variables: { id: versionId, first: ITEMS_PAGE_SIZE, after: current.next, split },
        fetchPolicy: 'no-cache',
      })
      .then(({ data }) => {
        if (inFlight.current !== request || !data) return;
        inFlight.current = null;
        const page = data.datasetVersion.items;
        setLoaded({ key, rows: [...current.rows, ...page.items], next: page.next ?? null, done: !page.next, error: null });
      })
      .catch((error: unknown) => {
        if (inFlight.current !== request) return;
        inFlight.current = null;
        setLoaded({ ...current, key, error });
      });
    // `current` is derived from `loaded` and `key`, both listed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, key, loaded, wanted, versionId, split]);

  return {
    rows: current.rows,
    done: current.done,
    error: current.error,
    retry: () => setLoaded({ ...current, error: null }),
  };
}
