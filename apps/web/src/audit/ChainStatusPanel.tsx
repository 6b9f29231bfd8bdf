/** The audit chain's verification status: intact or where it breaks, the acknowledged breaks, and the checkpoints checked. */
import { useQuery } from '@apollo/client/react';
import { ErrorState, Loading, Notice } from '../ui/feedback';
import { DateText } from '../ui/time';
import { AuditChainStatusQuery } from './audit.operations';

export function ChainStatusPanel() {
  const { data, error, loading, refetch } = useQuery(AuditChainStatusQuery, {
    fetchPolicy: 'network-only',
    notifyOnNetworkStatusChange: true,
  });
  const status = data?.auditChainStatus;
  return (
    <section className="panel" aria-labelledby="chain-title">
      <div className="panel-header">
        <h2 id="chain-title">Chain status</h2>
        <button type="button" className="btn" onClick={() => void refetch()} disabled={loading}>
          {loading ? 'Verifying…' : 'Verify again'}
        </button>
      </div>
      {!status && loading ? <Loading label="Verifying the audit chain…" /> : null}
      {!status && error ? <ErrorState title="The chain could not be verified" error={error} onRetry={() => void refetch()} /> : null}
      {status ? (
        <>
          {status.ok ? (
            <Notice kind="success" title={status.breaks.length ? 'Chain intact but for acknowledged breaks' : 'Chain intact'}>
              <p>
                Every event links to the one before it
                {status.breaks.length
                  ? `, except ${status.breaks.length} break${status.breaks.length === 1 ? '' : 's'} a system administrator has investigated and acknowledged (listed below),`
                  : ''}
                {status.checkpointsChecked > 0
                  ? ` and the chain matches all ${status.checkpointsChecked} checkpoint${status.checkpointsChecked === 1 ? '' : 's'} kept in object storage.`
                  : '. No checkpoint has been written to object storage yet (the worker writes one seconds after new events), so a deleted tail could not be detected until then.'}
              </p>
            </Notice>
          ) : (
            <Notice kind="error" title={status.brokenAtSeq ? `Chain broken at event ${status.brokenAtSeq}` : 'Chain broken'}>
              <p>{status.problem ?? 'The verifier reported a break without details.'}</p>
              <p>
                {status.unacknowledgedBreaks > 1 ? `${status.unacknowledgedBreaks} unacknowledged breaks in all (listed below). ` : ''}
                Those events cannot be trusted as recorded. Tell your system administrator and keep this page&apos;s details as evidence.
              </p>
            </Notice>
          )}
          {status.breaks.length ? (
            <table className="table" aria-label="Breaks in the audit chain">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">What is wrong</th>
                  <th scope="col">Acknowledged</th>
                </tr>
              </thead>
              <tbody>
                {status.breaks.map((b) => (
                  <tr key={`${b.seq}-${b.kind}`}>
                    <td className="mono">{b.seq}</td>
                    <td>
                      <span className="mono">{b.kind}</span>: {b.problem}
                    </td>
                    <td>
                      {b.acknowledged ? `by ${b.acknowledged.by} in event ${b.acknowledged.seq}: ${b.acknowledged.reason ?? ''}` : 'no'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <dl className="details details-inline">
            <div>
              <dt>Events checked</dt>
              <dd>{status.checkedEvents.toLocaleString('en-GB')}</dd>
            </div>
            <div>
              <dt>Last event</dt>
              <dd className="mono">{status.lastSeq ?? '—'}</dd>
            </div>
            <div>
              <dt>Checkpoints checked</dt>
              <dd>
                {status.checkpointsChecked} of {status.checkpointsFound} found ({status.checkpointsExpected} recorded)
              </dd>
            </div>
            <div>
              <dt>Verified</dt>
              <dd>
                <DateText value={status.verifiedAt} withTime />
              </dd>
            </div>
            {status.lastHash ? (
              <div className="details-wide">
                <dt>Last hash</dt>
                <dd className="mono hash">{status.lastHash}</dd>
              </div>
            ) : null}
          </dl>
        </>
      ) : null}
    </section>
  );
}
