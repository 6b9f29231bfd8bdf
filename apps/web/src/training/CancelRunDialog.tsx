/** Asks before cancelling a launched run (the run page's Execution section and the queue page), then asks the API to stop it. */
import { useMutation } from '@apollo/client/react';
import { Dialog } from '../ui/Dialog';
import { MutationError } from '../ui/feedback';
import { CancelRunMutation } from './training.operations';

export function CancelRunDialog({
  runId,
  title = 'Cancel this run?',
  open,
  onClose,
  onCancelled,
}: {
  runId: string;
  title?: string;
  open: boolean;
  onClose: () => void;
  /** Reads what changed (the execution, the queue) once the request is in. */
  onCancelled: () => unknown;
}) {
  const [cancel, { loading, error, reset }] = useMutation(CancelRunMutation);
  const close = () => {
    reset();
    onClose();
  };
  async function confirm() {
    try {
      await cancel({ variables: { runId } });
      await onCancelled();
      close();
    } catch {
      // Rendered from the mutation state.
    }
  }
  return (
    <Dialog title={title} open={open} onClose={close}>
      <p>The executor stops the job; the run ends as killed. This cannot be undone, but you can launch it again.</p>
      <MutationError error={error} />
      <div className="form-actions">
        <button type="button" className="btn btn-danger" onClick={() => void confirm()} disabled={loading}>
          {loading ? 'Cancelling…' : 'Yes, cancel the run'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={close}>
          Keep it running
        </button>
      </div>
    </Dialog>
  );
}
