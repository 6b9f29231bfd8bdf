/**
 * The filter box: MLflow's grammar as text, with autocomplete of the experiment's keys (an ARIA
 * combobox: arrows move, Enter or Tab takes a suggestion, Escape closes). Enter without an open
 * suggestion list applies the filter.
 */
import { useId, useState } from 'react';
import { keyForFilter, suggestions } from './state';

interface Keys {
  metrics: readonly string[];
  params: readonly string[];
  tags: readonly string[];
}

export function FilterBox({
  value,
  keys,
  error,
  onApply,
}: {
  value: string;
  keys: Keys;
  error: string | null;
  onApply: (filter: string) => void;
}) {
  const id = useId();
  const [draft, setDraft] = useState(value);
  const [applied, setApplied] = useState(value);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  // A new value from outside (back button, a shared link) replaces the draft.
  if (applied !== value) {
    setApplied(value);
    setDraft(value);
  }
  const found = open ? suggestions(draft, keys) : null;
  const listId = `${id}-keys`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;

  const take = (item: string) => {
    if (!found) return;
    setDraft(draft.slice(0, found.start) + keyForFilter(item) + ' ');
    setOpen(false);
  };

  return (
    <form
      className="rt-filter"
      role="search"
      aria-label="Filter runs"
      onSubmit={(e) => {
        e.preventDefault();
        setOpen(false);
        onApply(draft.trim());
      }}
    >
      <label htmlFor={`${id}-input`}>Filter</label>
      <div className="rt-combo">
        <input
          id={`${id}-input`}
          type="text"
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={Boolean(found)}
          aria-controls={listId}
          aria-activedescendant={found ? `${id}-opt-${Math.min(active, found.items.length - 1)}` : undefined}
          aria-describedby={error ? `${errorId} ${hintId}` : hintId}
          aria-invalid={error ? true : undefined}
          autoComplete="off"
          spellCheck={false}
          placeholder="metrics.loss < 0.5 and params.lr = '0.01'"
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            setActive(0);
            setOpen(true);
          }}
          onBlur={() => setOpen(false)}
          onKeyDown={(e) => {
            if (!found) return;
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              setActive((active + 1) % found.items.length);
            } else if (e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((active - 1 + found.items.length) % found.items.length);
            } else if (e.key === 'Enter' || e.key === 'Tab') {
              e.preventDefault();
              const item = found.items[Math.min(active, found.items.length - 1)];
              if (item !== undefined) take(item);
            } else if (e.key === 'Escape') {
              setOpen(false);
            }
          }}
        />
        <ul id={listId} role="listbox" aria-label="Keys" className="rt-suggestions" hidden={!found}>
          {found?.items.map((item, i) => (
            <li
              key={item}
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={i === Math.min(active, found.items.length - 1)}
              onMouseDown={(e) => {
                e.preventDefault();
                take(item);
              }}
            >
              {item}
            </li>
          ))}
        </ul>
      </div>
      <button type="submit" className="btn btn-small">
        Apply
      </button>
      {value ? (
        <button
          type="button"
          className="btn btn-small btn-quiet"
          onClick={() => {
            setDraft('');
            onApply('');
          }}
        >
          Clear
        </button>
      ) : null}
      <p id={hintId} className="field-hint rt-hint">
        MLflow search syntax: metrics., params., tags., attributes. and datasets. joined with <span className="mono">and</span>.
      </p>
      {error ? (
        <p id={errorId} className="field-error rt-hint" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
