/** What the compare page hands its parts: a compared run as the API answers it, the facts the panels read, and the view's updater. */
import type { CompareRunsQuery } from '../gql/graphql';
import type { RunFacts } from './analysis';
import type { CompareState } from './url-state';

export type ComparedRun = CompareRunsQuery['compareRuns'][number];
export type ComparedRunFacts = RunFacts & { run: ComparedRun };
/**
 * Changes the view in the address: a new history entry, unless `replace`. A change that depends on
 * the view (toggling one entry of a list) is a function of the view as the address holds it now,
 * so it keeps any change made since the page last rendered.
 */
export type UpdateCompareState = (
  patch: Partial<CompareState> | ((current: CompareState) => Partial<CompareState>),
  opts?: { replace?: boolean },
) => void;
