/**
 * Choosing and ordering the table's columns: the chosen ones in order (move up, move down,
 * remove), then every available key (attributes, metrics, params, tags) with a search box.
 */
import { useId, useState } from 'react';
import { ATTRIBUTE_COLUMNS, ATTRIBUTE_LABELS, type AttributeColumn, columnLabel, type ExperimentKeys, NAME_COLUMN } from './state';

export function ColumnChooser({
  columns,
  keys,
  onChange,
  onClose,
}: {
  columns: readonly string[];
  keys: ExperimentKeys;
  /**
   * Applies a change to the columns as the address holds them now, not as last rendered: two
   * quick toggles must both hold (the router renders a navigation later, as use-address-search.ts says).
   */
  onChange: (change: (current: readonly string[]) => string[]) => void;
  onClose: () => void;
}) {
  const id = useId();
  const [search, setSearch] = useState('');
  const all = [
    ...ATTRIBUTE_COLUMNS.map((k) => `attributes.${k}`),
    ...keys.metrics.map((k) => `metrics.${k}`),
    ...keys.params.map((k) => `params.${k}`),
    ...keys.tags.map((k) => `tags.${k}`),
  ];
  const wanted = search.trim().toLowerCase();
  const shown = all
    .filter((c) => !wanted || c.toLowerCase().includes(wanted) || columnLabel(c).toLowerCase().includes(wanted))
    .slice(0, 300);
  const move = (c: string, by: number) =>
    onChange((current) => {
      const next = current.filter((x) => x !== c);
      const at = current.indexOf(c);
      if (at < 0) return [...current];
      next.splice(Math.max(0, Math.min(next.length, at + by)), 0, c);
      return next;
    });
  const toggle = (c: string) => onChange((current) => (current.includes(c) ? current.filter((x) => x !== c) : [...current, c]));

  return (
    <section className="rt-chooser" aria-labelledby={`${id}-title`}>
      <div className="panel-header">
        <h3 id={`${id}-title`}>Columns</h3>
        <button type="button" className="btn btn-small" onClick={onClose}>
          Done
        </button>
      </div>
      <div className="rt-chooser-body">
        <div>
          <h4>Shown, in order</h4>
          <ol className="rt-chosen">
            {columns.map((c, i) => (
              <li key={c}>
                <span className="rt-col-name">{describe(c)}</span>
                <button
                  type="button"
                  className="btn btn-small btn-quiet"
                  aria-label={`Move ${describe(c)} left`}
                  disabled={i === 0}
                  onClick={() => move(c, -1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-quiet"
                  aria-label={`Move ${describe(c)} right`}
                  disabled={i === columns.length - 1}
                  onClick={() => move(c, 1)}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-quiet"
                  aria-label={`Remove ${describe(c)}`}
                  disabled={c === NAME_COLUMN}
                  onClick={() => toggle(c)}
                >
                  ✕
                </button>
              </li>
            ))}
          </ol>
        </div>
        <div>
          <label htmlFor={`${id}-search`}>
            <h4>Available</h4>
          </label>
          <input
            id={`${id}-search`}
            type="search"
            placeholder="Search columns"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <ul className="rt-available" aria-label="Available columns">
            {shown.map((c) => (
              <li key={c}>
                <label>
                  <input type="checkbox" checked={columns.includes(c)} disabled={c === NAME_COLUMN} onChange={() => toggle(c)} />{' '}
                  {describe(c)}
                </label>
              </li>
            ))}
            {shown.length === 0 ? <li className="muted">No column matches.</li> : null}
          </ul>
        </div>
      </div>
    </section>
  );
}

/** "Metric loss", "Param lr", "Tag site", "Started". */
export function describe(c: string): string {
  const dot = c.indexOf('.');
  const kind = c.slice(0, dot);
  const key = c.slice(dot + 1);
  if (kind === 'attributes') return ATTRIBUTE_LABELS[key as AttributeColumn] ?? key;
  return `${kind === 'metrics' ? 'Metric' : kind === 'params' ? 'Param' : 'Tag'} ${key}`;
}
