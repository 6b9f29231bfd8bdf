/** A run's parameters or tags as a two-column table, or a line saying there are none. */
import { EmptyState } from '../ui/feedback';

export function KeyValueTable({
  rows,
  caption,
  empty,
}: {
  rows: readonly { key: string; value: string }[];
  caption: string;
  empty: string;
}) {
  if (rows.length === 0) return empty ? <EmptyState title={empty} /> : null;
  return (
    <div className="table-wrap">
      <table className="table kv-table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.key}</td>
              <td>{r.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
