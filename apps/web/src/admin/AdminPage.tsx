/**
 * User administration: every account with its global role and status; with user.manage, create
 * users and deactivate them (with a reason, kept in the audit log). Auditors see the list only.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { useSession } from '../app/session';
import type { GlobalRole, UserKind, UsersQuery as UsersQueryResult } from '../gql/graphql';
import { Dialog } from '../ui/Dialog';
import { EmptyState, ErrorState, Loading, MutationError, Notice } from '../ui/feedback';
import { SelectField, TextAreaField, TextField } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { GLOBAL_ROLE_INFO, GLOBAL_ROLES, globalRoleLabel } from '../ui/roles';
import { DateText } from '../ui/time';
import {
  CreateUserMutation,
  DeactivateUserMutation,
  ReactivateUserMutation,
  ResetUserPasswordMutation,
  SetUserGlobalRoleMutation,
  UsersQuery,
} from './users.operations';

type User = UsersQueryResult['users'][number];

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,62}$/;
export const MIN_PASSWORD_LENGTH = 12;

export function AdminPage() {
  const session = useSession();
  const canManage = session.canGlobally('user.manage');
  const canRead = canManage || session.canGlobally('audit.read');
  const [creating, setCreating] = useState(false);
  const [deactivating, setDeactivating] = useState<User | null>(null);
  const [managing, setManaging] = useState<{ user: User; action: ManageAction } | null>(null);
  const { data, error, loading, refetch } = useQuery(UsersQuery, canRead ? {} : { skip: true });

  if (!canRead) {
    return (
      <>
        <PageHeader title="Admin" />
        <EmptyState title="You do not have access to administration">
          <p>User administration needs the system admin role; auditors can read the user list. Ask a system admin if you need either.</p>
        </EmptyState>
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Admin"
        description={
          canManage
            ? 'Create accounts, set global roles and deactivate accounts that should no longer have access.'
            : 'Accounts and their global roles (read-only for auditors).'
        }
        actions={
          canManage && !creating ? (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              New user
            </button>
          ) : null
        }
      />
      {creating ? <CreateUserForm onDone={() => setCreating(false)} /> : null}
      <section className="panel" aria-labelledby="users-title">
        <div className="panel-header">
          <h2 id="users-title">Users</h2>
          {data ? <span className="muted">{data.users.length === 1 ? '1 account' : `${data.users.length} accounts`}</span> : null}
        </div>
        {!data && loading ? <Loading label="Loading users…" /> : null}
        {!data && error ? <ErrorState title="Users could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
        {data && data.users.length === 0 ? <EmptyState title="No users" /> : null}
        {data && data.users.length > 0 ? (
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">User accounts</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Global role</th>
                  <th scope="col">Created</th>
                  <th scope="col">Status</th>
                  {canManage ? (
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {data.users.map((u) => (
                  <tr key={u.id}>
                    <td>
                      <div className="strong">{u.displayName}</div>
                      <div className="muted small">
                        {u.username}
                        {u.email ? ` · ${u.email}` : ''}
                        {u.id === session.user.id ? ' (you)' : ''}
                      </div>
                    </td>
                    <td>{u.kind === 'SERVICE' ? 'Service account' : 'Person'}</td>
                    <td>{globalRoleLabel(u.globalRole) ?? <span className="muted">None (project roles only)</span>}</td>
                    <td>
                      <DateText value={u.createdAt} />
                    </td>
                    <td>
                      {u.isActive ? (
                        <span className="badge badge-ok">Active</span>
                      ) : (
                        <span className="badge badge-neutral">
                          Deactivated <DateText value={u.deactivatedAt} />
                        </span>
                      )}
                    </td>
                    {canManage ? (
                      <td className="row-actions">
                        {u.id !== session.user.id ? (
                          <button
                            type="button"
                            className="btn btn-small"
                            onClick={() => setManaging({ user: u, action: 'role' })}
                            aria-label={`Change the global role of ${u.username}`}
                          >
                            Global role
                          </button>
                        ) : null}
                        {u.kind === 'HUMAN' ? (
                          <button
                            type="button"
                            className="btn btn-small"
                            onClick={() => setManaging({ user: u, action: 'password' })}
                            aria-label={`Set a new password for ${u.username}`}
                          >
                            Reset password
                          </button>
                        ) : null}
                        {u.isActive && u.id !== session.user.id ? (
                          <button
                            type="button"
                            className="btn btn-small btn-danger-quiet"
                            onClick={() => setDeactivating(u)}
                            aria-label={`Deactivate ${u.username}`}
                          >
                            Deactivate
                          </button>
                        ) : null}
                        {!u.isActive ? (
                          <button
                            type="button"
                            className="btn btn-small"
                            onClick={() => setManaging({ user: u, action: 'reactivate' })}
                            aria-label={`Reactivate ${u.username}`}
                          >
                            Reactivate
                          </button>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      <DeactivateUserDialog user={deactivating} onClose={() => setDeactivating(null)} />
      <ManageUserDialog target={managing} onClose={() => setManaging(null)} />
    </>
  );
}

function CreateUserForm({ onDone }: { onDone: () => void }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [globalRole, setGlobalRole] = useState<GlobalRole | ''>('');
  const [kind, setKind] = useState<UserKind>('HUMAN');
  const [problems, setProblems] = useState<{ username?: string; password?: string }>({});
  const [createdName, setCreatedName] = useState<string | null>(null);
  const [createUser, { loading, error }] = useMutation(CreateUserMutation, { refetchQueries: [UsersQuery] });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: typeof problems = {};
    if (!USERNAME_PATTERN.test(username))
      found.username = 'Use 2–63 lowercase letters, digits, “.”, “_” or “-”, starting with a letter or digit.';
    if (password.length < MIN_PASSWORD_LENGTH) found.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    try {
      const result = await createUser({
        variables: {
          input: {
            username,
            displayName: displayName.trim(),
            email: email.trim() || undefined,
            password,
            globalRole: globalRole || undefined,
            kind,
          },
        },
      });
      setCreatedName(result.data?.createUser.username ?? username);
      setUsername('');
      setDisplayName('');
      setEmail('');
      setPassword('');
      setGlobalRole('');
      setKind('HUMAN');
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <section className="panel" aria-labelledby="new-user-title">
      <h2 id="new-user-title">New user</h2>
      {createdName ? (
        <Notice kind="success">
          <p>
            The account <strong>{createdName}</strong> was created. Give them their password through a secure channel; add them to projects
            from each project&apos;s page.
          </p>
        </Notice>
      ) : null}
      <form className="form form-wide" onSubmit={submit}>
        <TextField
          label="Username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value.toLowerCase())}
          error={problems.username}
          hint="Used to sign in; cannot be changed later."
          autoCapitalize="none"
          spellCheck={false}
          autoComplete="off"
        />
        <TextField
          label="Display name"
          required
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          hint="As colleagues know them, e.g. “Dr Ana Ruiz”."
          autoComplete="off"
        />
        <TextField label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />
        <TextField
          label="Initial password"
          type="password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={problems.password}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          autoComplete="new-password"
        />
        <SelectField
          label="Kind of account"
          value={kind}
          onChange={(e) => setKind(e.target.value as UserKind)}
          hint="Service accounts are for CI and training jobs; they hold API tokens issued by a project's PI."
        >
          <option value="HUMAN">Person</option>
          <option value="SERVICE">Service account</option>
        </SelectField>
        <SelectField
          label="Global role"
          value={globalRole}
          onChange={(e) => setGlobalRole(e.target.value as GlobalRole | '')}
          hint="Most people need none: they get their rights from project roles."
        >
          <option value="">None (project roles only)</option>
          {GLOBAL_ROLES.map((r) => (
            <option key={r} value={r}>
              {GLOBAL_ROLE_INFO[r].label}: {GLOBAL_ROLE_INFO[r].grants}
            </option>
          ))}
        </SelectField>
        <MutationError error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={loading}>
            {loading ? 'Creating…' : 'Create user'}
          </button>
          <button type="button" className="btn btn-quiet" onClick={onDone}>
            Close
          </button>
        </div>
      </form>
    </section>
  );
}

function DeactivateUserDialog({ user, onClose }: { user: User | null; onClose: () => void }) {
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

type ManageAction = 'role' | 'password' | 'reactivate';

const MANAGE_TITLES: Record<ManageAction, string> = {
  role: 'Change global role',
  password: 'Set a new password',
  reactivate: 'Reactivate user',
};

/** Global role, password reset and reactivation: each kept in the audit log (never the password itself). */
function ManageUserDialog({ target, onClose }: { target: { user: User; action: ManageAction } | null; onClose: () => void }) {
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
