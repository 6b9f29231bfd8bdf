/**
 * A version's model card on its page: the sections still missing, the card as text, Markdown and
 * PDF downloads, and for members who may register models (until a promotion signature locks the
 * card) a form with every section, metrics and subgroups as editable rows, and "Fill from run"
 * (the server's draft from the source run and the previous version, saved only with the form).
 */
import { useState, type FormEvent } from 'react';
import { useApolloClient, useMutation } from '@apollo/client/react';
import type { ModelCardFieldsFragment } from '../gql/graphql';
import { describeError } from '../app/graphql-errors';
import { MutationError, Notice } from '../ui/feedback';
import { TextAreaField } from '../ui/Field';
import { DateText } from '../ui/time';
import { cardValues, readCardForm, serverCardErrors, type CardErrors, type CardValues } from './model-card-form';
import { SuggestedModelCardQuery, UpdateModelCardMutation } from './models.operations';

interface Props {
  projectId: string;
  modelName: string;
  version: number;
  card: ModelCardFieldsFragment;
  canEdit: boolean;
}

const exportUrl = (p: Props, ext: 'md' | 'pdf') =>
  `/api/v1/projects/${encodeURIComponent(p.projectId)}/models/${encodeURIComponent(p.modelName)}/versions/${p.version}/card.${ext}`;

export function ModelCardSection(props: Props) {
  const { card, canEdit } = props;
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const editable = canEdit && !card.locked;
  return (
    <section className="panel" aria-labelledby="model-card-title">
      <div className="panel-header">
        <h2 id="model-card-title">Model card</h2>
        <div className="model-card-actions">
          <a className="btn btn-quiet" href={exportUrl(props, 'md')} download>
            Download Markdown
          </a>
          <a className="btn btn-quiet" href={exportUrl(props, 'pdf')} download>
            Download PDF
          </a>
          {editable && !editing ? (
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                setSaved(false);
                setEditing(true);
              }}
            >
              Edit card
            </button>
          ) : null}
        </div>
      </div>
      {card.locked ? (
        <Notice kind="info" title="Signed — locked">
          <p>
            A promotion signature locked this card
            {card.lockedAt ? (
              <>
                {' '}
                (<DateText value={card.lockedAt} withTime />)
              </>
            ) : null}
            . It can no longer change; register a new version to change it.
          </p>
        </Notice>
      ) : null}
      <MissingSections missing={card.missingSections} />
      {saved ? (
        <Notice kind="success">
          <p>The model card was saved.</p>
        </Notice>
      ) : null}
      {editing && editable ? (
        <ModelCardForm
          {...props}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            setSaved(true);
          }}
        />
      ) : (
        <ModelCardView card={card} />
      )}
      {card.updatedAt ? (
        <p className="muted">
          Last edited <DateText value={card.updatedAt} withTime />
          {card.updatedBy ? ` by ${card.updatedBy}` : ''}.
        </p>
      ) : null}
    </section>
  );
}

