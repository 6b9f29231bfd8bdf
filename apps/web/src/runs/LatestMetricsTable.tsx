/** The latest value and step of each of a run's metrics. */
import type { RunQuery as RunQueryResult } from '../gql/graphql';
import { formatMetric } from './format';

export function LatestMetricsTable({ metrics }: { metrics: RunQueryResult['run']['latestMetrics'] }) {
  return (
    <div className="table-wrap">
      <table className="table kv-table">
        <caption className="sr-only">Latest value of each metric</caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Latest value</th>
            <th scope="col">Step</th>
          </tr>
        </thead>
        <tbody>
          {metrics.map((m) => (
            <tr key={m.key}>
              <td>{m.key}</td>
              <td className={m.nonFinite ? 'nonfinite' : undefined}>{formatMetric(m.value, m.nonFinite)}</td>
              <td>{m.step}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
