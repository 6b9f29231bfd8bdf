/** The compare chart in recharts' SVG (no drag zoom): kept to measure against the canvas renderer (docs/compare-design.md). */
import { useEffect, useMemo } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { formatMetric } from '../runs/format';
import { formatX, HEIGHT, type CompareChartProps } from './CompareChart';
import { useChartTheme } from '../app/theme';

export default function RechartsPlot({
  lines,
  xMode,
  logY,
  smoothing,
  onDrawn,
  chartKey,
}: Omit<CompareChartProps, 'id' | 'title' | 'xTitle' | 'yTitle' | 'renderer' | 'children'>) {
  const chart = useChartTheme();
  const data = useMemo(
    () =>
      lines.map((l) => ({
        l,
        pts: l.x.map((x, i) => ({
          x,
          y: l.smoothed[i],
          raw: l.raw[i],
          band: l.lo[i] === null || l.hi[i] === null ? null : [l.lo[i], l.hi[i]],
        })),
      })),
    [lines],
  );
  useEffect(() => {
    const id = requestAnimationFrame(() => onDrawn(chartKey, lines));
    return () => cancelAnimationFrame(id);
  }, [data, smoothing, logY, xMode, onDrawn, chartKey, lines]);
  return (
    <div className="chart-plot" style={{ height: HEIGHT }} aria-hidden="true">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart margin={{ top: 8, right: 12, bottom: 4, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid stroke={chart.grid} strokeDasharray="3 3" />
          <XAxis
            dataKey="x"
            type="number"
            domain={['dataMin', 'dataMax']}
            allowDuplicatedCategory={false}
            tick={{ fill: chart.text, fontSize: 12 }}
            tickFormatter={(v: number) => formatX(v, xMode, 0)}
          />
          <YAxis
            scale={logY ? 'log' : 'auto'}
            domain={['auto', 'auto']}
            tick={{ fill: chart.text, fontSize: 12 }}
            tickFormatter={(v: number) => formatMetric(v)}
            width={64}
          />
          {data.map(({ l, pts }) => (
            <Area
              key={`${l.id}-band`}
              data={pts}
              dataKey="band"
              stroke="none"
              fill={l.color}
              fillOpacity={0.13}
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
          {data.map(({ l, pts }) => (
            <Line
              key={`${l.id}-raw`}
              data={pts}
              dataKey="raw"
              stroke={l.color}
              strokeOpacity={smoothing > 0 ? 0.28 : 1}
              dot={false}
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
          {smoothing > 0
            ? data.map(({ l, pts }) => (
                <Line
                  key={`${l.id}-ema`}
                  data={pts}
                  dataKey="y"
                  stroke={l.color}
                  strokeWidth={1.6}
                  dot={false}
                  isAnimationActive={false}
                  connectNulls={false}
                />
              ))
            : null}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
