/**
 * The compare page (/projects/:slug/compare?runs=…): up to 100 runs' metrics overlaid from the
 * server's downsampled series (docs/compare-design.md), the param/tag diff, a scatter plot,
 * parallel coordinates, grouping with mean and min–max bands, the runs of a sweep listed and coloured
 * as one group (sweep-groups.ts), and saved views. Everything the
 * page shows is in its URL (url-state.ts). While a compared run is queued, starting or running
 * the page is live (use-live-poll.ts): each poll reads the runs (status, latest values) in one
 * request, and only when one of them moved are the series read again, the last ones staying
 * drawn meanwhile. The root element gets data-charts-ready="true" once every chart
 * has drawn the current data (the browser benchmark waits for it).
 */
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { useQuery } from '@apollo/client/react';
import { Link, useParams } from 'react-router-dom';
import { useAddressSearch } from '../app/use-address-search';
import { useLivePoll } from '../app/use-live-poll';
import { useFirstFetchPolicy } from '../app/prefetch';
import { X_TITLES } from '../runs/AxisFrame';
import { commonKeys, formatMetric } from '../runs/format';
import { bestOf, useMetricDirections } from '../runs/metric-directions';
import { systemMetricTitle } from '../runs/system-metrics';
import { ErrorState, Loading, Notice } from '../ui/feedback';
import { LiveIndicator } from '../ui/LiveIndicator';
import { PageHeader } from '../ui/PageHeader';
import { groupRuns } from './analysis';
import { AnalysisSections } from './AnalysisSections';
import { CompareChart, type Renderer } from './CompareChart';
import { bucketBudget, compareSeriesVariables } from './compare-page-prefetch';
import type { ComparedRun, ComparedRunFacts, UpdateCompareState } from './compare-page-types';
import { CompareProjectQuery, CompareRunsQuery } from './compare.operations';
import { MetricPicker } from './MetricPicker';
import { SavedViewsPanel } from './SavedViewsPanel';
import { groupLine, paletteColor, prepareLine, stepWindow, type PreparedLine, type SeriesColumns, type XMode } from './series';
import { RunsLegend } from './RunsLegend';
import { sweepRunColors, sweepSections } from './sweep-groups';
import { useSeries, type SeriesSet } from './use-series';
import { compareSearch, defaultMetrics, isSystemMetric, parseCompareState } from './url-state';
import '../runs/runs.css';
import './compare.css';

const ACTIVE = new Set(['QUEUED', 'STARTING', 'RUNNING']);

