/** One cell of the runs table: a run's value in one column (metric, param, tag or attribute), formatted for that column. */
import { Link } from 'react-router-dom';
import { DateText } from '../ui/time';
import { formatDuration, formatMetric, runDurationMs } from '../runs/format';
import { bestOf, directionWord, type MetricDirection } from '../runs/metric-directions';
import { StatusChip } from '../runs/StatusChip';
import { groupValue } from './groups';
import { parseColumn } from './state';
import type { TableRun } from './use-run-pages';

export function RunCell({
  run,
  column,
  now,
  selected,
  onSelect,
}: {
  run: TableRun;
  column: string;
  now: number;
  selected: boolean;
  onSelect: () => void;
}) {
  const c = parseColumn(column);
  if (!c) return <td />;
  if (c.kind === 'metrics') {
    const m = run.latestMetrics.find((x) => x.key === c.key);
    return (
      <td className={`metric${m?.nonFinite ? ' nonfinite' : ''}`}>
        {m ? formatMetric(m.value, m.nonFinite) : <span className="muted">—</span>}
      </td>
    );
  }
  if (c.kind === 'params' || c.kind === 'tags') {
    const v = groupValue(run, column);
    return (
      <td className="mono rt-text" title={v ?? undefined}>
        {v ?? <span className="muted">—</span>}
      </td>
    );
  }
  switch (c.key) {
    case 'status':
      return (
        <td>
          <StatusChip status={run.status} mlflowStatus={run.mlflowStatus} />
        </td>
      );
    case 'run_name':
      return (
        <td className="rt-name">
          <input type="checkbox" checked={selected} onChange={onSelect} aria-label={`Select ${run.name} to compare`} />
          <Link to={`/runs/${run.runId}`} className="strong-link">
            {run.name}
          </Link>
        </td>
      );
    case 'user':
      return <td>{run.user ? run.user.displayName : <span className="muted">—</span>}</td>;
    case 'start_time':
      return (
        <td className="nowrap">
          <DateText value={run.startTime} withTime />
        </td>
      );
    case 'end_time':
      return (
        <td className="nowrap">
          <DateText value={run.endTime} withTime />
        </td>
      );
    case 'duration':
      return <td className="nowrap">{formatDuration(runDurationMs(run, now))}</td>;
    default:
      return <td className="mono">{run.runId}</td>;
  }
}

/** A run's best value of a metric (its lowest or highest, by the direction), with the step it was first reached at. */
export function BestCell({ run, metricKey, direction }: { run: TableRun; metricKey: string; direction: MetricDirection | null }) {
  const best = bestOf(
    run.latestMetrics.find((x) => x.key === metricKey),
    direction,
  );
  if (!best || !direction) return <td className="metric rt-best">{<span className="muted">—</span>}</td>;
  return (
    <td
      className="metric rt-best"
      title={`${metricKey}: ${directionWord(direction)} value ${formatMetric(best.value)}, first reached at step ${best.step}`}
      data-step={best.step}
    >
      {formatMetric(best.value)} <span className="rt-best-step">@ {best.step}</span>
    </td>
  );
}
