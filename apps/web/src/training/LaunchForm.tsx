/**
 * The launch form of a template version, its fields generated from the parameter types
 * (launch-form.ts): numbers with their bounds, a checkbox, a select or a text field, each starting
 * at its default or the value prefilled from a run. As the user edits, launchPreview (debounced)
 * checks every value and shows the command the run would get, or the API's message with the
 * fields it names marked invalid; "Launch" creates the run and opens its page.
 */
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import { describeError } from '../app/graphql-errors';
import type { TemplateVersionFieldsFragment } from '../gql/graphql';
import { MutationError } from '../ui/feedback';
import { SelectField, TextField } from '../ui/Field';
import {
  controlFor,
  initialValues,
  invalidParameters,
  problemOf,
  valuesToSend,
  type LaunchParameter,
  type LaunchValues,
} from './launch-form';
import { LaunchPreviewQuery, LaunchRunMutation } from './training.operations';

const PREVIEW_DEBOUNCE_MS = 300;

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function LaunchForm({
  version,
  templateName,
  prefill,
}: {
  version: TemplateVersionFieldsFragment;
  templateName: string;
  prefill?: ReadonlyMap<string, string>;
}) {
  const navigate = useNavigate();
  const parameters = version.parameters;
  const [values, setValues] = useState<LaunchValues>(() => initialValues(parameters, prefill));
  const [runName, setRunName] = useState('');
  const [experimentName, setExperimentName] = useState('');
  const sent = useMemo(() => valuesToSend(parameters, values), [parameters, values]);
  const checked = useDebounced(sent, PREVIEW_DEBOUNCE_MS);
  const preview = useQuery(LaunchPreviewQuery, { variables: { templateVersionId: version.id, values: checked } });
  const [launch, launching] = useMutation(LaunchRunMutation);

  const settled = checked === sent && !preview.loading;
  const problem = settled && preview.error ? describeError(preview.error).message : null;
  const invalid = problem
    ? invalidParameters(
        problem,
        parameters.map((p) => p.name),
      )
    : new Set<string>();
  const command = settled && !preview.error ? preview.data?.launchPreview.command : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const result = await launch({
        variables: {
          input: {
            templateVersionId: version.id,
            values: sent,
            runName: runName.trim() || undefined,
            experimentName: experimentName.trim() || undefined,
          },
        },
      });
      if (result.data) navigate(`/runs/${encodeURIComponent(result.data.launchRun.runId)}`);
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <form className="form form-wide" onSubmit={submit} aria-label={`Launch a run from ${templateName}`} noValidate>
      {parameters.length ? (
        <fieldset className="launch-params">
          <legend className="sr-only">Parameters</legend>
          {parameters.map((p) => (
            <ParameterField
              key={p.name}
              parameter={p}
              value={values[p.name] ?? ''}
              error={invalid.has(p.name) && problem ? problemOf(problem, p.name) : null}
              onChange={(value) => setValues((v) => ({ ...v, [p.name]: value }))}
            />
          ))}
        </fieldset>
      ) : null}
      <TextField
        label="Run name"
        value={runName}
        onChange={(e) => setRunName(e.target.value)}
        maxLength={250}
        hint="A generated name when empty."
      />
      <TextField
        label="Experiment name"
        value={experimentName}
        onChange={(e) => setExperimentName(e.target.value)}
        maxLength={250}
        hint={`“${templateName}” when empty; created when missing.`}
      />
      <div className="launch-preview" aria-live="polite" aria-atomic="true">
        {problem ? (
          <div className="notice notice-error">
            <p className="notice-title">These values cannot be launched</p>
            <p>{problem}</p>
          </div>
        ) : command ? (
          <>
            <p className="field-hint">The run will execute:</p>
            <pre className="tpl-command" aria-label="Command the run will execute">
              {command.join(' ')}
            </pre>
          </>
        ) : (
          <p className="muted">Checking the values…</p>
        )}
      </div>
      <MutationError error={launching.error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={launching.loading}>
          {launching.loading ? 'Launching…' : 'Launch'}
        </button>
      </div>
    </form>
  );
}

function ParameterField({
  parameter,
  value,
  error,
  onChange,
}: {
  parameter: LaunchParameter & { description?: string | null };
  value: string;
  error: string | null;
  onChange: (value: string) => void;
}) {
  const control = controlFor(parameter);
  const hint = parameter.description ?? undefined;
  switch (control.kind) {
    case 'number':
      return (
        <TextField
          label={parameter.name}
          type="number"
          inputMode={control.step === '1' ? 'numeric' : 'decimal'}
          step={control.step}
          min={control.min}
          max={control.max}
          value={value}
          required
          hint={hint ?? boundsHint(control.min, control.max)}
          error={error}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case 'checkbox':
      return (
        <div className="field">
          <label className="check">
            <input
              type="checkbox"
              checked={value === 'true'}
              aria-invalid={error ? true : undefined}
              onChange={(e) => onChange(e.target.checked ? 'true' : 'false')}
            />{' '}
            {parameter.name}
          </label>
          {hint ? <p className="field-hint">{hint}</p> : null}
          {error ? <p className="field-error">{error}</p> : null}
        </div>
      );
    case 'select':
      return (
        <SelectField label={parameter.name} value={value} hint={hint} error={error} onChange={(e) => onChange(e.target.value)}>
          {control.choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </SelectField>
      );
    default:
      return (
        <TextField
          label={parameter.name}
          markOptional={false}
          value={value}
          hint={hint}
          error={error}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}

function boundsHint(min?: number, max?: number): string | undefined {
  if (min !== undefined && max !== undefined) return `From ${min} to ${max}.`;
  if (min !== undefined) return `At least ${min}.`;
  if (max !== undefined) return `At most ${max}.`;
  return undefined;
}