/** What a live poll compares: the compared runs' status and latest points (series move with them). */
const liveFingerprint = (runs: readonly ComparedRun[]): string =>
  JSON.stringify(runs.map((r) => [r.runId, r.status, r.endTime, r.latestMetrics.map((m) => [m.key, m.step, m.value, m.nonFinite])]));

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
  const [search, changeSearch] = useAddressSearch();
  const state = useMemo(() => parseCompareState(search), [search]);
  const renderer: Renderer = search.get('renderer') === 'recharts' ? 'recharts' : 'canvas';
  const update: UpdateCompareState = useCallback(
    (patch, opts) =>
      changeSearch((current) => {
        const now = parseCompareState(current);
        const next = compareSearch({ ...now, ...(typeof patch === 'function' ? patch(now) : patch) });
        const renderer = current.get('renderer');
        if (renderer) next.set('renderer', renderer);
        return next;
      }, opts),
    [changeSearch],
  );

  // Asked for at startup on a first visit (compare-page-prefetch.ts): read from the cache then, not asked again.
  const projectPolicy = useFirstFetchPolicy(CompareProjectQuery, { slug });
  const projectQ = useQuery(CompareProjectQuery, { variables: { slug }, fetchPolicy: projectPolicy });
  const project = projectQ.data?.project;
  const [tick, setTick] = useState(0);
  const runsVars = { projectId: project?.id ?? '', runIds: state.runs };
  const runsSkipped = !project || state.runs.length === 0;
  const runsPolicy = useFirstFetchPolicy(CompareRunsQuery, runsSkipped ? null : runsVars);
  const runsQ = useQuery(CompareRunsQuery, { variables: runsVars, skip: runsSkipped, fetchPolicy: runsPolicy });
  const runs: ComparedRun[] = useMemo(() => runsQ.data?.compareRuns ?? [], [runsQ.data]);
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

  const trainingVars = project ? compareSeriesVariables('training', project.id, runIds, trainingKeys, state, buckets) : null;
  const systemVars = project ? compareSeriesVariables('system', project.id, runIds, systemKeys, state, buckets) : null;
  const training = useSeries(trainingVars, tick);
  const system = useSeries(systemVars, tick);

  // Live: one request per poll (the runs); the series are read again only when a run moved.
  const refetchRuns = runsQ.refetch;
  const live = useLivePoll(
    runs.some((r) => ACTIVE.has(r.status)),
    async () => {
      const { data } = await refetchRuns();
      const changed = !!data && liveFingerprint(data.compareRuns) !== liveFingerprint(runs);
      if (changed) setTick((t) => t + 1);
      return changed;
    },
  );

  const viewSearch = useMemo(() => compareSearch(state), [state]);
  // Each metric's best, by the project's direction for its key (the runs table sets it): the scatter and parallel coordinates can plot it.
  const trainingMetricKeys = useMemo(() => metricKeys.filter((k) => !isSystemMetric(k)), [metricKeys]);
  const directions = useMetricDirections(project?.id, trainingMetricKeys);
  const directionKey = trainingMetricKeys.map((k) => directions.of(k) ?? '').join(',');
  const directionMap = useMemo(
    () => new Map(trainingMetricKeys.flatMap((k) => (directions.of(k) ? [[k, directions.of(k)!] as const] : []))),
    // directionKey stands for `directions`, whose functions are new each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [trainingMetricKeys, directionKey],
  );
  // A sweep's runs are one legend group, in shades of its colour (sweep-groups.ts).
  const sections = useMemo(() => sweepSections(runs), [runs]);
  // The facts the lines are drawn from, without the best values: the metric directions arrive after
  // the series, and preparing every line again for them drew every chart twice on a first visit.
  const lineFacts: ComparedRunFacts[] = useMemo(() => {
    const colors = sweepRunColors(sections);
    return runs.map((r) => ({
      run: r,
      runId: r.runId,
      name: r.name,
      color: colors.get(r.runId)!,
      params: r.params,
      tags: r.tags,
      latestMetrics: r.latestMetrics.map((m) => ({ key: m.key, value: m.value ?? null })),
    }));
  }, [runs, sections]);
  const facts: ComparedRunFacts[] = useMemo(
    () =>
      lineFacts.map((f) => ({
        ...f,
        bestMetrics: f.run.latestMetrics.flatMap((m) => {
          const best = bestOf(m, directions.of(m.key));
          return best ? [{ key: m.key, ...best }] : [];
        }),
      })),
    // directionKey stands for `directions`, whose functions are new each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [lineFacts, directionKey],
  );
  const shownFacts = useMemo(() => facts.filter((f) => !state.hide.includes(f.runId)), [facts, state.hide]);
  const shownLineFacts = useMemo(() => lineFacts.filter((f) => !state.hide.includes(f.runId)), [lineFacts, state.hide]);
  const { group, y: yScale } = state;

  const makeLines = useCallback(
    (set: SeriesSet | null, key: string, xMode: XMode, smoothing: number): PreparedLine[] => {
      const cols = columnsOf(set);
      const lineOf = (f: ComparedRunFacts) => {
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
      if (!group) return shownLineFacts.map(lineOf).filter((l): l is PreparedLine => l !== null && l.x.length > 0);
      return groupRuns(shownLineFacts, group)
        .map((g, gi) => {
          const members = g.runs.map(lineOf).filter((l): l is PreparedLine => l !== null);
          const label = `${group.replace(/^[a-z]+:/, '')} = ${g.value} (${g.runs.length} run${g.runs.length === 1 ? '' : 's'})`;
          return groupLine(members, { id: `group:${g.value}`, label, color: paletteColor(gi), smoothing });
        })
        .filter((l) => l.x.length > 0);
    },
    [shownLineFacts, group, yScale],
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
  const win: [number, number] | null =
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
        <LiveIndicator live={live} what="Charts and runs update while a compared run is queued, starting or running." />

        <section className="panel cmp-runs" aria-labelledby="cmp-runs-title">
          <h2 id="cmp-runs-title">Runs</h2>
          <RunsLegend facts={facts} sections={sections} hidden={state.hide} update={update} />
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
                  <span className="swatch" style={{ background: paletteColor(gi) }} aria-hidden="true" /> {group.replace(/^[a-z]+:/, '')} ={' '}
                  {g.value}
                  <span className="muted small"> ({g.runs.map((r) => r.name).join(', ')})</span>
                </li>
              ))}
            </ul>
          ) : null}
          <MetricPicker
            keys={metricKeys}
            chosen={chosen}
            onToggle={(key, on) =>
              update((now) => {
                const current = (now.metrics ?? defaultMetrics(metricKeys)).filter((k) => metricKeys.includes(k));
                return { metrics: on ? metricKeys.filter((k) => k === key || current.includes(k)) : current.filter((k) => k !== key) };
              })
            }
          />
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
                xTitle={X_TITLES[state.x]}
                yTitle={k}
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
                    xTitle={X_TITLES.relative}
                    yTitle={systemMetricTitle(k)}
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

        <AnalysisSections
          runs={runs}
          facts={facts}
          shownFacts={shownFacts}
          metricKeys={metricKeys}
          directions={directionMap}
          state={state}
          update={update}
        />

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
