/** The compare page's metric chooser: a checkbox per metric the runs logged, training and system metrics apart. */
import { isSystemMetric } from './url-state';

export function MetricPicker({
  keys,
  chosen,
  onToggle,
}: {
  keys: string[];
  chosen: string[];
  /** Shows (`on`) or hides one metric; the page applies it to the choice as it is then. */
  onToggle: (key: string, on: boolean) => void;
}) {
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
                <input type="checkbox" checked={chosen.includes(k)} onChange={(e) => onToggle(k, e.target.checked)} />{' '}
                {isSystemMetric(k) ? k.slice('system/'.length) : k}
              </label>
            ))}
          </fieldset>
        ) : null,
      )}
    </details>
  );
}
