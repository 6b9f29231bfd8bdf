/** The compare page's sections below the charts: the param/tag diff, the scatter plot and parallel coordinates. */
import { memo } from 'react';
import type { ComparedRun, ComparedRunFacts, UpdateCompareState } from './compare-page-types';
import { ParallelPanel, ParamDiff, ScatterPanel } from './Panels';
import { sweptParameterKeys } from './sweep-groups';
import { isSystemMetric, type CompareState } from './url-state';

/**
 * The diff table, scatter and parallel coordinates: memoised, so the charts' redraws (series
 * answers, live polls) do not re-render recharts' scatter on every pass.
 */
export const AnalysisSections = memo(function AnalysisSections({
  runs,
  facts,
  shownFacts,
  metricKeys,
  directions,
  state,
  update,
}: {
  runs: ComparedRun[];
  facts: ComparedRunFacts[];
  shownFacts: ComparedRunFacts[];
  metricKeys: string[];
  /** The project's direction of each training metric (its best is the lowest or highest value). */
  directions: ReadonlyMap<string, 'MIN' | 'MAX'>;
  state: CompareState;
  update: UpdateCompareState;
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
  const axesOf = (view: CompareState) =>
    (view.pc ?? (differingParams.length ? differingParams : paramKeys).slice(0, 4)).filter((k) => paramKeys.includes(k));
  const pc = axesOf(state);
  const pm = state.pm && trainingMetricKeys.includes(state.pm) ? state.pm : (trainingMetricKeys[0] ?? '');
  return (
    <>
      <section className="panel" aria-labelledby="cmp-diff-title" id="diff">
        <h2 id="cmp-diff-title">Parameters and tags</h2>
        <ParamDiff
          runs={facts}
          showSame={state.same}
          onShowSame={(same) => update({ same }, { replace: true })}
          swept={sweptParameterKeys(runs)}
        />
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
            valueKind={state.sv}
            directions={directions}
            onChange={(axis) => update('x' in axis ? { sx: axis.x } : { sy: axis.y }, { replace: true })}
            onValueKind={(sv) => update({ sv }, { replace: true })}
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
            onToggleParam={(key, on) =>
              update(
                (now) => {
                  const axes = axesOf(now);
                  return { pc: on ? [...axes.filter((k) => k !== key), key] : axes.filter((k) => k !== key) };
                },
                { replace: true },
              )
            }
            onMetric={(pm) => update({ pm }, { replace: true })}
            valueKind={state.pv}
            directions={directions}
            onValueKind={(pv) => update({ pv }, { replace: true })}
          />
        </section>
      ) : null}
    </>
  );
});
