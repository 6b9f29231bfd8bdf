/**
 * Labels and splits of a draft from files: a labels file (CSV `sop_instance_uid,label` or JSON) and
 * a split file (CSV `sop_instance_uid,split` or `study_instance_uid,split`), each sent whole to the
 * server, which applies it all or nothing. Its answer is shown (items labelled and unchanged; the
 * patients and items per split), a refusal with the server's own message (it names the rows), and
 * the page's counts and items are read again after a file is applied.
 */
import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Notice } from '../ui/feedback';
import {
  describeLabelsResult,
  describeSplitsResult,
  splitsResultLines,
  uploadLabelsFile,
  uploadSplitsFile,
  type LabelsFileResult,
  type SplitsFileResult,
} from './item-files';

export function ItemFilesPanel({ versionId, onApplied }: { versionId: string; onApplied: () => void }) {
  return (
    <section className="panel" aria-labelledby="item-files-title">
      <h2 id="item-files-title">Labels and splits from files</h2>
      <div className="ds-item-files">
        <ItemFileForm<LabelsFileResult>
          title="Labels file"
          label="Labels file (CSV or JSON)"
          accept=".csv,text/csv,.json,application/json"
          hint='CSV with a header "sop_instance_uid,label" (or "item_key,label"), or JSON: [{"sopInstanceUid": "…", "label": "…"}] or {"<SOP Instance UID>": "<label>"}. An empty label clears it. Every item must be in this version; the file is applied whole or not at all.'
          action="Apply labels"
          upload={(file) => uploadLabelsFile(versionId, file)}
          applied="Labels applied"
          describe={(r) => <p>{describeLabelsResult(r)}</p>}
          onApplied={onApplied}
        />
        <ItemFileForm<SplitsFileResult>
          title="Split file"
          label="Split file (CSV)"
          accept=".csv,text/csv"
          hint='CSV with a header "sop_instance_uid,split" or "study_instance_uid,split"; split is train, val or test. Each row places its patient (all of the patient’s items) in that split; the first file must place every patient. The version is then split by files, not by its seed.'
          action="Apply splits"
          upload={(file) => uploadSplitsFile(versionId, file)}
          applied="Splits applied"
          describe={(r) => (
            <>
              <p>{describeSplitsResult(r)}</p>
              <ul className="ds-upload-failures">
                {splitsResultLines(r).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </>
          )}
          onApplied={onApplied}
        />
      </div>
    </section>
  );
}

type Outcome<R> = { result: R } | { refused: string };

function ItemFileForm<R>({
  title,
  label,
  accept,
  hint,
  action,
  upload,
  applied,
  describe,
  onApplied,
}: {
  title: string;
  label: string;
  accept: string;
  hint: string;
  action: string;
  upload: (file: File) => Promise<R>;
  applied: string;
  describe: (result: R) => ReactNode;
  onApplied: () => void;
}) {
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome<R> | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!file || sending) return;
    setSending(true);
    setOutcome(null);
    try {
      const result = await upload(file);
      setOutcome({ result });
      setFile(null);
      if (input.current) input.current.value = '';
      onApplied();
    } catch (err) {
      setOutcome({ refused: err instanceof Error ? err.message : String(err) });
    } finally {
      setSending(false);
    }
  }

  return (
    <form className="form" onSubmit={submit} aria-labelledby={`${inputId}-title`}>
      <h3 id={`${inputId}-title`}>{title}</h3>
      <div className="field">
        <label htmlFor={inputId}>{label}</label>
        <input
          id={inputId}
          ref={input}
          type="file"
          accept={accept}
          disabled={sending}
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setOutcome(null);
          }}
          aria-describedby={`${inputId}-hint`}
        />
        <p className="field-hint" id={`${inputId}-hint`}>
          {hint}
        </p>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={!file || sending}>
          {sending ? 'Applying…' : action}
        </button>
      </div>
      {outcome && 'result' in outcome ? (
        <Notice kind="success" title={applied}>
          {describe(outcome.result)}
        </Notice>
      ) : null}
      {outcome && 'refused' in outcome ? (
        <Notice kind="error">
          <p>{outcome.refused}</p>
        </Notice>
      ) : null}
    </form>
  );
}
