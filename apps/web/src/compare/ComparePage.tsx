/**
 * The compare page (/projects/:slug/compare?runs=…): up to 100 runs' metrics overlaid from the
 * server's downsampled series (docs/compare-design.md), the param/tag diff, a scatter plot,
 * parallel coordinates, grouping with mean and min–max bands, and saved views. Everything the
 * page shows is in its URL (url-state.ts). While a compared run is RUNNING and the tab is
 * visible it polls the series. The root element gets data-charts-ready="true" once every chart
 * has drawn the current data (the browser benchmark waits for it).
 */
import { memo, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useApolloClient, useQuery } from '@apollo/client/react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import type {
  CompareRunsQuery as CompareRunsResult,
  MetricSeriesQuery as MetricSeriesResult,
  MetricSeriesQueryVariables,
} from '../gql/graphql';
import { commonKeys, formatMetric, STATUS_INFO } from '../runs/format';
import { ErrorState, Loading, Notice } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
import { groupRuns, type RunFacts } from './analysis';
import { CompareChart, type Renderer } from './CompareChart';
import { CompareProjectQuery, CompareRunsQuery, MetricSeriesQuery } from './compare.operations';
import { ParallelPanel, ParamDiff, ScatterPanel } from './Panels';
import { SavedViewsPanel } from './SavedViewsPanel';
import { groupLine, PALETTE, prepareLine, runColors, stepWindow, type PreparedLine, type SeriesColumns, type XMode } from './series';
import { compareSearch, defaultMetrics, isSystemMetric, parseCompareState, type CompareState } from './url-state';
import '../runs/runs.css';
import './compare.css';

/** The server's cap on buckets per series. */
export const MAX_BUCKETS = 1000;

/**
 * Buckets per series: about one per horizontal pixel of a chart's plot (finer detail cannot be
 * seen; each bucket's min–max band keeps its spikes), estimated from the window before any chart
 * is laid out so the request leaves at once: the page's side navigation and padding, then as many
 * 26rem columns as fit, less the axes. Rounded up to 50, between 200 and MAX_BUCKETS. Zooming asks
 * again at the same budget.
 */
export function bucketBudget(windowWidth: number): number {
  const content = Math.max(320, windowWidth - 260);
  const columns = Math.max(1, Math.floor((content + 16) / (416 + 16)));
  const plot = content / columns - 110;
  return Math.min(MAX_BUCKETS, Math.max(200, Math.ceil(plot / 50) * 50));
}
export const LIVE_POLL_MS = 3000;

type Run = CompareRunsResult['compareRuns'][number];
type SeriesSet = MetricSeriesResult['metricSeries'];
type Fact = RunFacts & { run: Run };
type Update = (patch: Partial<CompareState>, opts?: { replace?: boolean }) => void;
interface SeriesState {
  data: SeriesSet | null;
  /** The failure of the request named by `answered`. */
  error: unknown;
  /** The variables `data` (or `error`) answers (null before the first answer). */
  answered: string | null;
}

/** Downsampled series for these variables, refetched when `tick` moves; the last answer stays on screen meanwhile. */
function useSeries(vars: MetricSeriesQueryVariables | null, tick: number): SeriesState & { wanted: string | null } {
  const client = useApolloClient();
  const wanted = vars ? JSON.stringify(vars) : null;
  const [state, setState] = useState<SeriesState>({ data: null, error: null, answered: null });
  useEffect(() => {
    if (!wanted) return;
    let cancelled = false;
    client
      .query({ query: MetricSeriesQuery, variables: JSON.parse(wanted) as MetricSeriesQueryVariables, fetchPolicy: 'no-cache' })
      .then((r: { data?: MetricSeriesResult }) => {
        if (!cancelled && r.data) setState({ data: r.data.metricSeries, error: null, answered: wanted });
      })
      .catch((error: unknown) => {
        if (!cancelled) setState((s) => ({ ...s, error, answered: wanted }));
      });
    return () => {
      cancelled = true;
    };
  }, [client, wanted, tick]);
  return { ...state, error: state.answered === wanted ? state.error : null, wanted };
}

