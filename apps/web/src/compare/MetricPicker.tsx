/** The compare page's metric chooser: a checkbox per metric the runs logged, training and system metrics apart. */
import { isSystemMetric } from './url-state';

export function MetricPicker({ keys, chosen, onChange }: { keys: string[]; chosen: string[]; onChange: (keys: string[]) => void }) {
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
