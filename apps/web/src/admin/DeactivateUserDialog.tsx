/** Deactivating an account, with the reason the audit log keeps. */
import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import { Dialog } from '../ui/Dialog';
import { MutationError } from '../ui/feedback';
import { TextAreaField } from '../ui/Field';
import type { AdminUser } from './admin-user';
import { DeactivateUserMutation, UsersQuery } from './users.operations';

export function DeactivateUserDialog({ user, onClose }: { user: AdminUser | null; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [deactivate, { loading, error, reset }] = useMutation(DeactivateUserMutation, { refetchQueries: [UsersQuery] });

  function close() {
    setReason('');
    setReasonError(null);
    reset();
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!user) return;
    if (!reason.trim()) {
      setReasonError('Give a reason: it is kept in the audit log.');
      return;
    }
    try {
      await deactivate({ variables: { input: { userId: user.id, reason: reason.trim() } } });
      close();
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <Dialog title="Deactivate user" open={user !== null} onClose={close}>
      {user ? (
        <form className="form" onSubmit={submit}>
          <p>
            Deactivate <strong>{user.displayName}</strong> ({user.username})? They will no longer be able to sign in or use their API
            tokens. Their history stays in the audit log.
          </p>
          <TextAreaField
            label="Reason"
            required
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            error={reasonError}
            rows={3}
            maxLength={500}
          />
          <MutationError error={error} />
          <div className="form-actions">
            <button type="submit" className="btn btn-danger" disabled={loading}>
              {loading ? 'Deactivating…' : 'Deactivate user'}
            </button>
            <button type="button" className="btn btn-quiet" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </Dialog>
  );
}
