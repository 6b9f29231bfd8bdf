/** The audit log's filter form: edits a copy of the filters and hands them back on Apply (or all cleared on Clear). */
import { useState, type FormEvent } from 'react';
import { SelectField, TextField } from '../ui/Field';
import { FILTER_KEYS, KNOWN_ACTIONS, KNOWN_ENTITY_TYPES, type FilterKey, type FilterValues } from './audit-filters';

export function AuditFilterForm({
  initial,
  projects,
  requireProject,
  onApply,
}: {
  initial: FilterValues;
  projects: readonly { id: string; name: string }[];
  requireProject: boolean;
  onApply: (values: FilterValues) => void;
}) {
  const [values, setValues] = useState<FilterValues>(initial);
  const set = (key: FilterKey) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value }));
  function submit(event: FormEvent) {
    event.preventDefault();
    onApply(values);
  }
  const empty = Object.fromEntries(FILTER_KEYS.map((k) => [k, ''])) as FilterValues;
  return (
    <section className="panel" aria-labelledby="filters-title">
      <h2 id="filters-title">Filters</h2>
      <form className="filters" onSubmit={submit}>
        <TextField
          label="Actor"
          markOptional={false}
          value={values.actor}
          onChange={set('actor')}
          hint="Exact username"
          autoCapitalize="none"
          spellCheck={false}
        />
        <TextField
          label="Action"
          markOptional={false}
          value={values.action}
          onChange={set('action')}
          list="audit-actions"
          hint="Exact, or a prefix such as “member.”"
          spellCheck={false}
        />
        <datalist id="audit-actions">
          {KNOWN_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <TextField
          label="Entity type"
          markOptional={false}
          value={values.entityType}
          onChange={set('entityType')}
          list="audit-entity-types"
          spellCheck={false}
        />
        <datalist id="audit-entity-types">
          {KNOWN_ENTITY_TYPES.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <TextField label="Entity ID" markOptional={false} value={values.entityId} onChange={set('entityId')} spellCheck={false} />
        <SelectField label="Project" value={values.project} onChange={set('project')}>
          {requireProject ? null : <option value="">All projects</option>}
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </SelectField>
        <TextField
          label="From"
          markOptional={false}
          type="datetime-local"
          value={values.from}
          onChange={set('from')}
          hint="Your local time"
        />
        <TextField label="To" markOptional={false} type="datetime-local" value={values.to} onChange={set('to')} hint="Your local time" />
        <div className="form-actions filters-actions">
          <button type="submit" className="btn btn-primary">
            Apply filters
          </button>
          <button
            type="button"
            className="btn btn-quiet"
            onClick={() => {
              setValues(empty);
              onApply(empty);
            }}
          >
            Clear
          </button>
        </div>
      </form>
    </section>
  );
}
