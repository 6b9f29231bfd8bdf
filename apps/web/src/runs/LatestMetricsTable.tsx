/** The latest value and step of each of a run's metrics, and its best (by the project's direction for the key) with the step it was first reached at. */
import type { RunQuery as RunQueryResult } from '../gql/graphql';
import { formatMetric } from './format';
import { bestOf, directionWord, type Directions } from './metric-directions';

export function LatestMetricsTable({
  metrics,
  directions,
}: {
  metrics: RunQueryResult['run']['latestMetrics'];
  directions: Pick<Directions, 'of'>;
}) {
  return (
    <div className="table-wrap">
      <table className="table kv-table">
        <caption className="sr-only">Latest value of each metric</caption>
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col">Latest value</th>
            <th scope="col">Step</th>
            <th scope="col">Best value</th>
            <th scope="col">Best at step</th>
          </tr>
        </thead>
        <tbody>
          {metrics.map((m) => {
            const direction = directions.of(m.key);
            const best = bestOf(m, direction);
            return (
              <tr key={m.key}>
                <td>{m.key}</td>
                <td className={m.nonFinite ? 'nonfinite' : undefined}>{formatMetric(m.value, m.nonFinite)}</td>
                <td>{m.step}</td>
                <td title={direction ? `The ${directionWord(direction)} value` : undefined}>
                  {best ? formatMetric(best.value) : <span className="muted">—</span>}
                  {best && direction ? <span className="muted small"> ({directionWord(direction)})</span> : null}
                </td>
                <td>{best ? best.step : <span className="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
