/**
 * "Seal…": asks a PI for the de-identification method and summary, and says plainly that sealing
 * cannot be undone. When the version's PACS imports de-identified what they copied, their method
 * and what they changed (the version's source) are filled in for the PI to check and attest.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { Dialog } from '../ui/Dialog';
import { MutationError } from '../ui/feedback';
import { TextAreaField, TextField } from '../ui/Field';
import { SealDatasetVersionMutation } from './datasets.operations';
import { VersionSourceQuery } from './deidentification.operations';

/** The de-identification a version's source records (set by de-identifying PACS imports), if any. */
function recordedDeidentification(source: unknown): { method: string; summary: string } | null {
  if (!source || typeof source !== 'object') return null;
  const { deidMethod, deidSummary } = source as Record<string, unknown>;
  return typeof deidMethod === 'string' && typeof deidSummary === 'string' ? { method: deidMethod, summary: deidSummary } : null;
}

export function SealDialog({
  versionId,
  number,
  items,
  open,
  onClose,
}: {
  versionId: string;
  number: number;
  items: number;
  open: boolean;
  onClose: () => void;
}) {
  const [typedMethod, setMethod] = useState<string | null>(null);
  const [typedSummary, setSummary] = useState<string | null>(null);
  const [seal, { loading, error, reset }] = useMutation(SealDatasetVersionMutation);
  const source = useQuery(VersionSourceQuery, { variables: { id: versionId }, skip: !open, fetchPolicy: 'network-only' });
  const recorded = recordedDeidentification(source.data?.datasetVersion.source);
  // Until the PI types, the fields show what the imports recorded.
  const method = typedMethod ?? recorded?.method ?? '';
  const summary = typedSummary ?? recorded?.summary ?? '';

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await seal({ variables: { input: { versionId, deidMethod: method.trim(), deidSummary: summary.trim() } } });
      onClose();
    } catch {
      // Rendered from the mutation state.
    }
  }

  const close = () => {
    reset();
    onClose();
  };

  return (
    <Dialog title={`Seal version ${number}`} open={open} onClose={close}>
      <form className="form" onSubmit={submit}>
        <p>
          Sealing is <strong>irreversible</strong>: the {items.toLocaleString('en-GB')} items, their splits and labels are fixed for good, a
          manifest is written with its sha256, and your de-identification attestation is recorded in the audit log. To change anything
          afterwards, build a new version from this one.
        </p>
        <TextField
          label="De-identification method"
          required
          value={method}
          onChange={(e) => setMethod(e.target.value)}
          placeholder="DICOM PS3.15 basic profile"
          maxLength={500}
        />
        <TextAreaField
          label="What de-identification changed"
          required
          value={summary}
          onChange={(e) => setSummary(e.target.value)}
          rows={4}
          maxLength={4000}
          hint="Attributes removed or replaced, dates shifted, burnt-in text checked, …"
        />
        <MutationError error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-danger" disabled={loading || !method.trim() || !summary.trim()}>
            {loading ? 'Sealing…' : `Seal version ${number}`}
          </button>
          <button type="button" className="btn btn-quiet" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
