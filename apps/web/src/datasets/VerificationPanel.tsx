/**
 * "Verification against the sources": the latest re-fetch and re-hash of a version's items (PACS
 * items by WADO-RS, copied items from the datasets bucket), its progress while it runs (polled,
 * with backoff, like a running run), and the items that drifted: changed (another sha256),
 * missing, or not checkable. Those with dataset.write can start one ("Verify against PACS").
 */
import { useState } from 'react';
import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useLivePoll } from '../app/use-live-poll';
import type { DatasetVerificationDriftFieldsFragment, LatestVerificationQuery as LatestResult } from '../gql/graphql';
import { ErrorState, MutationError, Notice } from '../ui/feedback';
import { LiveIndicator } from '../ui/LiveIndicator';
import { DateText } from '../ui/time';
import { LatestVerificationQuery, VerificationDriftsQuery, VerifyDatasetVersionMutation } from './verification.operations';

const DRIFT_PAGE = 100;
const GOING = new Set(['QUEUED', 'RUNNING']);

type Verification = LatestResult['datasetVersion']['verifications'][number];

const KIND_LABEL: Record<DatasetVerificationDriftFieldsFragment['kind'], string> = {
  CHANGED: 'Changed',
  MISSING: 'Missing',
  ERROR: 'Not checked',
};

/** What a poll compares: a change brings the next poll back to the shortest wait. */
const fingerprint = (v: Verification | undefined) => JSON.stringify(v ? [v.id, v.status, v.checked, v.error] : null);

export function VerificationPanel({ versionId, canVerify }: { versionId: string; canVerify: boolean }) {
  const client = useApolloClient();
  const { data, error, refetch } = useQuery(LatestVerificationQuery, { variables: { id: versionId, first: DRIFT_PAGE } });
  const latest = data?.datasetVersion.verifications[0];
  const [verify, verifying] = useMutation(VerifyDatasetVersionMutation);
  const [more, setMore] = useState<{
    verificationId: string;
    drifts: DatasetVerificationDriftFieldsFragment[];
    next: string | null;
  } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  const live = useLivePoll(!!latest && GOING.has(latest.status), async () => {
    const before = fingerprint(latest);
    const { data: fresh } = await refetch();
    return fingerprint(fresh?.datasetVersion.verifications[0]) !== before;
  });

  async function start() {
    try {
      await verify({ variables: { versionId } });
      setMore(null);
      await refetch();
    } catch {
      // Rendered from the mutation state.
    }
  }

  const extra = more && latest && more.verificationId === latest.id ? more : null;
  const drifts = [...(latest?.drifts.drifts ?? []), ...(extra?.drifts ?? [])];
  const next = extra ? extra.next : (latest?.drifts.next ?? null);

  async function loadMore() {
    if (!latest || !next) return;
    setLoadingMore(true);
    try {
      const { data: page } = await client.query({
        query: VerificationDriftsQuery,
        variables: { id: versionId, first: DRIFT_PAGE, after: next },
        fetchPolicy: 'network-only',
      });
      const got = page?.datasetVersion.verifications[0];
      if (got && got.id === latest.id)
        setMore({ verificationId: latest.id, drifts: [...(extra?.drifts ?? []), ...got.drifts.drifts], next: got.drifts.next });
    } finally {
      setLoadingMore(false);
    }
  }

  const going = !!latest && GOING.has(latest.status);
  return (
    <section className="panel" aria-labelledby="verification-title">
      <div className="panel-header">
        <h2 id="verification-title">Verification against the sources</h2>
        {canVerify ? (
          <button type="button" className="btn" onClick={() => void start()} disabled={verifying.loading || going}>
            {going ? 'Verifying…' : 'Verify against PACS'}
          </button>
        ) : null}
      </div>
      <p className="muted small">
        Re-fetches every item (from the PACS for referenced instances, from the datasets bucket for copied ones) and compares its sha256
        with the one this version recorded.
      </p>
      <MutationError error={verifying.error} />
      {error && !data ? <ErrorState title="The verifications could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
      {data && !latest ? <p className="muted">This version has not been verified yet.</p> : null}
      {latest ? <VerificationSummary verification={latest} /> : null}
      <LiveIndicator live={live} what="Updates while the verification runs." />
      {latest && drifts.length ? (
        <>
          {/* The hashes make it wider than the panel: a scrollable region, reachable by keyboard. */}
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Drifted items, scrollable">
            <table className="table" aria-label="Drifted items">
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Drift</th>
                  <th scope="col">Recorded sha256</th>
                  <th scope="col">Found</th>
                </tr>
              </thead>
              <tbody>
                {drifts.map((d) => (
                  <tr key={d.itemKey}>
                    <th scope="row" className="mono">
                      {d.itemKey}
                      {d.objectKey ? <div className="muted small">{d.objectKey}</div> : null}
                    </th>
                    <td>{KIND_LABEL[d.kind]}</td>
                    <td className="mono hash">{d.expectedSha256}</td>
                    <td className={d.actualSha256 ? 'mono hash' : undefined}>{d.actualSha256 ?? d.reason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {next ? (
            <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Show more drifted items'}
            </button>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function VerificationSummary({ verification: v }: { verification: Verification }) {
  const drift = v.changed + v.missing + v.errors;
  const counts = `${v.checked.toLocaleString('en-GB')}${v.total !== null ? ` of ${v.total.toLocaleString('en-GB')}` : ''} items checked`;
  if (v.status === 'QUEUED')
    return (
      <p role="status">
        Queued <DateText value={v.createdAt} withTime />: waiting for a worker.
      </p>
    );
  if (v.status === 'RUNNING')
    return (
      <div className="ds-upload-progress">
        {v.total !== null ? <progress max={Math.max(v.total, 1)} value={v.checked} aria-label="Verification progress" /> : null}
        <p role="status">
          Verifying: {counts}; {drift.toLocaleString('en-GB')} drifted so far.
        </p>
        {v.error ? <p className="muted small">{v.error}</p> : null}
      </div>
    );
  if (v.status === 'FAILED')
    return (
      <Notice kind="error" title="The verification failed">
        <p>{v.error}</p>
        <p className="muted small">
          {counts} before it stopped. Started <DateText value={v.startedAt ?? v.createdAt} withTime />.
        </p>
      </Notice>
    );
  return drift === 0 ? (
    <Notice kind="success" title="No drift">
      <p>
        All {v.ok.toLocaleString('en-GB')} items are as recorded (verified <DateText value={v.finishedAt ?? v.createdAt} withTime />
        ).
      </p>
    </Notice>
  ) : (
    <Notice kind="warning" title={`${drift.toLocaleString('en-GB')} ${drift === 1 ? 'item has' : 'items have'} drifted`}>
      <p>
        {v.changed.toLocaleString('en-GB')} changed, {v.missing.toLocaleString('en-GB')} missing, {v.errors.toLocaleString('en-GB')} not
        checked; {v.ok.toLocaleString('en-GB')} of {v.checked.toLocaleString('en-GB')} as recorded (verified{' '}
        <DateText value={v.finishedAt ?? v.createdAt} withTime />
        ).
      </p>
    </Notice>
  );
}
