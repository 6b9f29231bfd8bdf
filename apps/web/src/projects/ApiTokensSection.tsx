/**
 * API tokens of a project (for scripts, the SDK and CI). A new token is shown in full exactly
 * once; afterwards only its name, scope, expiry and last use are known.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import { useSession } from '../app/session';
import type { ProjectRole } from '../gql/graphql';
import { CopyButton } from '../ui/CopyButton';
import { Dialog } from '../ui/Dialog';
import { EmptyState, MutationError, Notice } from '../ui/feedback';
import { SelectField, TextField } from '../ui/Field';
import { RoleChips, RolePicker } from '../ui/RolePicker';
import { DateText } from '../ui/time';
import type { ProjectDetails } from './ProjectPage';
import { CreateApiTokenMutation, ProjectQuery, RevokeApiTokenMutation } from './projects.operations';
import { tokenStatus } from './token-status';

type ApiToken = ProjectDetails['apiTokens'][number];

export function ApiTokensSection({
  project,
  canCreate,
  canManageAll,
}: {
  project: ProjectDetails;
  canCreate: boolean;
  canManageAll: boolean;
}) {
  const session = useSession();
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const canRevoke = (t: ApiToken) => tokenStatus(t) === 'active' && (canManageAll || t.owner.id === session.user.id);

  return (
    <section className="panel" aria-labelledby="tokens-title">
      <div className="panel-header">
        <h2 id="tokens-title">API tokens</h2>
      </div>
      <p className="muted">
        Tokens let scripts, the Caliper CLI and CI jobs act in this project. A token can do at most what its roles allow, and never more
        than its owner can do now. {canManageAll ? 'You see every token of the project.' : 'You see your own tokens.'}
      </p>
      {created ? <CreatedTokenPanel token={created.token} name={created.name} slug={project.slug} onDone={() => setCreated(null)} /> : null}
      {project.apiTokens.length === 0 ? (
        <EmptyState title="No API tokens">
          {canCreate ? <p>Create one below when a script or CI job needs to reach this project.</p> : null}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">API tokens of {project.name}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Owner</th>
                <th scope="col">Roles</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {project.apiTokens.map((t) => {
                const status = tokenStatus(t);
                return (
                  <tr key={t.id}>
                    <td>
                      <span className="strong">{t.name}</span>
                      {t.runId ? <div className="muted small">run {t.runId}</div> : null}
                    </td>
                    <td>{t.owner.displayName}</td>
                    <td>
                      <RoleChips roles={t.roles} />
                    </td>
                    <td>
                      <DateText value={t.createdAt} />
                    </td>
                    <td>
                      <DateText value={t.expiresAt} />
                    </td>
                    <td>{t.lastUsedAt ? <DateText value={t.lastUsedAt} withTime /> : <span className="muted">Never</span>}</td>
                    <td>
                      {status === 'revoked' ? (
                        <span className="badge badge-neutral">
                          Revoked <DateText value={t.revokedAt} />
                        </span>
                      ) : status === 'expired' ? (
                        <span className="badge badge-neutral">Expired</span>
                      ) : (
                        <span className="badge badge-ok">Active</span>
                      )}
                    </td>
                    <td className="row-actions">
                      {canRevoke(t) ? (
                        <button
                          type="button"
                          className="btn btn-small btn-danger-quiet"
                          onClick={() => setRevoking(t)}
                          aria-label={`Revoke token ${t.name}`}
                        >
                          Revoke
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {canCreate ? (
        <CreateTokenForm project={project} canIssueToServiceAccounts={canManageAll} onCreated={setCreated} />
      ) : (
        <p className="muted small">
          Tokens act with project roles, so only members whose roles allow it (researchers and PIs) can create them here.
        </p>
      )}
      <RevokeTokenDialog token={revoking} onClose={() => setRevoking(null)} />
    </section>
  );
}

/**
 * Ready-to-paste set-ups for the new token, with this server's own address (the page's origin:
 * the API serves the app, or proxies to it, at the same origin): the stock MLflow client (its
 * MLFLOW_TRACKING_TOKEN is sent as a bearer token to /api/2.0/mlflow, and the token's project is
 * where runs go), Caliper's Python client (tools/python/caliper_client.py reads CALIPER_URL and
 * CALIPER_TOKEN) and the CLI (which reads the same two, and `caliper login` stores them).
 */
