/**
 * "New version from PACS", in steps: (1) the query (modality, study date range, study and series
 * description, body part); (2) its preview from the PACS: patients, studies, series and instances
 * matched, and the first studies; (3) how to split (seed, ratios, stratification) and whether to
 * reference the instances by UID or copy them into S3 (and then whether to de-identify the copies);
 * then the draft is created, the import started and (4) its progress followed (polled with
 * backoff, like a running run) up to a link to the new draft. If the import cannot be started, the
 * draft made for it is deleted again.
 */
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useLivePoll } from '../app/use-live-poll';
import type { PacsPreviewQuery as PreviewResult, PacsQueryInput } from '../gql/graphql';
import { ErrorState, Loading, MutationError, Notice } from '../ui/feedback';
import { TextField } from '../ui/Field';
import { LiveIndicator } from '../ui/LiveIndicator';
import { CreateDatasetVersionMutation, DatasetQuery, DeleteDatasetVersionMutation } from './datasets.operations';
import { describeImport, EMPTY_PACS_QUERY, pacsQueryOf, type PacsQueryForm, type PacsQueryProblem } from './pacs-query';
import { ImportFromPacsMutation, PacsImportProgressQuery, PacsPreviewQuery } from './pacs-import.operations';
import { SplitRatioFields, useSplitRatios } from './SplitRatioFields';
import './pacs-wizard.css';

const PREVIEW_STUDIES = 20;
const STEPS = ['Query', 'Preview', 'Options', 'Import'] as const;

export function PacsVersionWizard({ datasetId, projectId, onCancel }: { datasetId: string; projectId: string; onCancel: () => void }) {
  const [step, setStep] = useState(0);
  const [form, setForm] = useState<PacsQueryForm>(EMPTY_PACS_QUERY);
  const [query, setQuery] = useState<PacsQueryInput | null>(null);
  const [versionId, setVersionId] = useState<string | null>(null);

  return (
    <section className="panel" aria-labelledby="pacs-wizard-title">
      <h2 id="pacs-wizard-title">New version from PACS</h2>
      <ol className="wizard-steps" aria-label="Steps">
        {STEPS.map((name, i) => (
          <li key={name} aria-current={i === step ? 'step' : undefined} className={i < step ? 'done' : undefined}>
            <span className="wizard-step-number">{i + 1}</span> {name}
          </li>
        ))}
      </ol>
      {step === 0 ? (
        <QueryStep
          form={form}
          onChange={setForm}
          onCancel={onCancel}
          onNext={(q) => {
            setQuery(q);
            setStep(1);
          }}
        />
      ) : null}
      {step === 1 && query ? <PreviewStep projectId={projectId} query={query} onBack={() => setStep(0)} onNext={() => setStep(2)} /> : null}
      {step === 2 && query ? (
        <OptionsStep
          datasetId={datasetId}
          query={query}
          onBack={() => setStep(1)}
          onStarted={(id) => {
            setVersionId(id);
            setStep(3);
          }}
        />
      ) : null}
      {step === 3 && versionId ? <ProgressStep versionId={versionId} /> : null}
    </section>
  );
}

