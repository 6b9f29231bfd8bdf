/**
 * On the page of a sweep's parent run (or of one of its runs): one link that opens the compare page
 * with every run of the sweep, which it shows as one group. Nothing for a run of no sweep.
 */
import { useQuery } from '@apollo/client/react';
import { Link } from 'react-router-dom';
import { RunSweepQuery } from './compare.operations';
import { compareSearch, MAX_COMPARED_RUNS, parseCompareState } from './url-state';

export function SweepCompareLink({ runId, slug }: { runId: string; slug: string }) {
  const { data } = useQuery(RunSweepQuery, { variables: { runId } });
  const sweep = data?.run.sweep;
  if (!sweep || sweep.runIds.length === 0) return null;
  const runs = sweep.runIds.slice(0, MAX_COMPARED_RUNS);
  const search = compareSearch({ ...parseCompareState(new URLSearchParams()), runs });
  const what = sweep.parentRunId === runId ? "this sweep's" : `sweep ${sweep.name}'s`;
  return (
    <Link className="btn" to={`/projects/${encodeURIComponent(slug)}/compare?${search.toString()}`}>
      Compare {what} {runs.length} run{runs.length === 1 ? '' : 's'}
    </Link>
  );
}
