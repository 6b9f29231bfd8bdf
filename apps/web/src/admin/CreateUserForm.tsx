/** The admin page's form for a new account: username, display name, email, initial password, kind and global role. */
import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import type { GlobalRole, UserKind } from '../gql/graphql';
import { MutationError, Notice } from '../ui/feedback';
import { SelectField, TextField } from '../ui/Field';
import { GLOBAL_ROLE_INFO, GLOBAL_ROLES } from '../ui/roles';
import { MIN_PASSWORD_LENGTH, USERNAME_PATTERN } from './account-rules';
import { CreateUserMutation, UsersQuery } from './users.operations';

export function CreateUserForm({ onDone }: { onDone: () => void }) {
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
