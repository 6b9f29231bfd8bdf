/** "Compare with version N": what changed from the chosen version to this one, counts per kind and the first rows. */
import { useQuery } from '@apollo/client/react';
import type { DatasetDiffKind } from '../gql/graphql';
import { ErrorState, Loading } from '../ui/feedback';
import { splitLabel } from './dataset-helpers';
import { DatasetVersionDiffQuery } from './datasets.operations';

const DIFF_ROWS = 200;

const KINDS: { key: 'added' | 'removed' | 'moved' | 'relabelled' | 'changed' | 'unchanged'; label: string }[] = [
  { key: 'added', label: 'Added' },
  { key: 'removed', label: 'Removed' },
  { key: 'moved', label: 'Moved to another split' },
  { key: 'relabelled', label: 'Relabelled' },
  { key: 'changed', label: 'Changed content' },
  { key: 'unchanged', label: 'Unchanged' },
];

const KIND_LABELS: Record<DatasetDiffKind, string> = {
  ADDED: 'Added',
  REMOVED: 'Removed',
  MOVED: 'Moved',
  RELABELLED: 'Relabelled',
  CHANGED: 'Changed',
};

export function VersionDiff({
  versionId,
  number,
  others,
  fromId,
  onFromChange,
}: {
  versionId: string;
  number: number;
  others: readonly { id: string; number: number }[];
  fromId: string | null;
  onFromChange: (id: string | null) => void;
}) {
  const from = others.find((o) => o.id === fromId) ?? null;
  const { data, error, loading, refetch } = useQuery(DatasetVersionDiffQuery, {
    variables: { fromId: from?.id ?? '', toId: versionId, first: DIFF_ROWS },
    skip: !from,
  });
  const diff = from ? data?.datasetVersionDiff : undefined;
  return (
    <section className="panel" aria-labelledby="diff-title">
      <div className="panel-header">
        <h2 id="diff-title">Changes</h2>
        <label>
          Compare with{' '}
          <select value={from?.id ?? ''} onChange={(e) => onFromChange(e.target.value || null)} disabled={others.length === 0}>
            <option value="">{others.length ? 'Choose a version' : 'No other version'}</option>
            {others.map((o) => (
              <option key={o.id} value={o.id}>
                Version {o.number}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!from ? <p className="muted">Choose a version to see what changed from it to version {number}.</p> : null}
      {from && !diff && loading ? <Loading label="Comparing…" /> : null}
      {from && error ? <ErrorState title="The versions could not be compared" error={error} onRetry={() => void refetch()} /> : null}
      {from && diff ? (
        <>
          <dl className="details ds-diff-counts" aria-label={`From version ${from.number} to version ${number}`}>
            {KINDS.map((k) => (
              <div key={k.key}>
                <dt>{k.label}</dt>
                <dd>{diff.counts[k.key].toLocaleString('en-GB')}</dd>
              </div>
            ))}
          </dl>
          {diff.rows.length ? (
            <div className="table-wrap">
              <table className="table">
                <caption className="sr-only">
                  Items that differ from version {from.number} to version {number}
                  {diff.rows.length >= DIFF_ROWS ? `, the first ${DIFF_ROWS}` : ''}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Item</th>
                    <th scope="col">Change</th>
                    <th scope="col">Split</th>
                    <th scope="col">Label</th>
                  </tr>
                </thead>
                <tbody>
                  {diff.rows.map((r) => (
                    <tr key={r.itemKey}>
                      <td className="mono">{r.itemKey}</td>
                      <td>{KIND_LABELS[r.kind]}</td>
                      <td>{fromTo(r.fromSplit ? splitLabel(r.fromSplit) : null, r.toSplit ? splitLabel(r.toSplit) : null)}</td>
                      <td>{fromTo(r.fromLabel ?? null, r.toLabel ?? null)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted">No item differs.</p>
          )}
          {diff.rows.length >= DIFF_ROWS ? <p className="muted small">The first {DIFF_ROWS} changed items are listed.</p> : null}
        </>
      ) : null}
    </section>
  );
}

function fromTo(a: string | null, b: string | null): string {
  if (a === b) return a ?? '—';
  return `${a ?? '—'} → ${b ?? '—'}`;
}