function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState !== 'hidden');
  useEffect(() => {
    const on = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
  return visible;
}

const columnsOf = (set: SeriesSet | null): Map<string, SeriesColumns> =>
  new Map((set?.series ?? []).map((s) => [`${s.runId}\u0000${s.key}`, s as SeriesColumns]));

function describeWindow(set: SeriesSet | null): string {
  if (!set || set.fromStep === null || set.toStep === null) return 'No points yet.';
  const span = `steps ${formatMetric(set.fromStep)}–${formatMetric(set.toStep)}`;
  if (set.exact) return `${span}, every point as logged`;
  return `${span}, ${set.bucketCount} buckets of ${formatMetric(set.bucketWidth)} steps (min, max and last of each)`;
}

export function ComparePage() {
  const { slug = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const state = useMemo(() => parseCompareState(search), [search]);
  const renderer: Renderer = search.get('renderer') === 'recharts' ? 'recharts' : 'canvas';
  const update = useCallback(
    (patch: Partial<CompareState>, opts: { replace?: boolean } = {}) => {
      const next = compareSearch({ ...parseCompareState(search), ...patch });
      if (renderer !== 'canvas') next.set('renderer', renderer);
      setSearch(next, { replace: opts.replace ?? false });
    },
    [search, setSearch, renderer],
  );

  const projectQ = useQuery(CompareProjectQuery, { variables: { slug } });
  const project = projectQ.data?.project;
  const [tick, setTick] = useState(0);
  const runsQ = useQuery(CompareRunsQuery, {
    variables: { projectId: project?.id ?? '', runIds: state.runs },
    skip: !project || state.runs.length === 0,
  });
  const runs: Run[] = useMemo(() => runsQ.data?.compareRuns ?? [], [runsQ.data]);
  const runsLoaded = !!project && (state.runs.length === 0 || !!runsQ.data);

  const metricKeys = useMemo(
    () =>
      commonKeys(
        runs.map((r) => r.latestMetrics),
        10000,
      ),
    [runs],
  );
  // Before the runs arrive, a link that names its metrics already asks for their series (one round trip less).
  const chosen = useMemo(
    () => (runsQ.data ? (state.metrics ?? defaultMetrics(metricKeys)).filter((k) => metricKeys.includes(k)) : (state.metrics ?? [])),
    [runsQ.data, state.metrics, metricKeys],
  );
  const trainingKeys = useMemo(() => chosen.filter((k) => !isSystemMetric(k)), [chosen]);
  const systemKeys = useMemo(() => chosen.filter(isSystemMetric), [chosen]);
  const runIds = runsQ.data ? runs.map((r) => r.runId) : state.runs;
  const [buckets] = useState(() => bucketBudget(window.innerWidth));

  const trainingVars: MetricSeriesQueryVariables | null =
    project && runIds.length && trainingKeys.length
      ? {
          projectId: project.id,
          runIds,
          keys: trainingKeys,
          fromStep: state.from,
          toStep: state.to,
          buckets,
          withTimes: state.x !== 'step',
        }
      : null;
  const systemVars: MetricSeriesQueryVariables | null =
    project && runIds.length && systemKeys.length ? { projectId: project.id, runIds, keys: systemKeys, buckets, withTimes: true } : null;
  const training = useSeries(trainingVars, tick);
  const system = useSeries(systemVars, tick);

  // Live: poll while a compared run is running and the tab is visible.
  const visible = usePageVisible();
  const live = runs.some((r) => r.status === 'RUNNING');
  const refetchRuns = runsQ.refetch;
  useEffect(() => {
    if (!live || !visible) return;
    const id = window.setInterval(() => {
      setTick((t) => t + 1);
      void refetchRuns();
    }, LIVE_POLL_MS);
    return () => window.clearInterval(id);
  }, [live, visible, refetchRuns]);

  const viewSearch = useMemo(() => compareSearch(state), [state]);
  const facts: Fact[] = useMemo(() => {
    const colors = runColors(runs.map((r) => r.runId));
    return runs.map((r) => ({
      run: r,
      runId: r.runId,
      name: r.name,
      color: colors.get(r.runId)!,
      params: r.params,
      tags: r.tags,
      latestMetrics: r.latestMetrics.map((m) => ({ key: m.key, value: m.value ?? null })),
    }));
  }, [runs]);
  const shownFacts = useMemo(() => facts.filter((f) => !state.hide.includes(f.runId)), [facts, state.hide]);
  const { group, y: yScale } = state;

  const makeLines = useCallback(
    (set: SeriesSet | null, key: string, xMode: XMode, smoothing: number): PreparedLine[] => {
      const cols = columnsOf(set);
      const lineOf = (f: (typeof facts)[number]) => {
        const c = cols.get(`${f.runId}\u0000${key}`);
        return c
          ? prepareLine(c, {
              xMode,
              startMs: f.run.startTime ? Date.parse(f.run.startTime) : null,
              smoothing: group ? 0 : smoothing,
              logY: yScale === 'log',
              label: f.name,
              color: f.color,
            })
          : null;
      };
      if (!group) return shownFacts.map(lineOf).filter((l): l is PreparedLine => l !== null && l.x.length > 0);
      return groupRuns(shownFacts, group)
        .map((g, gi) => {
          const members = g.runs.map(lineOf).filter((l): l is PreparedLine => l !== null);
          const label = `${group.replace(/^[a-z]+:/, '')} = ${g.value} (${g.runs.length} run${g.runs.length === 1 ? '' : 's'})`;
          return groupLine(members, { id: `group:${g.value}`, label, color: PALETTE[gi % PALETTE.length], smoothing });
        })
        .filter((l) => l.x.length > 0);
    },
    [shownFacts, group, yScale],
  );

  const trainingLines = useMemo(
    () => new Map(trainingKeys.map((k) => [`t:${k}`, makeLines(training.data, k, state.x, state.smooth)])),
    [trainingKeys, training.data, state.x, state.smooth, makeLines],
  );
  const systemLines = useMemo(
    () => new Map(systemKeys.map((k) => [`s:${k}`, makeLines(system.data, k, 'relative', 0)])),
    [systemKeys, system.data, makeLines],
  );

  // data-charts-ready: the series answer the current request and every chart has drawn the lines it is given now.
  const [drawn, setDrawn] = useState<ReadonlyMap<string, PreparedLine[]>>(new Map());
  const onDrawn = useCallback(
    (key: string, lines: PreparedLine[]) => setDrawn((m) => (m.get(key) === lines ? m : new Map(m).set(key, lines))),
    [],
  );
  const seriesSettled = (s: ReturnType<typeof useSeries>) => s.wanted === null || s.answered === s.wanted;
  const chartsReady =
    runsLoaded &&
    seriesSettled(training) &&
    seriesSettled(system) &&
    [...trainingLines, ...systemLines].every(([k, lines]) => lines.length === 0 || drawn.get(k) === lines);

  const zoomTo = (lines: PreparedLine[], x0: number, x1: number) => {
    const w = stepWindow(lines, x0, x1) ?? (state.x === 'step' ? [Math.floor(x0), Math.ceil(x1)] : null);
    if (w) update({ from: w[0], to: w[1] });
  };
  const win =
    training.data && training.data.fromStep !== null && training.data.toStep !== null
      ? [training.data.fromStep, training.data.toStep]
      : null;
  const zoomBy = (factor: number, shift = 0) => {
    if (!win) return;
    const span = win[1] - win[0];
    const mid = (win[0] + win[1]) / 2 + shift * span;
    const half = Math.max(1, (span * factor) / 2);
    update({ from: Math.max(0, Math.floor(mid - half)), to: Math.ceil(mid + half) });
  };

  let body: ReactNode;
  if (projectQ.error)
    body = <ErrorState title="The project could not be loaded." error={projectQ.error} onRetry={() => void projectQ.refetch()} />;
  else if (!project) body = <Loading label="Loading the project…" />;
  else if (state.runs.length === 0)
    body = (
      <Notice kind="info" title="No runs chosen">
        <p>Select runs in the runs table and choose Compare, or add ?runs=&lt;run id&gt;,&lt;run id&gt; to this page&apos;s address.</p>
      </Notice>
    );
  else if (runsQ.error)
    body = <ErrorState title="The runs could not be loaded." error={runsQ.error} onRetry={() => void runsQ.refetch()} />;
  else if (!runsQ.data) body = <Loading label="Loading the runs…" />;
  else {
    const missing = state.runs.length - runs.length;
    const paramKeys = [...new Set(runs.flatMap((r) => r.params.map((p) => p.key)))].sort();
    const tagKeys = [...new Set(runs.flatMap((r) => r.tags.map((t) => t.key)).filter((k) => !k.startsWith('mlflow.')))].sort();
    const groupOptions = [...paramKeys.map((k) => `param:${k}`), ...tagKeys.map((k) => `tag:${k}`)];
    body = (
      <>
        {missing > 0 ? (
          <Notice kind="warning">
            <p>
              {missing} of the {state.runs.length} runs in this link were not found in this project.
            </p>
          </Notice>
        ) : null}
        {live ? (
          <p className="cmp-live" role="status">
            <span className="cmp-live-dot" aria-hidden="true" /> Live:{' '}
            {visible ? `updating every ${LIVE_POLL_MS / 1000} s while a run is running` : 'paused while this tab is hidden'}
          </p>
        ) : null}

        <section className="panel" aria-labelledby="cmp-runs-title">
          <h2 id="cmp-runs-title">Runs</h2>
          <ul className="cmp-legend">
            {facts.map((f) => {
              const hidden = state.hide.includes(f.runId);
              return (
                <li key={f.runId} className={hidden ? 'cmp-legend-off' : undefined}>
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={!hidden}
                      onChange={() =>
                        update({ hide: hidden ? state.hide.filter((h) => h !== f.runId) : [...state.hide, f.runId] }, { replace: true })
                      }
                      aria-label={`Show ${f.name}`}
                    />
                    <span className="swatch" style={{ background: f.color }} aria-hidden="true" />
                  </label>
                  <Link to={`/runs/${f.runId}`}>{f.name}</Link>
                  <span className="muted small">
                    {' '}
                    {STATUS_INFO[f.run.status]?.label ?? f.run.status} · {f.run.experiment.name}
                  </span>
                </li>
              );
            })}
          </ul>
        </section>

        <section className="panel" aria-labelledby="cmp-charts-title">
          <h2 id="cmp-charts-title">Metrics</h2>
          <div className="cmp-toolbar" role="group" aria-label="Chart options">
            <div className="field cmp-field">
              <label htmlFor="cmp-x">x axis</label>
              <select id="cmp-x" value={state.x} onChange={(e) => update({ x: e.target.value as XMode })}>
                <option value="step">Step</option>
                <option value="wall">Wall time</option>
                <option value="relative">Relative time</option>
              </select>
            </div>
            <div className="field cmp-field">
              <label htmlFor="cmp-y">y axis</label>
              <select id="cmp-y" value={state.y} onChange={(e) => update({ y: e.target.value as 'linear' | 'log' })}>
                <option value="linear">Linear</option>
                <option value="log">Log</option>
              </select>
            </div>
            <div className="field cmp-field cmp-smooth">
              <label htmlFor="cmp-smooth">Smoothing {state.smooth.toFixed(2)}</label>
              <input
                id="cmp-smooth"
                type="range"
                min={0}
                max={0.99}
                step={0.01}
                value={state.smooth}
                onChange={(e) => update({ smooth: Number(e.target.value) }, { replace: true })}
              />
            </div>
            <div className="field cmp-field">
              <label htmlFor="cmp-group">Group runs by</label>
              <select id="cmp-group" value={state.group ?? ''} onChange={(e) => update({ group: e.target.value || null })}>
                <option value="">No grouping</option>
                {groupOptions.map((g) => (
                  <option key={g} value={g}>
                    {g.replace(':', ' ')}
                  </option>
                ))}
              </select>
            </div>
            <div className="cmp-zoom" role="group" aria-label="Zoom">
              <button type="button" className="btn btn-small" onClick={() => zoomBy(0.5)} disabled={!win}>
                Zoom in
              </button>
              <button type="button" className="btn btn-small" onClick={() => zoomBy(1, -0.5)} disabled={!win || state.from === null}>
                Pan left
              </button>
              <button type="button" className="btn btn-small" onClick={() => zoomBy(1, 0.5)} disabled={!win || state.to === null}>
                Pan right
              </button>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => update({ from: null, to: null })}
                disabled={state.from === null && state.to === null}
              >
                Reset zoom
              </button>
            </div>
          </div>
          <p className="chart-note cmp-window" data-from={training.data?.fromStep ?? ''} data-to={training.data?.toStep ?? ''}>
            Window: {describeWindow(training.data)}
            {state.from !== null || state.to !== null
              ? ' (zoomed; drag across a chart to zoom further)'
              : ' — drag across a chart to zoom in'}
            .{state.group ? ' Grouped: each line is the mean of its runs, the band their lowest and highest value per bucket.' : ''}
          </p>
          {group ? (
            <ul className="cmp-legend cmp-groups" aria-label="Groups">
              {groupRuns(shownFacts, group).map((g, gi) => (
                <li key={g.value}>
                  <span className="swatch" style={{ background: PALETTE[gi % PALETTE.length] }} aria-hidden="true" />{' '}
                  {group.replace(/^[a-z]+:/, '')} = {g.value}
                  <span className="muted small"> ({g.runs.map((r) => r.name).join(', ')})</span>
                </li>
              ))}
            </ul>
          ) : null}
          <MetricPicker keys={metricKeys} chosen={chosen} onChange={(metrics) => update({ metrics })} />
          {training.error ? (
            <ErrorState title="The metric series could not be loaded." error={training.error} onRetry={() => setTick((t) => t + 1)} />
          ) : null}
          {trainingKeys.length === 0 ? <p className="muted">Choose metrics above.</p> : null}
          <div className="charts cmp-charts">
            {trainingKeys.map((k) => (
              <CompareChart
                key={k}
                id={`cmp-chart-${k.replace(/[^a-zA-Z0-9_-]/g, '_')}`}
                title={k}
                chartKey={`t:${k}`}
                lines={trainingLines.get(`t:${k}`) ?? []}
                xMode={state.x}
                logY={state.y === 'log'}
                smoothing={state.smooth}
                renderer={renderer}
                onZoom={(x0, x1) => zoomTo(trainingLines.get(`t:${k}`) ?? [], x0, x1)}
                onDrawn={onDrawn}
              />
            ))}
          </div>
          {systemKeys.length ? (
            <>
              <h3 className="cmp-subhead">System metrics</h3>
              <p className="chart-note">Against the time since each run started; the whole run, not the zoom window.</p>
              {system.error ? <ErrorState title="The system metrics could not be loaded." error={system.error} /> : null}
              <div className="charts cmp-charts">
                {systemKeys.map((k) => (
                  <CompareChart
                    key={k}
                    id={`cmp-sys-${k.replace(/[^a-zA-Z0-9_-]/g, '_')}`}
                    title={k.slice('system/'.length)}
                    chartKey={`s:${k}`}
                    lines={systemLines.get(`s:${k}`) ?? []}
                    xMode="relative"
                    logY={state.y === 'log'}
                    smoothing={0}
                    renderer={renderer}
                    onDrawn={onDrawn}
                  />
                ))}
              </div>
            </>
          ) : null}
        </section>

        <Analysis runs={runs} facts={facts} shownFacts={shownFacts} metricKeys={metricKeys} state={state} update={update} />

        <SavedViewsPanel
          projectId={project.id}
          slug={project.slug}
          canSave={project.myPermissions.includes('run.write')}
          state={viewSearch}
        />
      </>
    );
  }

  return (
    <div className="compare-page" data-charts-ready={chartsReady ? 'true' : 'false'} data-view={search.toString()}>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={`/projects/${encodeURIComponent(slug)}`}>{project?.name ?? slug}</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">Compare</span>
      </nav>
      <PageHeader title={runs.length ? `Compare ${runs.length} run${runs.length === 1 ? '' : 's'}` : 'Compare runs'} />
      {body}
    </div>
  );
}

/**
 * The diff table, scatter and parallel coordinates: memoised, so the charts' redraws (series
 * answers, live polls) do not re-render recharts' scatter on every pass.
 */
const Analysis = memo(function Analysis({
  runs,
  facts,
  shownFacts,
  metricKeys,
  state,
  update,
}: {
  runs: Run[];
  facts: Fact[];
  shownFacts: Fact[];
  metricKeys: string[];
  state: CompareState;
  update: Update;
}) {
  const paramKeys = [...new Set(runs.flatMap((r) => r.params.map((p) => p.key)))].sort();
  const trainingMetricKeys = metricKeys.filter((k) => !isSystemMetric(k));
  const differingParams = paramKeys.filter((k) => new Set(runs.map((r) => r.params.find((p) => p.key === k)?.value ?? null)).size > 1);
  const sxOptions = [
    ...[...differingParams, ...paramKeys.filter((k) => !differingParams.includes(k))].map((k) => ({
      value: `param:${k}`,
      label: `param ${k}`,
    })),
    ...trainingMetricKeys.map((k) => ({ value: `metric:${k}`, label: `metric ${k}` })),
  ];
  const sx = state.sx && sxOptions.some((o) => o.value === state.sx) ? state.sx : (sxOptions[0]?.value ?? '');
  const sy = state.sy && trainingMetricKeys.includes(state.sy) ? state.sy : (trainingMetricKeys[0] ?? '');
  const pc = (state.pc ?? (differingParams.length ? differingParams : paramKeys).slice(0, 4)).filter((k) => paramKeys.includes(k));
  const pm = state.pm && trainingMetricKeys.includes(state.pm) ? state.pm : (trainingMetricKeys[0] ?? '');
  return (
    <>
      <section className="panel" aria-labelledby="cmp-diff-title" id="diff">
        <h2 id="cmp-diff-title">Parameters and tags</h2>
        <ParamDiff runs={facts} showSame={state.same} onShowSame={(same) => update({ same }, { replace: true })} />
      </section>

      {trainingMetricKeys.length && sxOptions.length ? (
        <section className="panel" aria-labelledby="cmp-scatter-title">
          <h2 id="cmp-scatter-title">Scatter</h2>
          <ScatterPanel
            runs={shownFacts}
            xField={sx}
            yMetric={sy}
            xOptions={sxOptions}
            metricKeys={trainingMetricKeys}
            onChange={(x, y) => update({ sx: x, sy: y }, { replace: true })}
          />
        </section>
      ) : null}

      {trainingMetricKeys.length && paramKeys.length ? (
        <section className="panel" aria-labelledby="cmp-parallel-title">
          <h2 id="cmp-parallel-title">Parallel coordinates</h2>
          <ParallelPanel
            runs={shownFacts}
            params={pc}
            metric={pm}
            paramKeys={paramKeys}
            metricKeys={trainingMetricKeys}
            onChange={(p, m) => update({ pc: p, pm: m }, { replace: true })}
          />
        </section>
      ) : null}
    </>
  );
});

function MetricPicker({ keys, chosen, onChange }: { keys: string[]; chosen: string[]; onChange: (keys: string[]) => void }) {
  const groups: [string, string[]][] = [
    ['Metrics', keys.filter((k) => !isSystemMetric(k))],
    ['System metrics', keys.filter(isSystemMetric)],
  ];
  return (
    <details className="cmp-picker">
      <summary>
        Choose metrics ({chosen.length} of {keys.length} shown)
      </summary>
      {groups.map(([title, ks]) =>
        ks.length ? (
          <fieldset key={title} className="cmp-checks">
            <legend>{title}</legend>
            {ks.map((k) => (
              <label key={k} className="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(k)}
                  onChange={(e) =>
                    onChange(e.target.checked ? keys.filter((x) => x === k || chosen.includes(x)) : chosen.filter((x) => x !== k))
                  }
                />{' '}
                {isSystemMetric(k) ? k.slice('system/'.length) : k}
              </label>
            ))}
          </fieldset>
        ) : null,
      )}
    </details>
  );
}
