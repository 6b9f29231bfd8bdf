/**
 * One experiment: its details and its runs, newest first, a page at a time. The page's cursor is
 * in the address (?after=), so a shared link opens the same page of runs.
 */
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { errorCode } from '../app/graphql-errors';
import type { ExperimentQuery as ExperimentQueryResult } from '../gql/graphql';
import { EmptyState, ErrorState, Loading } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
import { DateText } from '../ui/time';
import { commonKeys, formatDuration, formatMetric, runDurationMs } from '../runs/format';
import { ExperimentQuery } from '../runs/runs.operations';
import { StatusChip } from '../runs/StatusChip';
import { useNow } from '../runs/use-now';

const PAGE_SIZE = 25;
const KEY_COLUMNS = 4;

type Experiment = ExperimentQueryResult['experiment'];
type RunRow = Experiment['runs']['edges'][number]['node'];

export function ExperimentPage() {
  const { experimentId = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const after = search.get('after');
  // Cursors of the pages before this one, for "Previous page"; a shared link starts without them.
  const [previous, setPrevious] = useState<(string | null)[]>([]);
  const { data: current, previousData, error, loading, refetch } = useQuery(ExperimentQuery, { variables: { id: experimentId, first: PAGE_SIZE, after } });
  // While the next page loads, the table keeps showing this one (for the same experiment).
  const data = current ?? (previousData?.experiment.id === experimentId ? previousData : undefined);

  if (!data) {
    if (error) {
      // The guard answers FORBIDDEN for an id it cannot place in a project: to the reader, both mean there is nothing here for them.
      const notFound = ['NOT_FOUND', 'FORBIDDEN'].includes(errorCode(error) ?? '');
      return (
        <>
          <PageHeader title={notFound ? 'Experiment not found' : 'Experiment'} />
          {notFound ? (
            <EmptyState title={`There is no experiment ${experimentId} you can read.`}>
              <p>
                Check the address, or <Link to="/runs">go to the experiments of your projects</Link>.
              </p>
            </EmptyState>
          ) : (
            <ErrorState title="The experiment could not be loaded" error={error} onRetry={() => void refetch()} />
          )}
        </>
      );
    }
    return (
      <>
        <PageHeader title="Experiment" />
        {loading ? <Loading label="Loading the experiment…" /> : null}
      </>
    );
  }

  const e = data.experiment;
  const note = e.tags.find((t) => t.key === 'mlflow.note.content')?.value;
  const goTo = (cursor: string | null) => setSearch(cursor ? { after: cursor } : {});
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/runs">Runs</Link> <span aria-hidden="true">/</span> <Link to={`/projects/${encodeURIComponent(e.project.slug)}`}>{e.project.name}</Link>{' '}
        <span aria-hidden="true">/</span> <span aria-current="page">{e.name}</span>
      </nav>
      <PageHeader title={e.name} description={note} />
      <section className="panel" aria-labelledby="experiment-details-title">
        <h2 id="experiment-details-title" className="sr-only">
          Details
        </h2>
        <dl className="details">
          <div>
            <dt>Experiment ID</dt>
            <dd className="mono">{e.id}</dd>
          </div>
          <div>
            <dt>Runs</dt>
            <dd>{e.runs.totalCount}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <DateText value={e.createdAt} withTime />
            </dd>
          </div>
          <div>
            <dt>State</dt>
            <dd>{e.lifecycleStage === 'deleted' ? <span className="badge badge-neutral">Deleted</span> : e.isDefault ? 'Active (the project’s Default experiment)' : 'Active'}</dd>
          </div>
        </dl>
      </section>
      <section className="panel" aria-labelledby="runs-title">
        <div className="panel-header">
          <h2 id="runs-title">Runs</h2>
          {loading ? <span className="muted small">Refreshing…</span> : null}
        </div>
        {error ? <ErrorState title="The runs could not be refreshed" error={error} onRetry={() => void refetch()} /> : null}
        {e.runs.edges.length === 0 ? (
          <EmptyState title={after ? 'No more runs.' : 'No runs in this experiment yet.'}>
            <p>
              Runs appear here when a training script logs to experiment <span className="mono">{e.name}</span> with the MLflow client, MONAI&apos;s MLFlowHandler, the
              Caliper SDK or CLI.
            </p>
          </EmptyState>
        ) : (
          <RunsTable runs={e.runs.edges.map((edge) => edge.node)} experimentName={e.name} />
        )}
        <div className="pager">
          {after ? (
            <button
              type="button"
              className="btn"
              onClick={() => {
                const prev = previous[previous.length - 1] ?? null;
                setPrevious(previous.slice(0, -1));
                goTo(prev);
              }}
            >
              {previous.length ? 'Previous page' : 'First page'}
            </button>
          ) : null}
          {e.runs.pageInfo.hasNextPage ? (
            <button
              type="button"
              className="btn"
              onClick={() => {
                setPrevious([...previous, after]);
                goTo(e.runs.pageInfo.endCursor ?? null);
              }}
            >
              Next page
            </button>
          ) : null}
        </div>
      </section>
    </>
  );
}

function RunsTable({ runs, experimentName }: { runs: RunRow[]; experimentName: string }) {
  const metricKeys = commonKeys(runs.map((r) => r.latestMetrics), KEY_COLUMNS);
  const paramKeys = commonKeys(runs.map((r) => r.params), KEY_COLUMNS);
  const now = useNow();
  return (
    <div className="table-wrap">
      <table className="table runs-table">
        <caption className="sr-only">Runs of {experimentName}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Run</th>
            <th scope="col">User</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            {metricKeys.map((k) => (
              <th key={`m-${k}`} scope="col" className="metric key-head" title={`Latest value of metric ${k}`}>
                {k}
              </th>
            ))}
            {paramKeys.map((k) => (
              <th key={`p-${k}`} scope="col" className="key-head" title={`Parameter ${k}`}>
                {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.runId}>
              <td>
                <StatusChip status={r.status} mlflowStatus={r.mlflowStatus} />
              </td>
              <td>
                <Link to={`/runs/${r.runId}`} className="strong-link">
                  {r.name}
                </Link>
              </td>
              <td>{r.user ? r.user.displayName : <span className="muted">—</span>}</td>
              <td className="nowrap">
                <DateText value={r.startTime} withTime />
              </td>
              <td className="nowrap">{formatDuration(runDurationMs(r, now))}</td>
              {metricKeys.map((k) => {
                const m = r.latestMetrics.find((x) => x.key === k);
                return (
                  <td key={`m-${k}`} className={`metric${m?.nonFinite ? ' nonfinite' : ''}`}>
                    {m ? formatMetric(m.value, m.nonFinite) : <span className="muted">—</span>}
                  </td>
                );
              })}
              {paramKeys.map((k) => (
                <td key={`p-${k}`} className="mono">
                  {r.params.find((x) => x.key === k)?.value ?? <span className="muted">—</span>}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
