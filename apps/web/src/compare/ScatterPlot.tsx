/** The scatter panel's chart (recharts), loaded on its own so the compare page's charts never wait for it. */
import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { formatMetric } from '../runs/format';
import type { Axis, RunFacts } from './analysis';
import { useChartTheme } from '../app/theme';

export interface ScatterPoint {
  r: RunFacts;
  x: number;
  y: number;
  label: string;
}

export default function ScatterPlot({
  points,
  axis,
  xField,
  yMetric,
}: {
  points: ScatterPoint[];
  axis: Axis;
  xField: string;
  yMetric: string;
}) {
  const chart = useChartTheme();
  return (
    <ResponsiveContainer width="100%" height="100%">
      <ScatterChart margin={{ top: 8, right: 16, bottom: 8, left: 0 }} accessibilityLayer={false}>
        <CartesianGrid stroke={chart.grid} strokeDasharray="3 3" />
        <XAxis
          type="number"
          dataKey="x"
          name={xField}
          domain={axis.numeric ? ['auto', 'auto'] : [-0.5, Math.max(0.5, axis.categories.length - 0.5)]}
          ticks={axis.numeric ? undefined : axis.categories.map((_, i) => i)}
          tickFormatter={(v: number) => (axis.numeric ? formatMetric(v) : (axis.categories[v] ?? ''))}
          tick={{ fill: chart.text, fontSize: 12 }}
        />
        <YAxis
          type="number"
          dataKey="y"
          name={yMetric}
          domain={['auto', 'auto']}
          tickFormatter={(v: number) => formatMetric(v)}
          tick={{ fill: chart.text, fontSize: 12 }}
          width={64}
        />
        <ZAxis range={[60, 60]} />
        <Tooltip
          cursor={{ strokeDasharray: '3 3' }}
          content={({ payload }) => {
            const p = payload?.[0]?.payload as ScatterPoint | undefined;
            return p ? (
              <div className="chart-tooltip chart-tooltip-static">
                <strong>{p.r.name}</strong>
                <div>
                  {xField.replace(/^[a-z]+:/, '')} = {p.label}
                </div>
                <div>
                  {yMetric} = {formatMetric(p.y)}
                </div>
              </div>
            ) : null;
          }}
        />
        {points.map((p) => (
          <Scatter key={p.r.runId} name={p.r.name} data={[p]} fill={p.r.color} isAnimationActive={false} />
        ))}
      </ScatterChart>
    </ResponsiveContainer>
  );
}