function MissingSections({ missing }: { missing: readonly string[] }) {
  if (!missing.length)
    return (
      <p className="model-card-complete" role="status">
        The card is complete.
      </p>
    );
  return (
    <Notice kind="warning" title="Missing sections">
      <p>A promotion that requires a model card is blocked until these are filled in:</p>
      <ul aria-label="Missing sections">
        {missing.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    </Notice>
  );
}

function Prose({ title, text }: { title: string; text: string }) {
  return (
    <>
      <dt>{title}</dt>
      <dd className="model-card-prose">{text.trim() ? text : <span className="muted">Not stated.</span>}</dd>
    </>
  );
}

function List({ title, items }: { title: string; items: readonly string[] }) {
  return (
    <>
      <dt>{title}</dt>
      <dd>
        {items.length ? (
          <ul className="model-card-list">
            {items.map((x, i) => (
              <li key={i}>{x}</li>
            ))}
          </ul>
        ) : (
          <span className="muted">Not stated.</span>
        )}
      </dd>
    </>
  );
}

const num = (v: number | null) => (v === null ? '—' : String(v));

export function ModelCardView({ card }: { card: ModelCardFieldsFragment }) {
  return (
    <div className="model-card">
      <dl className="model-card-sections">
        <Prose title="Intended use" text={card.intendedUse} />
        <Prose title="Out-of-scope use" text={card.outOfScopeUse} />
        <List title="Training data" items={card.trainingData} />
        <List title="Validation data" items={card.validationData} />
      </dl>
      <h3>Metrics</h3>
      {card.metrics.length ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Metrics with thresholds</caption>
            <thead>
              <tr>
                <th scope="col">Metric</th>
                <th scope="col">Value</th>
                <th scope="col">Threshold</th>
              </tr>
            </thead>
            <tbody>
              {card.metrics.map((m, i) => (
                <tr key={i}>
                  <td>{m.name}</td>
                  <td className="mono">{num(m.value)}</td>
                  <td className="mono">{num(m.threshold)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">Not stated.</p>
      )}
      <h3>Subgroup results</h3>
      {card.subgroups.length ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Subgroup results</caption>
            <thead>
              <tr>
                <th scope="col">Subgroup</th>
                <th scope="col">Metric</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {card.subgroups.map((s, i) => (
                <tr key={i}>
                  <td>{s.group}</td>
                  <td>{s.metric}</td>
                  <td className="mono">{s.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">None given.</p>
      )}
      <dl className="model-card-sections">
        <Prose title="Limitations" text={card.limitations} />
        <Prose title="Changes from the previous version" text={card.changes} />
      </dl>
    </div>
  );
}

function ModelCardForm(props: Props & { onSaved: () => void; onCancel: () => void }) {
  const { projectId, modelName, version, card } = props;
  const client = useApolloClient();
  const [values, setValues] = useState<CardValues>(() => cardValues(card));
  const [localErrors, setLocalErrors] = useState<CardErrors>({});
  const [filling, setFilling] = useState<{ busy: boolean; error: unknown; done: boolean }>({ busy: false, error: null, done: false });
  const [update, { loading, error, reset }] = useMutation(UpdateModelCardMutation);
  const server = error ? serverCardErrors(describeError(error).message) : { fields: {}, form: null };
  const errors: CardErrors = { ...server.fields, ...localErrors };
  const set =
    (field: 'intendedUse' | 'outOfScopeUse' | 'trainingData' | 'validationData' | 'limitations' | 'changes') =>
    (e: { target: { value: string } }) =>
      setValues((v) => ({ ...v, [field]: e.target.value }));

  async function fillFromRun() {
    setFilling({ busy: true, error: null, done: false });
    try {
      const { data } = await client.query({
        query: SuggestedModelCardQuery,
        variables: { projectId, name: modelName, version },
        fetchPolicy: 'network-only',
      });
      if (data) setValues(cardValues(data.modelVersion.suggestedCard));
      setFilling({ busy: false, error: null, done: true });
    } catch (e) {
      setFilling({ busy: false, error: e, done: false });
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    reset();
    const read = readCardForm(values);
    setLocalErrors(read.ok ? {} : read.errors);
    if (!read.ok) return;
    // Rows as submitted, so the server's row numbers are the rows shown.
    setValues(cardValues(read.card));
    try {
      await update({ variables: { input: { projectId, modelName, version, card: read.card } } });
      props.onSaved();
    } catch {
      // Shown from the mutation state, under its field.
    }
  }

  const rowField = (path: string) => errors[path] ?? null;
  return (
    <form className="form form-wide subform model-card-form" onSubmit={submit} aria-label="Model card" noValidate>
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => void fillFromRun()} disabled={filling.busy}>
          {filling.busy ? 'Filling…' : 'Fill from run'}
        </button>
        <span className="muted">
          Drafts training data and metrics from the source run and the prose from the previous version; nothing is saved until you save.
        </span>
      </div>
      {filling.done ? (
        <Notice kind="info">
          <p>Filled from the run and the previous version. Review the draft, then save.</p>
        </Notice>
      ) : null}
      <MutationError error={filling.error} />
      <TextAreaField label="Intended use" value={values.intendedUse} onChange={set('intendedUse')} error={errors.intendedUse} rows={3} />
      <TextAreaField
        label="Out-of-scope use"
        value={values.outOfScopeUse}
        onChange={set('outOfScopeUse')}
        error={errors.outOfScopeUse}
        rows={2}
      />
      <TextAreaField
        label="Training data"
        hint="Dataset versions, one a line (e.g. brain-ct v3)."
        value={values.trainingData}
        onChange={set('trainingData')}
        error={errors.trainingData}
        rows={3}
      />
      <TextAreaField
        label="Validation data"
        hint="Dataset versions, one a line."
        value={values.validationData}
        onChange={set('validationData')}
        error={errors.validationData}
        rows={2}
      />
      <fieldset className="model-card-rows">
        <legend>Metrics</legend>
        {values.metrics.map((m, i) => (
          <div className="model-card-row" key={i}>
            <RowInput
              label={`Metric ${i + 1} name`}
              value={m.name}
              error={rowField(`metrics.${i}.name`)}
              onChange={(name) => setValues((v) => ({ ...v, metrics: v.metrics.map((r, j) => (j === i ? { ...r, name } : r)) }))}
            />
            <RowInput
              label={`Metric ${i + 1} value`}
              value={m.value}
              inputMode="decimal"
              error={rowField(`metrics.${i}.value`)}
              onChange={(value) => setValues((v) => ({ ...v, metrics: v.metrics.map((r, j) => (j === i ? { ...r, value } : r)) }))}
            />
            <RowInput
              label={`Metric ${i + 1} threshold`}
              value={m.threshold}
              inputMode="decimal"
              error={rowField(`metrics.${i}.threshold`)}
              onChange={(threshold) => setValues((v) => ({ ...v, metrics: v.metrics.map((r, j) => (j === i ? { ...r, threshold } : r)) }))}
            />
            <button
              type="button"
              className="btn btn-quiet"
              onClick={() => setValues((v) => ({ ...v, metrics: v.metrics.filter((_, j) => j !== i) }))}
            >
              Remove metric {i + 1}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="btn"
          onClick={() => setValues((v) => ({ ...v, metrics: [...v.metrics, { name: '', value: '', threshold: '' }] }))}
        >
          Add metric
        </button>
      </fieldset>
      <fieldset className="model-card-rows">
        <legend>Subgroup results</legend>
        {values.subgroups.map((s, i) => (
          <div className="model-card-row" key={i}>
            <RowInput
              label={`Subgroup ${i + 1}`}
              value={s.group}
              error={rowField(`subgroups.${i}.group`)}
              onChange={(group) => setValues((v) => ({ ...v, subgroups: v.subgroups.map((r, j) => (j === i ? { ...r, group } : r)) }))}
            />
            <RowInput
              label={`Subgroup ${i + 1} metric`}
              value={s.metric}
              error={rowField(`subgroups.${i}.metric`)}
              onChange={(metric) => setValues((v) => ({ ...v, subgroups: v.subgroups.map((r, j) => (j === i ? { ...r, metric } : r)) }))}
            />
            <RowInput
              label={`Subgroup ${i + 1} value`}
              value={s.value}
              inputMode="decimal"
              error={rowField(`subgroups.${i}.value`)}
              onChange={(value) => setValues((v) => ({ ...v, subgroups: v.subgroups.map((r, j) => (j === i ? { ...r, value } : r)) }))}
            />
            <button
              type="button"
              className="btn btn-quiet"
              onClick={() => setValues((v) => ({ ...v, subgroups: v.subgroups.filter((_, j) => j !== i) }))}
            >
              Remove subgroup {i + 1}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="btn"
          onClick={() => setValues((v) => ({ ...v, subgroups: [...v.subgroups, { group: '', metric: '', value: '' }] }))}
        >
          Add subgroup
        </button>
      </fieldset>
      <TextAreaField label="Limitations" value={values.limitations} onChange={set('limitations')} error={errors.limitations} rows={3} />
      <TextAreaField
        label="Changes from the previous version"
        value={values.changes}
        onChange={set('changes')}
        error={errors.changes}
        rows={3}
      />
      {server.form ? (
        <Notice kind="error">
          <p>{server.form}</p>
          {describeError(error).hint ? <p className="muted">{describeError(error).hint}</p> : null}
        </Notice>
      ) : Object.keys(errors).length ? (
        <Notice kind="error">
          <p>The card was not saved: correct the fields marked above.</p>
        </Notice>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={loading}>
          {loading ? 'Saving…' : 'Save card'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function RowInput({
  label,
  value,
  error,
  onChange,
  inputMode,
}: {
  label: string;
  value: string;
  error: string | null;
  onChange: (value: string) => void;
  inputMode?: 'decimal';
}) {
  const id = `model-card-${label.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        inputMode={inputMode}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
