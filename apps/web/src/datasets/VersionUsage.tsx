/**
 * Where a version went: "Runs using this version" (runs whose logged inputs link it, newest first,
 * paged by the server's cursor) and "Models trained from it" (model versions registered from those
 * runs). Only sealed versions are linked: a run can be proven to have used only what cannot change.
 */
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useApolloClient, useQuery } from '@apollo/client/react';
import type { VersionRunFieldsFragment } from '../gql/graphql';
import { StatusChip } from '../runs/StatusChip';
import { ErrorState, Loading } from '../ui/feedback';
import { DateText } from '../ui/time';
import { DatasetVersionRunsPageQuery, DatasetVersionUsageQuery } from './lineage.operations';

const RUNS_PAGE = 20;
type RunEdge = VersionRunFieldsFragment['edges'][number];

const STAGE_LABEL: Record<string, string> = { none: 'None', staging: 'Staging', clinical: 'Clinical', retired: 'Retired' };

export function VersionUsage({ versionId, sealed }: { versionId: string; sealed: boolean }) {
  const client = useApolloClient();
  const { data, error, loading, refetch } = useQuery(DatasetVersionUsageQuery, {
    variables: { id: versionId, first: RUNS_PAGE },
    fetchPolicy: 'cache-and-network',
  });
  const [more, setMore] = useState<{ edges: RunEdge[]; next: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);

  const runs = data?.datasetVersion.runs;
  const edges = [...(runs?.edges ?? []), ...(more?.edges ?? [])];
  const next = more ? more.next : runs?.pageInfo.hasNextPage ? runs.pageInfo.endCursor : null;

  async function loadMore() {
    if (!next) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const { data: page } = await client.query({
        query: DatasetVersionRunsPageQuery,
        variables: { id: versionId, first: RUNS_PAGE, after: next },
        fetchPolicy: 'network-only',
      });
      const got = page?.datasetVersion.runs;
      if (got)
        setMore({
          edges: [...(more?.edges ?? []), ...got.edges],
          next: got.pageInfo.hasNextPage ? (got.pageInfo.endCursor ?? null) : null,
        });
    } catch (err) {
      setMoreError(err);
    } finally {
      setLoadingMore(false);
    }
  }

  if (!data) {
    return (
      <section className="panel" aria-labelledby="version-runs-title">
        <h2 id="version-runs-title">Runs using this version</h2>
        {error ? (
          <ErrorState title="The runs using this version could not be loaded" error={error} onRetry={() => void refetch()} />
        ) : loading ? (
          <Loading label="Loading the runs using this version…" />
        ) : null}
      </section>
    );
  }

  const models = data.datasetVersion.models;
  return (
    <>
      <section className="panel" aria-labelledby="version-runs-title">
        <div className="panel-header">
          <h2 id="version-runs-title">Runs using this version</h2>
          <span className="muted small">
            {runs?.totalCount === 1 ? '1 run' : `${(runs?.totalCount ?? 0).toLocaleString('en-GB')} runs`}
          </span>
        </div>
        {edges.length === 0 ? (
          <p className="muted">
            {sealed
              ? `No run has logged this version yet. A run records it when it logs an input whose source is caliper://dataset-versions/${versionId} or whose digest is the manifest sha256 (mlflow.log_input, or the native API).`
              : 'Only sealed versions are linked to runs: seal this version before training on it.'}
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Runs whose logged inputs include this version, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Experiment</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Created by</th>
                </tr>
              </thead>
              <tbody>
                {edges.map(({ node: r }) => (
                  <tr key={r.runId}>
                    <td>
                      <Link to={`/runs/${encodeURIComponent(r.runId)}`} className="strong-link">
                        {r.name || r.runId}
                      </Link>
                    </td>
                    <td>
                      <Link to={`/experiments/${encodeURIComponent(r.experimentId)}`}>{r.experimentName}</Link>
                    </td>
                    <td>
                      <StatusChip status={r.status} />
                    </td>
                    <td>
                      <DateText value={r.startTime} withTime />
                    </td>
                    <td>{r.createdByName ?? <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {moreError ? <ErrorState title="More runs could not be loaded" error={moreError} onRetry={() => void loadMore()} /> : null}
        {next ? (
          <div className="form-actions">
            <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Show more runs'}
            </button>
          </div>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="version-models-title">
        <h2 id="version-models-title">Models trained from it</h2>
        {models.length === 0 ? (
          <p className="muted">No model version has been registered from a run that used this version.</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Model versions registered from runs that used this version, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col" className="num">
                    Version
                  </th>
                  <th scope="col">Stage</th>
                  <th scope="col">Registered</th>
                  <th scope="col">Source run</th>
                </tr>
              </thead>
              <tbody>
                {models.map((m) => (
                  <tr key={m.id}>
                    <td>{m.modelName}</td>
                    <td className="num">{m.version}</td>
                    <td>{STAGE_LABEL[m.stage] ?? m.stage}</td>
                    <td>
                      <DateText value={m.createdAt} withTime />
                    </td>
                    <td>
                      <Link to={`/runs/${encodeURIComponent(m.runId)}`}>{m.runName || m.runId}</Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
