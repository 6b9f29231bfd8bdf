/**
 * Several of a run's metrics on one chart (issue 12), e.g. Dice of each tumour region (dice_et,
 * dice_tc, dice_wt): the reader picks the keys (or a family of keys sharing a prefix), each is
 * loaded like its own chart (MetricChart's history hook, growing while the run is live) and drawn
 * in its colour against the step, with a legend naming each. The choice is in the address
 * (`?overlay=a,b,c`), so a link opens the same chart.
 */
import { useCallback, useMemo, useState, useEffect } from 'react';
import { useAddressSearch } from '../app/use-address-search';
import { CanvasPlot, type PlotLine } from '../charts/CanvasPlot';
import { paletteColor } from '../compare/series';
import { AxisFrame, X_TITLES } from './AxisFrame';
import { formatMetric, thinForChart } from './format';
import { DRAWN_POINTS, plotLine, PLOT_HEIGHT, STEP_AXES, useMetricHistory, type History } from './MetricChart';

/** Keys that share a prefix (before their last `_`, `/` or `.`) with at least one other: `dice_et`, `dice_tc` → `dice`. */
export function metricFamilies(keys: readonly string[]): { prefix: string; keys: string[] }[] {
  const byPrefix = new Map<string, string[]>();
  for (const k of keys) {
    const cut = Math.max(k.lastIndexOf('_'), k.lastIndexOf('/'), k.lastIndexOf('.'));
    if (cut <= 0) continue;
    const prefix = k.slice(0, cut);
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), k]);
  }
  return [...byPrefix].filter(([, ks]) => ks.length > 1).map(([prefix, ks]) => ({ prefix, keys: ks }));
}

/** Loads one overlaid metric's history and hands it up (a hook per key, which a list of keys cannot call). */
function OverlaySeries({
  runId,
  metricKey,
  version,
  onHistory,
}: {
  runId: string;
  metricKey: string;
  version: string | undefined;
  onHistory: (key: string, history: History | null, error: string | null) => void;
}) {
  const { history, error } = useMetricHistory(runId, metricKey, version);
  useEffect(() => onHistory(metricKey, history, error), [metricKey, history, error, onHistory]);
  return null;
}

export function OverlayChart({
  runId,
  keys,
  versions,
}: {
  runId: string;
  /** The run's training metric keys. */
  keys: readonly string[];
  /** Each key's latest step and time: a live chart reads on when its metric moves. */
  versions: ReadonlyMap<string, string>;
}) {
  const [search, changeSearch] = useAddressSearch();
  const chosen = useMemo(
    () => (search.get('overlay') ?? '').split(',').filter((k, i, all) => keys.includes(k) && all.indexOf(k) === i),
    [search, keys],
  );
  const choose = (next: (current: string[]) => string[]) =>
    changeSearch(
      (current) => {
        const list = next((current.get('overlay') ?? '').split(',').filter((k) => keys.includes(k)));
        if (list.length) current.set('overlay', list.join(','));
        else current.delete('overlay');
        return current;
      },
      { replace: true },
    );
  const [loaded, setLoaded] = useState<ReadonlyMap<string, { history: History | null; error: string | null }>>(new Map());
  const onHistory = useCallback(
    (key: string, history: History | null, error: string | null) =>
      setLoaded((m) => {
        const was = m.get(key);
        return was && was.history === history && was.error === error ? m : new Map(m).set(key, { history, error });
      }),
    [],
  );
  const families = metricFamilies(keys);
  const series = useMemo(
    () =>
      chosen.map((key, i) => {
        const h = loaded.get(key)?.history ?? null;
        const color = paletteColor(i);
        return {
          key,
          color,
          line: h ? plotLine(key, color, thinForChart(h.steps, h.values, DRAWN_POINTS)) : null,
          error: loaded.get(key)?.error ?? null,
        };
      }),
    [chosen, loaded],
  );
  const lines = useMemo(() => series.map((s) => s.line).filter((l): l is PlotLine => l !== null), [series]);
  const ready = lines.length === series.length;

  return (
    <section className="chart-card overlay-card" aria-labelledby="overlay-title">
      <h3 id="overlay-title">Metrics overlaid</h3>
      <fieldset className="overlay-picker">
        <legend>Metrics on this chart</legend>
        {keys.map((k) => (
          <label key={k} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(k)}
              onChange={(e) => {
                const on = e.target.checked;
                choose((current) => (on ? [...current.filter((c) => c !== k), k] : current.filter((c) => c !== k)));
              }}
            />{' '}
            {k}
          </label>
        ))}
      </fieldset>
      {families.length ? (
        <p className="overlay-families small">
          {families.map((f) => (
            <button key={f.prefix} type="button" className="btn btn-small" onClick={() => choose(() => f.keys)}>
              Overlay {f.prefix}_* ({f.keys.length})
            </button>
          ))}
        </p>
      ) : null}
      {chosen.map((k) => (
        <OverlaySeries key={k} runId={runId} metricKey={k} version={versions.get(k)} onHistory={onHistory} />
      ))}
      {chosen.length === 0 ? (
        <p className="chart-note">Choose metrics above to draw them on one chart.</p>
      ) : (
        <>
          {series
            .filter((s) => s.error)
            .map((s) => (
              <p key={s.key} className="field-error" role="alert">
                The history of {s.key} could not be loaded: {s.error}
              </p>
            ))}
          {!ready ? (
            <p className="chart-note" role="status">
              Loading {chosen.join(', ')}…
            </p>
          ) : (
            <AxisFrame x={X_TITLES.step} y={chosen.join(', ')}>
              <CanvasPlot
                lines={lines}
                axes={STEP_AXES}
                height={PLOT_HEIGHT}
                className="chart-box"
                label={`${chosen.join(', ')} against the step`}
                rowsNoun="metrics"
                readoutTitle={(x) => `step ≈ ${formatMetric(Math.round(x))}`}
                readoutValue={({ line: l, i }) => (
                  <>
                    {formatMetric(l.y[i])}
                    <span className="muted"> @ {formatMetric(l.x[i])}</span>
                  </>
                )}
              />
            </AxisFrame>
          )}
          <ul className="overlay-legend" aria-label="Legend: overlaid metrics">
            {series.map((s) => (
              <li key={s.key}>
                <span className="swatch" style={{ background: s.color }} aria-hidden="true" /> {s.key}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
