/**
 * "Register a version": a run's ONNX artifact as the next version of a model (created when the
 * project has none of that name), with its task type and pre/post-processing spec. The worker
 * validates it afterwards; the version shows as pending until then. A refusal is shown under the
 * field the server names.
 */
import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import { describeError } from '../app/graphql-errors';
import { MutationError, Notice } from '../ui/feedback';
import { SelectField, TextAreaField, TextField } from '../ui/Field';
import { RegisterModelVersionMutation } from './models.operations';
import { readRegisterForm, registerErrors, TASK_TYPES, type FieldErrors, type RegisterValues, type TaskType } from './register-form';

const TASK_LABELS: Record<TaskType, string> = { SEGMENTATION: 'Segmentation', CLASSIFICATION: 'Classification', DETECTION: 'Detection' };

export function RegisterVersionForm({
  projectId,
  modelName,
  onRegistered,
  onCancel,
}: {
  projectId: string;
  /** The model the version is for; when absent the form asks for the name. */
  modelName?: string;
  onRegistered: (registered: { modelName: string; version: number }) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<RegisterValues>({
    modelName: modelName ?? '',
    runId: '',
    artifactPath: '',
    taskType: 'SEGMENTATION',
    labels: '',
    threshold: '',
    preprocessing: '',
  });
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const [register, { loading, error, reset }] = useMutation(RegisterModelVersionMutation);
  const server = registerErrors(error);
  const errors: FieldErrors = { ...server.fields, ...localErrors };
  const set = (field: keyof RegisterValues) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [field]: e.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    reset();
    const read = readRegisterForm(values);
    setLocalErrors(read.ok ? {} : read.errors);
    if (!read.ok) return;
    try {
      const result = await register({ variables: { input: { projectId, ...read.input } } });
      if (result.data)
        onRegistered({ modelName: result.data.registerModelVersion.modelName, version: result.data.registerModelVersion.version });
    } catch {
      // Shown from the mutation state, under its field.
    }
  }

  return (
    <form className="form form-wide subform" onSubmit={submit} aria-label="Register a version" noValidate>
      {modelName === undefined ? (
        <TextField
          label="Model name"
          required
          value={values.modelName}
          onChange={set('modelName')}
          error={errors.modelName}
          maxLength={256}
        />
      ) : null}
      <TextField
        label="Run ID"
        required
        value={values.runId}
        onChange={set('runId')}
        error={errors.runId}
        hint="The run that logged the model: 32 hexadecimal characters, as its page shows."
        className="mono"
        spellCheck={false}
        autoComplete="off"
      />
      <TextField
        label="Artifact path"
        required
        value={values.artifactPath}
        onChange={set('artifactPath')}
        error={errors.artifactPath}
        hint="The ONNX file (or its folder) in the run’s artifacts, e.g. model/model.onnx."
        spellCheck={false}
        autoComplete="off"
      />
      <SelectField label="Task type" value={values.taskType} onChange={set('taskType')} error={errors.taskType}>
        {TASK_TYPES.map((t) => (
          <option key={t} value={t}>
            {TASK_LABELS[t]}
          </option>
        ))}
      </SelectField>
      <TextAreaField
        label="Labels"
        required
        value={values.labels}
        onChange={set('labels')}
        error={errors.labels}
        hint="One per output channel (segmentation) or class (classification), background first; one a line or comma-separated."
        rows={3}
      />
      <TextField
        label="Threshold"
        value={values.threshold}
        onChange={set('threshold')}
        error={errors.threshold}
        hint="Probability threshold for a positive voxel or class, between 0 and 1."
        inputMode="decimal"
      />
      <TextAreaField
        label="Preprocessing (JSON)"
        value={values.preprocessing}
        onChange={set('preprocessing')}
        error={errors.preprocessing}
        hint='window {center, width}, spacing, size, normalisation, e.g. {"window": {"center": 40, "width": 400}, "size": [64, 64]}.'
        rows={3}
        className="mono"
        spellCheck={false}
      />
      {server.form ? (
        <Notice kind="error">
          <p>{server.form}</p>
          {describeError(error).hint ? <p className="muted">{describeError(error).hint}</p> : null}
        </Notice>
      ) : Object.keys(server.fields).length ? (
        <Notice kind="error">
          <p>The version was not registered: correct the fields marked above.</p>
        </Notice>
      ) : (
        <MutationError error={error} />
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={loading}>
          {loading ? 'Registering…' : 'Register version'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
