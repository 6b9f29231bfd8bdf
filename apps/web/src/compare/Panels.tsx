/** The compare page's panels beside the charts: param/tag diff, scatter and parallel coordinates. */
import { lazy, Suspense } from 'react';
import { AxisFrame } from '../runs/AxisFrame';
import { formatMetric } from '../runs/format';
import { axisCoverage, axisOf, diffRows, fieldTitle, fieldValue, metricField, type MetricValueKind, type RunFacts } from './analysis';
import { useChartTheme } from '../app/theme';

// recharts is a large module: it loads beside the series request instead of before the page can start it.
const ScatterPlot = lazy(() => import('./ScatterPlot'));

export function ParamDiff({
  runs,
  showSame,
  onShowSame,
  swept = new Set(),
}: {
  runs: readonly RunFacts[];
  showSame: boolean;
  onShowSame: (v: boolean) => void;
  /** Parameters a compared sweep varies: listed first and marked. */
  swept?: ReadonlySet<string>;
}) {
  const isSwept = (row: { kind: string; key: string }) => row.kind === 'param' && swept.has(row.key);
  const rows = sweptFirst(diffRows(runs), isSwept);
  const shown = showSame ? rows : rows.filter((r) => r.differs);
  const differing = rows.filter((r) => r.differs).length;
  return (
    <>
      <div className="cmp-panel-tools">
        <label className="check">
          <input type="checkbox" checked={!showSame} onChange={(e) => onShowSame(!e.target.checked)} /> Hide identical rows
        </label>
        <span className="muted">
          {differing} of {rows.length} parameters and tags differ
        </span>
      </div>
      {shown.length === 0 ? (
        <p className="muted">
          {rows.length ? 'Every parameter and tag is the same in all these runs.' : 'These runs have no parameters or tags.'}
        </p>
      ) : (
        <div className="table-wrap cmp-diff-wrap">
          <table className="table cmp-diff">
            <caption className="sr-only">Parameters and tags of the compared runs; cells that differ from the first run are marked</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                {runs.map((r) => (
                  <th scope="col" key={r.runId}>
                    <span className="swatch" style={{ background: r.color }} aria-hidden="true" /> {r.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <tr
                  key={`${row.kind}:${row.key}`}
                  className={[row.differs ? 'cmp-row-differs' : '', isSwept(row) ? 'cmp-row-swept' : ''].join(' ').trim() || undefined}
                  data-swept={isSwept(row) ? 'true' : undefined}
                >
                  <th scope="row">
                    <span className="muted small">{row.kind}</span> <span className="code-value">{row.key}</span>
                    {isSwept(row) ? <span className="cmp-swept-badge">swept</span> : null}
                  </th>
                  {runs.map((run, i) => {
                    const v = row.values[i] ?? null;
                    const differs = row.differs && v !== row.values[0];
                    return (
                      <td key={run.runId} className={differs ? 'cmp-differs' : undefined} data-differs={differs ? 'true' : undefined}>
                        {v === null ? <span className="muted">—</span> : <span className="code-value">{v}</span>}
                        {differs ? <span className="sr-only"> (differs)</span> : null}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** The rows of swept parameters before the others, each part in its own order. */
function sweptFirst<T>(rows: T[], isSwept: (row: T) => boolean): T[] {
  return [...rows.filter(isSwept), ...rows.filter((r) => !isSwept(r))];
}

export interface FieldOption {
  value: string;
  label: string;
}

function FieldSelect({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  options: FieldOption[];
  onChange: (v: string) => void;
}) {
  return (
    <div className="field cmp-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Which value of each metric a plot takes: the latest, or the best by the project's direction. */
function ValueKindSelect({ id, value, onChange }: { id: string; value: MetricValueKind; onChange: (v: MetricValueKind) => void }) {
  return (
    <FieldSelect
      id={id}
      label="Metric values"
      value={value}
      options={[
        { value: 'latest', label: 'Latest' },
        { value: 'best', label: 'Best' },
      ]}
      onChange={(v) => onChange(v === 'best' ? 'best' : 'latest')}
    />
  );
}

/** A metric field (`metric:<key>`) as the chosen value kind; other fields unchanged. */
const asKind = (field: string, kind: MetricValueKind): string =>
  field.startsWith('metric:') ? metricField(field.slice('metric:'.length), kind) : field;

export function ScatterPanel(props: {
  runs: readonly RunFacts[];
  xField: string;
  yMetric: string;
  xOptions: FieldOption[];
  metricKeys: string[];
  valueKind: MetricValueKind;
  directions: ReadonlyMap<string, 'MIN' | 'MAX'>;
  /** One axis changed; the other is left as the view has it then. */
  onChange: (axis: { x: string } | { y: string }) => void;
  onValueKind: (kind: MetricValueKind) => void;
}) {
  const { runs, yMetric, valueKind } = props;
  const xField = asKind(props.xField, valueKind);
  const yField = metricField(yMetric, valueKind);
  const titleOf = (f: string) => fieldTitle(f, props.directions.get(f.slice(f.indexOf(':') + 1)));
  const xs = runs.map((r) => fieldValue(r, xField));
  const axis = axisOf(xs);
  const points = runs
    .map((r, i) => {
      const y = fieldValue(r, yField);
      const xv = xs[i];
      if (xv === null || typeof y !== 'number') return null;
      const x = axis.numeric ? Number(xv) : axis.categories.indexOf(String(xv));
      return { r, x, y, label: String(xv) };
    })
    .filter((p): p is NonNullable<typeof p> => p !== null);
  return (
    <>
      <div className="cmp-panel-tools">
        <FieldSelect id="scatter-x" label="x" value={props.xField} options={props.xOptions} onChange={(x) => props.onChange({ x })} />
        <FieldSelect
          id="scatter-y"
          label="y"
          value={yMetric}
          options={props.metricKeys.map((k) => ({ value: k, label: k }))}
          onChange={(y) => props.onChange({ y })}
        />
        <ValueKindSelect id="scatter-values" value={valueKind} onChange={props.onValueKind} />
      </div>
      <p className="muted small">
        {points.length} of {runs.length} runs have both values.
      </p>
      <AxisFrame x={titleOf(xField)} y={titleOf(yField)}>
        <div className="chart-box cmp-scatter" aria-hidden="true">
          <Suspense fallback={null}>
            <ScatterPlot points={points} axis={axis} xField={xField} yMetric={titleOf(yField)} />
          </Suspense>
        </div>
      </AxisFrame>
    </>
  );
}

const PC_HEIGHT = 300;
/** Runs named as not drawn under the plot; past this many, the rest are counted. */
const MAX_NAMED_INCOMPLETE = 5;
const keyOf = (field: string) => field.replace(/^[a-z]+:/, '');

/** Parallel coordinates: one vertical axis per chosen param (numeric or categorical), the metric last; one polyline per run. */
export function ParallelPanel(props: {
  runs: readonly RunFacts[];
  params: string[];
  metric: string;
  paramKeys: string[];
  metricKeys: string[];
  /** Adds (`on`) or removes one param axis, applied to the axes as the view has them then. */
  onToggleParam: (key: string, on: boolean) => void;
  onMetric: (metric: string) => void;
  valueKind: MetricValueKind;
  directions: ReadonlyMap<string, 'MIN' | 'MAX'>;
  onValueKind: (kind: MetricValueKind) => void;
}) {
  const chart = useChartTheme();
  const { runs, params, metric } = props;
  const metricAxis = metricField(metric, props.valueKind);
  const fields = [...params.map((p) => `param:${p}`), metricAxis];
  const axisTitle = (f: string) => (f === metricAxis ? fieldTitle(f, props.directions.get(metric)) : keyOf(f));
  const axes = fields.map((f) => ({ f, axis: axisOf(runs.map((r) => fieldValue(r, f))) }));
  // A run without a value on some axis has no line: say how many are drawn and which are not, as the scatter does.
  const { complete, incomplete } = axisCoverage(runs, axes);
  const named = incomplete.slice(0, MAX_NAMED_INCOMPLETE);
  const width = Math.max(320, 160 * fields.length);
  const left = 50;
  const right = 50;
  const top = 28;
  const bottom = 20;
  const ax = (i: number) => (fields.length === 1 ? width / 2 : left + (i * (width - left - right)) / (fields.length - 1));
  const ay = (p: number) => top + (1 - p) * (PC_HEIGHT - top - bottom);
  const label = (a: ReturnType<typeof axisOf>, p: 0 | 1): string =>
    a.numeric ? formatMetric(p ? a.hi : a.lo) : ((p ? a.categories[a.categories.length - 1] : a.categories[0]) ?? '');
  return (
    <>
      <div className="cmp-panel-tools">
        <fieldset className="cmp-checks">
          <legend>Parameters</legend>
          {props.paramKeys.map((k) => (
            <label key={k} className="check">
              <input type="checkbox" checked={params.includes(k)} onChange={(e) => props.onToggleParam(k, e.target.checked)} /> {k}
            </label>
          ))}
        </fieldset>
        <FieldSelect
          id="parallel-metric"
          label="Metric"
          value={metric}
          options={props.metricKeys.map((k) => ({ value: k, label: k }))}
          onChange={(m) => props.onMetric(m)}
        />
        <ValueKindSelect id="parallel-values" value={props.valueKind} onChange={props.onValueKind} />
      </div>
      <p className="muted small">
        {complete.length} of {runs.length} runs have all values.
      </p>
      {named.length ? (
        <p className="muted small">
          Not drawn: {named.map(({ run, missing }) => `${run.name} (no ${missing.map(keyOf).join(', ')})`).join(', ')}
          {incomplete.length > named.length ? ` and ${incomplete.length - named.length} more` : ''}.
        </p>
      ) : null}
      <div className="cmp-parallel-wrap">
        <svg
          width={width}
          height={PC_HEIGHT}
          role="img"
          aria-label={`Parallel coordinates of ${params.join(', ') || 'no parameters'} against ${props.valueKind === 'best' ? axisTitle(metricAxis) : metric} for ${complete.length} of ${runs.length} runs`}
        >
          {complete.map(({ run: r, positions }) => {
            const pts = positions.map((p, i) => `${ax(i)},${ay(p)}`);
            return (
              <polyline key={r.runId} points={pts.join(' ')} fill="none" stroke={r.color} strokeWidth={1.6} strokeOpacity={0.85}>
                <title>{r.name}</title>
              </polyline>
            );
          })}
          {axes.map(({ f, axis }, i) => (
            <g key={f}>
              <line x1={ax(i)} x2={ax(i)} y1={top} y2={PC_HEIGHT - bottom} stroke={chart.axis} />
              <text
                x={i === fields.length - 1 && fields.length > 1 ? ax(i) + right - 4 : ax(i)}
                y={14}
                textAnchor={i === fields.length - 1 && fields.length > 1 ? 'end' : 'middle'}
                fontSize={12}
                fill={chart.strong}
                className="pc-axis-title"
              >
                {axisTitle(f)}
              </text>
              {axis.numeric || axis.categories.length <= 8 ? (
                axis.numeric ? (
                  <>
                    <text x={ax(i) + 4} y={top + 4} fontSize={11} fill={chart.text}>
                      {label(axis, 1)}
                    </text>
                    <text x={ax(i) + 4} y={PC_HEIGHT - bottom} fontSize={11} fill={chart.text}>
                      {label(axis, 0)}
                    </text>
                  </>
                ) : (
                  axis.categories.map((c, k) => (
                    <text
                      key={c}
                      x={ax(i) + 4}
                      y={ay(axis.categories.length === 1 ? 0.5 : k / (axis.categories.length - 1)) + 4}
                      fontSize={11}
                      fill={chart.text}
                    >
                      {c}
                    </text>
                  ))
                )
              ) : null}
            </g>
          ))}
        </svg>
      </div>
    </>
  );
}
