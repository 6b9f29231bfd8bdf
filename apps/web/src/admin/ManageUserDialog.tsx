/** The admin page's dialog for changing an account: its global role, a new password, or reactivation. */
import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import type { GlobalRole } from '../gql/graphql';
import { Dialog } from '../ui/Dialog';
import { MutationError, Notice } from '../ui/feedback';
import { SelectField, TextAreaField, TextField } from '../ui/Field';
import { GLOBAL_ROLES, globalRoleLabel } from '../ui/roles';
import { MIN_PASSWORD_LENGTH } from './account-rules';
import type { AdminUser } from './admin-user';
import { ReactivateUserMutation, ResetUserPasswordMutation, SetUserGlobalRoleMutation, UsersQuery } from './users.operations';

export type ManageAction = 'role' | 'password' | 'reactivate';

const MANAGE_TITLES: Record<ManageAction, string> = {
  role: 'Change global role',
  password: 'Set a new password',
  reactivate: 'Reactivate user',
};

/** Global role, password reset and reactivation: each kept in the audit log (never the password itself). */
export function ManageUserDialog({ target, onClose }: { target: { user: AdminUser; action: ManageAction } | null; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [role, setRole] = useState<GlobalRole | ''>('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const options = { refetchQueries: [UsersQuery] };
  const [setGlobalRole, roleState] = useMutation(SetUserGlobalRoleMutation, options);
  const [resetPassword, passwordState] = useMutation(ResetUserPasswordMutation, options);
  const [reactivate, reactivateState] = useMutation(ReactivateUserMutation, options);
  const action = target?.action;
  const state = action === 'role' ? roleState : action === 'password' ? passwordState : reactivateState;

  function close() {
    setReason('');
    setRole('');
    setPassword('');
    setProblem(null);
    setDone(null);
    roleState.reset();
    passwordState.reset();
    reactivateState.reset();
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!target) return;
    const userId = target.user.id;
    if (target.action === 'password') {
      if (password.length < MIN_PASSWORD_LENGTH) {
        setProblem(`The password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
        return;
      }
    } else if (!reason.trim()) {
      setProblem('Give a reason: it is kept in the audit log.');
      return;
    }
    try {
      if (target.action === 'role')
        await setGlobalRole({ variables: { input: { userId, globalRole: role === '' ? null : role, reason: reason.trim() } } });
      if (target.action === 'reactivate') await reactivate({ variables: { input: { userId, reason: reason.trim() } } });
      if (target.action === 'password') {
        await resetPassword({ variables: { input: { userId, newPassword: password } } });
        setDone(
          `${target.user.username} can sign in with the new password now; their open sessions have ended and their API tokens were revoked. Give it to them in person or over a secure channel.`,
        );
        return;
      }
      close();
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <Dialog title={action ? MANAGE_TITLES[action] : ''} open={target !== null} onClose={close}>
      {target && done ? (
        <>
          <Notice kind="success" title="Password set">
            <p>{done}</p>
          </Notice>
          <div className="form-actions">
            <button type="button" className="btn btn-primary" onClick={close}>
              Close
            </button>
          </div>
        </>
      ) : null}
      {target && !done ? (
        <form className="form" onSubmit={submit}>
          <p>
            <strong>{target.user.displayName}</strong> ({target.user.username})
          </p>
          {target.action === 'role' ? (
            <SelectField label="Global role" value={role} onChange={(e) => setRole(e.target.value as GlobalRole | '')}>
              <option value="">None (project roles only)</option>
              {GLOBAL_ROLES.map((r) => (
                <option key={r} value={r}>
                  {globalRoleLabel(r)}
                </option>
              ))}
            </SelectField>
          ) : null}
          {target.action === 'password' ? (
            <TextField
              label="New password"
              type="password"
              autoComplete="new-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={problem}
              hint={`At least ${MIN_PASSWORD_LENGTH} characters. Their open sessions end and their API tokens are revoked.`}
            />
          ) : (
            <TextAreaField
              label="Reason"
              required
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              error={problem}
              rows={3}
              maxLength={500}
            />
          )}
          <MutationError error={state.error} />
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={state.loading}>
              {state.loading ? 'Saving…' : MANAGE_TITLES[target.action]}
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
