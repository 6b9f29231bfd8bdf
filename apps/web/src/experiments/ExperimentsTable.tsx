/** A project's experiments with their run counts, each linking to its run table. */
import { Link } from 'react-router-dom';
import { DateText } from '../ui/time';

export interface ExperimentSummary {
  id: string;
  name: string;
  isDefault: boolean;
  runCount: number;
  lastUpdatedAt: string;
}

export function ExperimentsTable({ experiments, caption }: { experiments: readonly ExperimentSummary[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Experiment</th>
            <th scope="col">ID</th>
            <th scope="col" className="num">
              Runs
            </th>
            <th scope="col">Last updated</th>
          </tr>
        </thead>
        <tbody>
          {experiments.map((e) => (
            <tr key={e.id}>
              <td>
                <Link to={`/experiments/${e.id}`} className="strong-link">
                  {e.name}
                </Link>
                {e.isDefault ? <span className="muted small"> (default)</span> : null}
              </td>
              <td className="mono">{e.id}</td>
              <td className="num">{e.runCount}</td>
              <td>
                <DateText value={e.lastUpdatedAt} withTime />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
