/**
 * A username field that suggests existing accounts as one types (a WAI-ARIA combobox with a
 * listbox): the start of a username or part of a display name, answered by `search` (the server's
 * bounded candidate queries). Picking a suggestion fills in its username; typing a username in
 * full works too. Arrow keys move through the suggestions, Enter picks, Escape closes.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';

export interface UserSuggestion {
  username: string;
  displayName: string;
}

const DEBOUNCE_MS = 150;

export function UserPicker({
  label,
  value,
  onChange,
  search,
  hint,
  error,
  required,
}: {
  label: string;
  value: string;
  onChange: (username: string) => void;
  /** Suggestions for the text typed (never empty); a failure shows no suggestions. */
  search: (text: string) => Promise<UserSuggestion[]>;
  hint?: string;
  error?: string | null;
  required?: boolean;
}) {
  const id = useId();
  const listId = `${id}-suggestions`;
  const [suggestions, setSuggestions] = useState<UserSuggestion[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const latest = useRef(0);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  /** Asks for suggestions once typing pauses; only the answer to the latest text is shown. */
  function ask(typed: string) {
    window.clearTimeout(timer.current);
    const ticket = ++latest.current;
    const text = typed.trim().slice(0, 63);
    if (!text) {
      setSuggestions([]);
      return;
    }
    timer.current = window.setTimeout(() => {
      search(text).then(
        (found) => {
          if (ticket !== latest.current) return;
          setSuggestions(found);
          setActive(-1);
        },
        () => ticket === latest.current && setSuggestions([]),
      );
    }, DEBOUNCE_MS);
  }

  const expanded = open && suggestions.length > 0;
  function pick(s: UserSuggestion) {
    onChange(s.username);
    latest.current++;
    window.clearTimeout(timer.current);
    setSuggestions([]);
    setOpen(false);
  }
  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' && suggestions.length) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (a + 1) % suggestions.length);
    } else if (e.key === 'ArrowUp' && suggestions.length) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (a <= 0 ? suggestions.length - 1 : a - 1));
    } else if (e.key === 'Enter' && expanded && active >= 0) {
      e.preventDefault();
      const s = suggestions[active];
      if (s) pick(s);
    } else if (e.key === 'Escape' && expanded) {
      e.preventDefault();
      setOpen(false);
    }
  }
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;

  return (
    <div className="field user-picker">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${listId}-${active}` : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        required={required}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
          ask(e.target.value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <ul id={listId} role="listbox" aria-label="Matching accounts" className="user-picker-list" hidden={!expanded}>
        {suggestions.map((s, i) => (
          <li
            key={s.username}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : undefined}
            // Before the input's blur closes the list.
            onMouseDown={(e) => {
              e.preventDefault();
              pick(s);
            }}
          >
            <span className="strong">{s.displayName}</span> <span className="muted mono">{s.username}</span>
          </li>
        ))}
      </ul>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
