/**
 * The compare page's legend: each compared run with its colour, a switch to hide it from the
 * charts and plots, its status and experiment. The runs of a sweep come as one group under
 * "sweep <name> (N runs)", with the parameters the sweep varies, each run's values of them, and one
 * switch for the whole group.
 */
import { Link } from 'react-router-dom';
import { STATUS_INFO } from '../runs/format';
import type { ComparedRunFacts, UpdateCompareState } from './compare-page-types';
import { groupVisibility, sweptValues, toggleGroup, type LegendSection, type SweepInfo } from './sweep-groups';

export function RunsLegend({
  facts,
  sections,
  hidden,
  update,
}: {
  facts: readonly ComparedRunFacts[];
  sections: readonly LegendSection[];
  hidden: readonly string[];
  update: UpdateCompareState;
}) {
  const byId = new Map(facts.map((f) => [f.runId, f]));
  const factsOf = (ids: readonly string[]) => ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  const ungrouped = factsOf(sections.filter((s) => !s.sweep).flatMap((s) => s.runIds));
  return (
    <>
      {sections.map((s) =>
        s.sweep ? (
          <SweepGroup key={s.sweep.id} sweep={s.sweep} color={s.color!} runs={factsOf(s.runIds)} hidden={hidden} update={update} />
        ) : null,
      )}
      {ungrouped.length ? (
        <ul className="cmp-legend" aria-label="Legend: compared runs">
          {ungrouped.map((f) => (
            <RunItem key={f.runId} fact={f} hidden={hidden.includes(f.runId)} update={update} />
          ))}
        </ul>
      ) : null}
    </>
  );
}

function SweepGroup({
  sweep,
  color,
  runs,
  hidden,
  update,
}: {
  sweep: SweepInfo;
  color: string;
  runs: readonly ComparedRunFacts[];
  hidden: readonly string[];
  update: UpdateCompareState;
}) {
  const ids = runs.map((r) => r.runId);
  const shown = groupVisibility(ids, hidden);
  const children = runs.filter((r) => r.runId !== sweep.parentRunId).length;
  const total = sweep.runIds.length;
  const title = `sweep ${sweep.name} (${children}${children < total ? ` of ${total}` : ''} run${total === 1 ? '' : 's'})`;
  const headingId = `cmp-sweep-${sweep.id}`;
  return (
    <div className="cmp-sweep" role="group" aria-labelledby={headingId} data-sweep={sweep.id}>
      <div className="cmp-sweep-head">
        <label className="check">
          <input
            type="checkbox"
            checked={shown === 'all'}
            ref={(el) => {
              if (el) el.indeterminate = shown === 'some';
            }}
            onChange={(e) => {
              const show = e.target.checked;
              update((now) => ({ hide: toggleGroup(ids, now.hide, show) }), { replace: true });
            }}
            aria-label={`Show all runs of sweep ${sweep.name}`}
          />
          <span className="swatch" style={{ background: color }} aria-hidden="true" />
        </label>
        <strong id={headingId}>{title}</strong>
        {sweep.sweptParameters.length ? (
          <span className="muted small">
            {' '}
            swept: <span className="cmp-swept">{sweep.sweptParameters.join(', ')}</span>
          </span>
        ) : null}
        <Link className="small" to={`/runs/${sweep.parentRunId}`}>
          parent run
        </Link>
      </div>
      <ul className="cmp-legend" aria-label={`Runs of sweep ${sweep.name}`}>
        {runs.map((f) => (
          <RunItem
            key={f.runId}
            fact={f}
            hidden={hidden.includes(f.runId)}
            update={update}
            detail={f.runId === sweep.parentRunId ? 'parent' : sweptValues(sweep, f.params)}
          />
        ))}
      </ul>
    </div>
  );
}

function RunItem({
  fact: f,
  hidden,
  update,
  detail,
}: {
  fact: ComparedRunFacts;
  hidden: boolean;
  update: UpdateCompareState;
  /** A sweep's run: its values of the swept parameters. */
  detail?: string;
}) {
  return (
    <li className={hidden ? 'cmp-legend-off' : undefined}>
      <label className="check">
        <input
          type="checkbox"
          checked={!hidden}
          onChange={(e) => {
            const show = e.target.checked;
            update((now) => ({ hide: show ? now.hide.filter((h) => h !== f.runId) : [...now.hide, f.runId] }), { replace: true });
          }}
          aria-label={`Show ${f.name}`}
        />
        <span className="swatch" style={{ background: f.color }} aria-hidden="true" />
      </label>
      <Link to={`/runs/${f.runId}`}>{f.name}</Link>
      {detail ? <span className="cmp-swept small">{detail}</span> : null}
      <span className="muted small">
        {' '}
        {STATUS_INFO[f.run.status]?.label ?? f.run.status} · {f.run.experiment.name}
      </span>
    </li>
  );
}
