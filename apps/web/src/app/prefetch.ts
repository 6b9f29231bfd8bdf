/**
 * Requests a page makes first, sent at startup (pages.ts) beside the session request and the
 * page's code instead of after them. A request the page reads through Apollo's cache
 * (`prefetchCached`) leaves its answer there, and the page's first read takes it from the cache
 * (`useFirstFetchPolicy`) rather than asking the server again for what just came; one it reads
 * outside the cache (`prefetchUncached`: long metric series) is kept here until the page's read
 * takes it (`takePrefetched`). Only a page's first read of a request takes a prefetched answer:
 * each is taken once, a prefetch that comes after the page has read the request itself is dropped
 * (a later read, such as a live page's next one, must not get an answer from before it), and one
 * nobody takes is let go after KEEP_MS.
 */
import { useEffect, useMemo } from 'react';
import type { ApolloClient, OperationVariables, TypedDocumentNode, WatchQueryFetchPolicy } from '@apollo/client';
import type { OnAnswer } from './apollo';

const KEEP_MS = 10_000;
/** Answers kept outside the cache, by request. */
const uncached = new Map<string, Promise<unknown>>();
/** Requests sent into the cache and not read yet, each with a token of its own. */
const cached = new Map<string, object>();
/** Requests a page has read without a prefetched answer: a prefetch of one of them is too late. */
const read = new Map<string, object>();

/** Keeps `key` in `map` for KEEP_MS, unless it is set again meanwhile. */
function keep<T extends object>(map: Map<string, T>, key: string, value: T): void {
  map.set(key, value);
  setTimeout(() => {
    if (map.get(key) === value) map.delete(key);
  }, KEEP_MS);
}

/** The operation's name and its variables, keys sorted: the same request whatever order the variables were written in. */
function requestKey(query: TypedDocumentNode<unknown, never>, variables: OperationVariables): string {
  const op = query.definitions.find((d) => d.kind === 'OperationDefinition');
  const name = op && 'name' in op ? op.name?.value : undefined;
  return `${name ?? '?'} ${JSON.stringify(
    Object.keys(variables)
      .sort()
      .map((k) => [k, variables[k] as unknown]),
  )}`;
}

/**
 * Sends `query` now, its answer into Apollo's cache, where the page's first read (with
 * `useFirstFetchPolicy`) finds it. `then` gets the answer's data as soon as it arrives, before it
 * is written to the cache and the page renders with it (apollo.ts tapAnswers): the requests that
 * depend on it leave that much earlier.
 */
export function prefetchCached<TData, TVariables extends OperationVariables>(
  client: ApolloClient,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  then?: (data: TData) => void,
): void {
  const key = requestKey(query as TypedDocumentNode<unknown, never>, variables);
  // Read already: the query below joins that read or finds its answer in the cache.
  if (!read.has(key)) keep(cached, key, {});
  const onAnswer: OnAnswer = (result) => {
    if ('data' in result && result.data && !result.errors?.length) then?.(result.data as TData);
  };
  // A failure is the page's to report, with its own read.
  client.query({ query, variables, context: { onAnswer } } as ApolloClient.QueryOptions<TData, TVariables>).catch(() => undefined);
}

/**
 * The fetch policy of a page's read of this request (none while `variables` is null): on its first
 * read after the request was prefetched, 'cache-first' (the answer is in the cache, or on its way:
 * the read joins it); else, and on any later read, the app's 'cache-and-network'.
 */
export function useFirstFetchPolicy<TVariables extends OperationVariables>(
  query: TypedDocumentNode<unknown, TVariables>,
  variables: TVariables | null,
): WatchQueryFetchPolicy {
  const key = variables ? requestKey(query as TypedDocumentNode<unknown, never>, variables) : null;
  const policy = useMemo(() => (key !== null && cached.has(key) ? 'cache-first' : 'cache-and-network'), [key]);
  // Read now: a page opened again later asks the server as usual, and a prefetch still to come is not kept.
  useEffect(() => {
    if (key === null) return;
    if (!cached.delete(key)) keep(read, key, {});
  }, [key]);
  return policy;
}

/** Sends `query` now (not cached by Apollo) and keeps the answer for the first `takePrefetched` of the same request. */
export function prefetchUncached<TData, TVariables extends OperationVariables>(
  client: ApolloClient,
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): void {
  const key = requestKey(query as TypedDocumentNode<unknown, never>, variables);
  // The page asked for it itself already: its answer is on the page or on its way.
  if (read.has(key)) return;
  const answer = client.query({ query, variables, fetchPolicy: 'no-cache' } as ApolloClient.QueryOptions<TData, TVariables>);
  // A failure is the page's to report, when it takes the answer; nobody may.
  answer.catch(() => undefined);
  keep(uncached, key, answer);
}

/**
 * The answer to this exact request if it was prefetched and not taken yet (it is taken now), else
 * undefined: the caller sends the request itself, and a prefetch of it still to come is dropped.
 */
export function takePrefetched<TData, TVariables extends OperationVariables>(
  query: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<ApolloClient.QueryResult<TData>> | undefined {
  const key = requestKey(query as TypedDocumentNode<unknown, never>, variables);
  const answer = uncached.get(key);
  if (answer) uncached.delete(key);
  else keep(read, key, {});
  return answer as Promise<ApolloClient.QueryResult<TData>> | undefined;
}
