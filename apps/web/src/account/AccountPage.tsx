/**
 * The signed-in user's account: who they are, and a password change that asks for the current
 * password first (re-authentication, as e-signatures will) and ends their other sessions.
 */
import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import { useSession } from '../app/session';
import { MIN_PASSWORD_LENGTH } from '../admin/account-rules';
import { MutationError, Notice } from '../ui/feedback';
import { TextField } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { globalRoleLabel } from '../ui/roles';
import { ChangeMyPasswordMutation } from './account.operations';

export function AccountPage() {
  const session = useSession();
  return (
    <>
      <PageHeader
        title="Your account"
        description={`${session.user.displayName} (${session.user.username})${globalRoleLabel(session.user.globalRole) ? ` · ${globalRoleLabel(session.user.globalRole)}` : ''}`}
      />
      <ChangePasswordForm />
    </>
  );
}

function ChangePasswordForm() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [changed, setChanged] = useState(false);
  const [change, { loading, error, reset }] = useMutation(ChangeMyPasswordMutation);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setChanged(false);
    reset();
    if (next.length < MIN_PASSWORD_LENGTH) return setProblem(`The new password needs at least ${MIN_PASSWORD_LENGTH} characters.`);
    if (next !== repeat) return setProblem('The two new passwords differ.');
    setProblem(null);
    try {
      await change({ variables: { input: { currentPassword: current, newPassword: next } } });
      setCurrent('');
      setNext('');
      setRepeat('');
      setChanged(true);
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <section className="panel" aria-labelledby="password-title">
      <div className="panel-header">
        <h2 id="password-title">Change password</h2>
      </div>
      {changed ? (
        <Notice kind="success" title="Password changed">
          <p>Use it from now on. Your other sessions have been signed out; this one stays signed in.</p>
        </Notice>
      ) : null}
      <form className="form" onSubmit={submit}>
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          value={next}
          onChange={(e) => setNext(e.target.value)}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          error={problem}
        />
        <TextField
          label="New password again"
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
        />
        <MutationError error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={loading}>
            {loading ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}