export function tokenSnippets(origin: string, token: string, slug: string): { title: string; label: string; text: string }[] {
  return [
    {
      title: 'MLflow client (mlflow, MONAI)',
      label: 'Copy MLflow settings',
      text: `export MLFLOW_TRACKING_URI=${origin}\nexport MLFLOW_TRACKING_TOKEN=${token}`,
    },
    {
      title: 'Caliper Python client',
      label: 'Copy Python client set-up',
      text: [
        `export CALIPER_URL=${origin}`,
        `export CALIPER_TOKEN=${token}`,
        `python3 - <<'PY'`,
        'import caliper_client  # tools/python/caliper_client.py',
        `run = caliper_client.start_run(${JSON.stringify(slug)}, experiment="first-steps")`,
        'run.log_metric("loss", 0.5, 0)',
        'run.finish()',
        'PY',
      ].join('\n'),
    },
    {
      title: 'Caliper CLI',
      label: 'Copy CLI set-up',
      text: [
        `export CALIPER_URL=${origin}`,
        `export CALIPER_TOKEN=${token}`,
        'printenv CALIPER_TOKEN | caliper login --url "$CALIPER_URL" --token -',
        `caliper runs ls ${slug}`,
      ].join('\n'),
    },
  ];
}

function CreatedTokenPanel({ token, name, slug, onDone }: { token: string; name: string; slug: string; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // The form that created the token is further down: bring the one-time token into view and focus.
  useEffect(() => {
    heading.current?.scrollIntoView({ block: 'center' });
    heading.current?.focus();
  }, [token]);
  return (
    <div className="token-reveal" role="region" aria-labelledby="token-reveal-title">
      <h3 id="token-reveal-title" ref={heading} tabIndex={-1}>
        Copy the token “{name}” now
      </h3>
      <Notice kind="warning">
        <p>
          This is the only time Caliper shows this token. Store it in a password manager or your CI&apos;s secret store. If it is lost,
          revoke it and create a new one. Anyone holding it can act in this project with its roles.
        </p>
      </Notice>
      <div className="token-value">
        <label htmlFor="new-token" className="sr-only">
          New API token
        </label>
        <input id="new-token" className="mono" readOnly value={token} onFocus={(e) => e.target.select()} />
        <CopyButton text={token} label="Copy token" />
      </div>
      <p>Use it from a terminal, a job script or your CI&apos;s secret settings (each set-up holds the token: do not commit it):</p>
      <div className="token-snippets">
        {tokenSnippets(window.location.origin, token, slug).map((s) => (
          <section key={s.title} className="token-snippet" aria-label={s.title}>
            <h4>{s.title}</h4>
            <pre className="mono">
              <code>{s.text}</code>
            </pre>
            <CopyButton text={s.text} label={s.label} />
          </section>
        ))}
      </div>
      <button type="button" className="btn" onClick={onDone}>
        I have stored the token
      </button>
    </div>
  );
}

const EXPIRY_CHOICES = [7, 30, 90, 180, 365];

function CreateTokenForm({
  project,
  canIssueToServiceAccounts,
  onCreated,
}: {
  project: ProjectDetails;
  canIssueToServiceAccounts: boolean;
  onCreated: (created: { token: string; name: string }) => void;
}) {
  const session = useSession();
  // A token never holds a role its owner lacks: offer the owner's roles in this project.
  const serviceAccounts = canIssueToServiceAccounts ? project.members.filter((m) => m.user.kind === 'SERVICE' && m.user.isActive) : [];
  const [owner, setOwner] = useState('');
  const ownerRoles = owner ? (serviceAccounts.find((m) => m.user.username === owner)?.roles ?? []) : project.myRoles;
  const defaultRoles = (allowed: readonly ProjectRole[]): ProjectRole[] =>
    allowed.includes('RESEARCHER') ? ['RESEARCHER'] : allowed.slice(0, 1);
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<ProjectRole[]>(() => defaultRoles(project.myRoles));
  const [expiresInDays, setExpiresInDays] = useState(90);
  const [rolesError, setRolesError] = useState<string | null>(null);
  const [createToken, { loading, error }] = useMutation(CreateApiTokenMutation, { refetchQueries: [ProjectQuery] });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (roles.length === 0) {
      setRolesError('Pick at least one role.');
      return;
    }
    setRolesError(null);
    try {
      const result = await createToken({
        variables: { input: { projectId: project.id, name: name.trim(), roles, expiresInDays, serviceAccount: owner || undefined } },
      });
      if (result.data) {
        onCreated({ token: result.data.createApiToken.token, name: result.data.createApiToken.apiToken.name });
        setName('');
      }
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <form className="form subform" onSubmit={submit} aria-labelledby="create-token-title">
      <h3 id="create-token-title">Create a token</h3>
      <TextField
        label="Name"
        required
        value={name}
        onChange={(e) => setName(e.target.value)}
        hint="Say where it will be used, e.g. “slurm training jobs”."
        maxLength={200}
      />
      {serviceAccounts.length > 0 ? (
        <SelectField
          label="Issue to"
          value={owner}
          onChange={(e) => {
            const next = e.target.value;
            setOwner(next);
            setRoles(defaultRoles(next ? (serviceAccounts.find((m) => m.user.username === next)?.roles ?? []) : project.myRoles));
          }}
          hint="A service account's token keeps working when people leave the project."
        >
          <option value="">Me ({session.user.username})</option>
          {serviceAccounts.map((m) => (
            <option key={m.user.id} value={m.user.username}>
              Service account {m.user.displayName} ({m.user.username})
            </option>
          ))}
        </SelectField>
      ) : null}
      <RolePicker legend="Roles the token acts with" value={roles} onChange={setRoles} allowed={ownerRoles} error={rolesError} />
      <SelectField label="Expires after" value={String(expiresInDays)} onChange={(e) => setExpiresInDays(Number(e.target.value))}>
        {EXPIRY_CHOICES.map((d) => (
          <option key={d} value={d}>
            {d} days
          </option>
        ))}
      </SelectField>
      <MutationError error={error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={loading}>
          {loading ? 'Creating…' : 'Create token'}
        </button>
      </div>
    </form>
  );
}

function RevokeTokenDialog({ token, onClose }: { token: ApiToken | null; onClose: () => void }) {
  const [revoke, { loading, error, reset }] = useMutation(RevokeApiTokenMutation, { refetchQueries: [ProjectQuery] });
  function close() {
    reset();
    onClose();
  }
  async function confirm() {
    if (!token) return;
    try {
      await revoke({ variables: { id: token.id } });
      close();
    } catch {
      // Rendered from the mutation state.
    }
  }
  return (
    <Dialog title="Revoke API token" open={token !== null} onClose={close}>
      {token ? (
        <>
          <p>
            Revoke <strong>{token.name}</strong> (owner {token.owner.displayName})? Scripts and jobs using it are refused from now on. This
            cannot be undone.
          </p>
          <MutationError error={error} />
          <div className="form-actions">
            <button type="button" className="btn btn-danger" onClick={confirm} disabled={loading}>
              {loading ? 'Revoking…' : 'Revoke token'}
            </button>
            <button type="button" className="btn btn-quiet" onClick={close}>
              Cancel
            </button>
          </div>
        </>
      ) : null}
    </Dialog>
  );
}
