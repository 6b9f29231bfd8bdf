/**
 * Upload into a draft: choose DICOM files or zips of them (many at once), optionally one label for
 * the DICOM files, and they go up a few at a time with "12 of 40 uploaded" progress; each refused
 * file is listed with the server's reason while the others carry on (a zip is added whole or not at all).
 */
import { useId, useRef, useState, type FormEvent } from 'react';
import { Notice } from '../ui/feedback';
import { TextField } from '../ui/Field';
import { describeUploadProgress, uploadAll, type UploadProgress } from './dataset-helpers';
import { isZip, uploadDicom, uploadZip } from './dicom-upload';

export function DicomUploadPanel({ versionId, onUploaded }: { versionId: string; onUploaded: () => void }) {
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [label, setLabel] = useState('');
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const running = progress?.running ?? false;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!files.length || running) return;
    const chosen = files;
    const labelled = label.trim() || null;
    await uploadAll(chosen, (file) => (isZip(file) ? uploadZip(versionId, file) : uploadDicom(versionId, file, labelled)), setProgress);
    setFiles([]);
    if (input.current) input.current.value = '';
    onUploaded();
  }

  return (
    <section className="panel" aria-labelledby="upload-title">
      <h2 id="upload-title">Upload DICOM files</h2>
      <form className="form form-wide" onSubmit={submit}>
        <div className="field">
          <label htmlFor={inputId}>DICOM files</label>
          <input
            id={inputId}
            ref={input}
            type="file"
            multiple
            accept=".dcm,application/dicom,.zip,application/zip"
            disabled={running}
            onChange={(e) => setFiles(Array.from(e.target.files ?? []))}
            aria-describedby={`${inputId}-hint`}
          />
          <p className="field-hint" id={`${inputId}-hint`}>
            DICOM Part-10 files, one instance each, or zips of them (a zip is added whole or not at all, its system files such as .DS_Store
            skipped; the label applies to single files only). Patients are placed in a split as their files arrive; a file already here is
            not added twice.
          </p>
        </div>
        <TextField
          label="Label for these files"
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          maxLength={200}
          disabled={running}
        />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={!files.length || running}>
            {running ? 'Uploading…' : files.length ? `Upload ${files.length} ${files.length === 1 ? 'file' : 'files'}` : 'Upload'}
          </button>
        </div>
      </form>
      {progress ? (
        <div className="ds-upload-progress">
          <progress max={progress.total} value={progress.done} aria-label="Upload progress" />
          <p role="status">{describeUploadProgress(progress)}</p>
        </div>
      ) : null}
      {progress && progress.failed.length ? (
        <Notice kind="error" title={`${progress.failed.length} ${progress.failed.length === 1 ? 'file was' : 'files were'} not uploaded`}>
          <ul className="ds-upload-failures">
            {progress.failed.map((f, i) => (
              <li key={`${f.name}-${i}`}>
                <span className="mono">{f.name}</span>: {f.message}
              </li>
            ))}
          </ul>
        </Notice>
      ) : null}
    </section>
  );
}
