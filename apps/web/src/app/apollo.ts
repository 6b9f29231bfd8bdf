/**
 * The one Apollo Client of the app. The session is an httpOnly cookie on the same origin, so the
 * client sends credentials and never handles a token. Any UNAUTHENTICATED error (an expired or
 * revoked session) is announced to the router, which sends the user to sign in.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { ErrorLink } from '@apollo/client/link/error';
import { tap } from 'rxjs';

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Subscribes to "the session is gone"; returns the unsubscribe function. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export function isUnauthenticated(error: unknown): boolean {
  if (CombinedGraphQLErrors.is(error)) return error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
  return ServerError.is(error) && error.statusCode === 401;
}

const announceSignedOut = new ErrorLink(({ error }) => {
  if (isUnauthenticated(error)) for (const listener of unauthenticatedListeners) listener();
});

/** A function an operation may carry in its context: called with its answer as it arrives (see `tapAnswers`). */
export type OnAnswer = (result: ApolloLink.Result) => void;

/**
 * Hands an operation's answer to its context's `onAnswer` as it arrives, before it is written to
 * the cache and the components reading it render again: a request that depends on it (the run
 * page's chart series on the run's metrics, prefetch.ts) then leaves without waiting for that render.
 */
const tapAnswers = new ApolloLink((operation, forward) => {
  const onAnswer = (operation.getContext() as { onAnswer?: OnAnswer }).onAnswer;
  return onAnswer ? forward(operation).pipe(tap(onAnswer)) : forward(operation);
});

export function createApolloClient(): ApolloClient {
  return new ApolloClient({
    link: ApolloLink.from([announceSignedOut, tapAnswers, new HttpLink({ uri: '/graphql', credentials: 'same-origin' })]),
    cache: new InMemoryCache({
      typePolicies: {
        AuditEvent: { keyFields: ['seq'] },
        Query: {
          fields: {
            // A run has no id field, so it is stored inside the field: a live page's poll of a few
            // of its fields (RunLiveQuery) merges into what the run page loaded instead of replacing it.
            run: { merge: true },
          },
        },
        // No id of its own, and keyed by its user it would share one user's roles across projects:
        // a member stays inside its project's `members` list (MembersSection writes mutation
        // answers there by project id and user id).
        ProjectMember: { keyFields: false },
        // A version's counts and ratios are values without ids, read by several queries: merge them.
        DatasetVersion: { fields: { counts: { merge: true }, splitRatios: { merge: true } } },
        Project: {
          fields: {
            // Lists come back whole from the server: replace, never merge element by element.
            members: { merge: false },
            apiTokens: { merge: false },
          },
        },
      },
    }),
    defaultOptions: {
      watchQuery: { fetchPolicy: 'cache-and-network' },
    },
  });
}