function QueryStep({
  form,
  onChange,
  onNext,
  onCancel,
}: {
  form: PacsQueryForm;
  onChange: (form: PacsQueryForm) => void;
  onNext: (query: PacsQueryInput) => void;
  onCancel: () => void;
}) {
  const [problem, setProblem] = useState<PacsQueryProblem | null>(null);
  const errorOf = (field: keyof PacsQueryForm) => (problem?.field === field ? problem.error : null);
  const set = (field: keyof PacsQueryForm) => (e: { target: { value: string } }) => onChange({ ...form, [field]: e.target.value });

  function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = pacsQueryOf(form);
    if ('error' in parsed) {
      setProblem(parsed);
      return;
    }
    setProblem(null);
    onNext(parsed.query);
  }

  return (
    <form className="form form-wide" onSubmit={submit} noValidate>
      <p className="muted">Which series to take from the PACS. Give at least one filter; descriptions take * and ? as wildcards.</p>
      <TextField
        label="Modalities"
        value={form.modalities}
        onChange={set('modalities')}
        placeholder="CT, MR"
        className="mono"
        spellCheck={false}
        hint="DICOM modality codes, separated by commas or spaces."
        error={errorOf('modalities')}
      />
      <div className="wizard-row">
        <TextField
          label="Study date from"
          type="date"
          value={form.studyDateFrom}
          onChange={set('studyDateFrom')}
          error={errorOf('studyDateFrom')}
        />
        <TextField
          label="Study date to"
          type="date"
          value={form.studyDateTo}
          onChange={set('studyDateTo')}
          error={errorOf('studyDateTo')}
        />
      </div>
      <TextField
        label="Study description"
        value={form.studyDescription}
        onChange={set('studyDescription')}
        maxLength={64}
        placeholder="CT CHEST*"
        error={errorOf('studyDescription')}
      />
      <TextField
        label="Series description"
        value={form.seriesDescription}
        onChange={set('seriesDescription')}
        maxLength={64}
        error={errorOf('seriesDescription')}
      />
      <TextField
        label="Body part examined"
        value={form.bodyPartExamined}
        onChange={set('bodyPartExamined')}
        maxLength={16}
        placeholder="CHEST"
        className="mono"
        error={errorOf('bodyPartExamined')}
      />
      {problem && problem.field === null ? (
        <p className="field-error" role="alert">
          {problem.error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary">
          Preview
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function PreviewStep({
  projectId,
  query,
  onBack,
  onNext,
}: {
  projectId: string;
  query: PacsQueryInput;
  onBack: () => void;
  onNext: () => void;
}) {
  const { data, error, loading, refetch } = useQuery(PacsPreviewQuery, {
    variables: { projectId, query, limit: PREVIEW_STUDIES },
    fetchPolicy: 'network-only',
  });
  const preview = data?.pacsPreview;
  return (
    <div className="wizard-body">
      {preview ? (
        <PreviewCounts preview={preview} />
      ) : error ? (
        <ErrorState title="The PACS could not be queried" error={error} onRetry={() => void refetch()} />
      ) : loading ? (
        <Loading label="Asking the PACS…" />
      ) : null}
      <div className="form-actions">
        <button type="button" className="btn btn-primary" onClick={onNext} disabled={!preview || preview.instances === 0}>
          Next: options
        </button>
        <button type="button" className="btn btn-quiet" onClick={onBack}>
          Back to the query
        </button>
      </div>
    </div>
  );
}

function PreviewCounts({ preview }: { preview: PreviewResult['pacsPreview'] }) {
  const n = (x: number) => x.toLocaleString('en-GB');
  return (
    <>
      <div role="group" aria-label="Matched in the PACS">
        <dl className="wizard-counts">
          {(
            [
              ['Patients', preview.patients],
              ['Studies', preview.studies],
              ['Series', preview.series],
              ['Instances', preview.instances],
            ] as const
          ).map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{n(value)}</dd>
            </div>
          ))}
        </dl>
      </div>
      {preview.truncated ? (
        <Notice kind="warning" title="More series matched than were read">
          <p>The counts are lower bounds. Narrow the query (dates, descriptions) to see exactly what an import would take.</p>
        </Notice>
      ) : null}
      {preview.instances === 0 ? (
        <p className="muted">Nothing in the PACS matches this query. Go back and widen it.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Matched studies">
            <caption className="sr-only">
              The first {preview.studyList.length} of {n(preview.studies)} matched studies, by date
            </caption>
            <thead>
              <tr>
                <th scope="col">Study date</th>
                <th scope="col">Modalities</th>
                <th scope="col">Series descriptions</th>
                <th scope="col">Body parts</th>
                <th scope="col" className="num">
                  Series
                </th>
                <th scope="col" className="num">
                  Instances
                </th>
                <th scope="col">Study Instance UID</th>
              </tr>
            </thead>
            <tbody>
              {preview.studyList.map((s) => (
                <tr key={s.studyInstanceUid}>
                  <td>{formatDicomDate(s.studyDate)}</td>
                  <td>{s.modalities.join(', ')}</td>
                  <td>{s.seriesDescriptions.join(', ') || <span className="muted">—</span>}</td>
                  <td>{s.bodyParts.join(', ') || <span className="muted">—</span>}</td>
                  <td className="num">{n(s.series)}</td>
                  <td className="num">{n(s.instances)}</td>
                  <td className="mono small">{s.studyInstanceUid}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

const formatDicomDate = (d: string | null | undefined) => {
  const m = d ? /^(\d{4})(\d{2})(\d{2})$/.exec(d) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : (d ?? '—');
};

function OptionsStep({
  datasetId,
  query,
  onBack,
  onStarted,
}: {
  datasetId: string;
  query: PacsQueryInput;
  onBack: () => void;
  onStarted: (versionId: string) => void;
}) {
  const [seed, setSeed] = useState('');
  const ratios = useSplitRatios();
  const [stratify, setStratify] = useState(false);
  const [copy, setCopy] = useState(false);
  const [deidentify, setDeidentify] = useState(false);
  const [starting, setStarting] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [createVersion] = useMutation(CreateDatasetVersionMutation);
  const [importFromPacs] = useMutation(ImportFromPacsMutation);
  const [deleteVersion] = useMutation(DeleteDatasetVersionMutation);
  const client = useApolloClient();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const splitRatios = ratios.read();
    if (!splitRatios) return;
    setFailure(null);
    setStarting(true);
    let draftId: string | null = null;
    try {
      const created = await createVersion({
        variables: {
          input: {
            datasetId,
            splitSeed: seed.trim() || undefined,
            splitRatios: splitRatios.ratios,
            stratifyByLabel: stratify || undefined,
          },
        },
      });
      draftId = created.data?.createDatasetVersion.id ?? null;
      if (!draftId) throw new Error('The draft version was not created.');
      // De-identification rewrites the copies; instances referenced in the PACS are never changed.
      await importFromPacs({ variables: { input: { versionId: draftId, query, copy, deidentify: copy && deidentify } } });
      await client.refetchQueries({ include: [DatasetQuery] });
      onStarted(draftId);
    } catch (err) {
      // Nothing half-made: the empty draft made for an import that could not start goes again.
      if (draftId) await deleteVersion({ variables: { versionId: draftId } }).catch(() => undefined);
      setFailure(err);
    } finally {
      setStarting(false);
    }
  }

  return (
    <form className="form form-wide" onSubmit={submit}>
      <TextField
        label="Split seed"
        value={seed}
        onChange={(e) => setSeed(e.target.value)}
        maxLength={200}
        className="mono"
        hint="Patients are placed in train, validation and test by a hash of the seed and their pseudonymised key. A random seed is chosen when empty."
      />
      <SplitRatioFields state={ratios} hint="The default ratios apply when empty." />
      <label className="check">
        <input type="checkbox" checked={stratify} onChange={(e) => setStratify(e.target.checked)} /> Stratify the split by label
      </label>
      <fieldset className="wizard-choice">
        <legend>How the instances are kept</legend>
        <label className="check">
          <input type="radio" name="pacs-storage" checked={!copy} onChange={() => setCopy(false)} /> Reference them in the PACS by their
          UIDs (each sha256 recorded)
        </label>
        <label className="check">
          <input type="radio" name="pacs-storage" checked={copy} onChange={() => setCopy(true)} /> Copy them into the datasets bucket (S3),
          stored under their sha256
        </label>
        {copy ? (
          <label className="check">
            <input type="checkbox" checked={deidentify} onChange={(e) => setDeidentify(e.target.checked)} /> De-identify each copy (DICOM
            PS3.15 basic profile: identifying attributes emptied, patient replaced by its pseudonymous key, UIDs replaced); the method and
            what changed are filled in when the version is sealed
          </label>
        ) : null}
      </fieldset>
      <MutationError error={failure} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={starting}>
          {starting ? 'Starting…' : 'Create the draft and import'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onBack} disabled={starting}>
          Back to the preview
        </button>
      </div>
    </form>
  );
}

const GOING = new Set(['QUEUED', 'RUNNING']);

function ProgressStep({ versionId }: { versionId: string }) {
  const { data, error, refetch } = useQuery(PacsImportProgressQuery, { variables: { id: versionId }, fetchPolicy: 'network-only' });
  const version = data?.datasetVersion;
  const latest = version?.imports[0];
  const fingerprint = (i: typeof latest) => JSON.stringify(i ? [i.status, i.done, i.failed, i.total] : null);
  const live = useLivePoll(!!latest && GOING.has(latest.status), async () => {
    const before = fingerprint(latest);
    const { data: fresh } = await refetch();
    return fingerprint(fresh?.datasetVersion.imports[0]) !== before;
  });

  if (!version) {
    return error ? (
      <ErrorState title="The import could not be followed" error={error} onRetry={() => void refetch()} />
    ) : (
      <Loading label="Starting the import…" />
    );
  }
  const link = (
    <Link to={`/dataset-versions/${encodeURIComponent(version.id)}`} className="strong-link">
      Open version {version.number}
    </Link>
  );
  if (!latest)
    return (
      <p>
        No import is recorded for version {version.number}. {link}
      </p>
    );
  const going = GOING.has(latest.status);
  return (
    <div className="wizard-body">
      <p role="status" className={latest.status === 'FAILED' ? 'field-error' : undefined}>
        {describeImport(latest)}
      </p>
      {latest.total ? (
        <progress
          className="wizard-progress"
          aria-label="Import progress"
          max={latest.total}
          value={Math.min(latest.total, latest.done + latest.failed)}
        />
      ) : null}
      {going ? <LiveIndicator live={live} what="Updates while the import runs." /> : null}
      {latest.failures.length ? (
        <details>
          <summary>
            {latest.failures.length === 1 ? '1 instance was not imported' : `${latest.failures.length} instances were not imported`}
          </summary>
          <ul className="ds-upload-failures">
            {latest.failures.map((f) => (
              <li key={f.sopInstanceUid}>
                <span className="mono">{f.sopInstanceUid}</span>: {f.error}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <p>
        Draft version {version.number} holds {version.counts.items.toLocaleString('en-GB')} items of{' '}
        {version.counts.patients.toLocaleString('en-GB')} patients. {link}
      </p>
    </div>
  );
}
