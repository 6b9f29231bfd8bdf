/**
 * User administration: every account with its global role and status; with user.manage, create
 * users and deactivate them (with a reason, kept in the audit log). Auditors see the list only.
 */
import { useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { useSession } from '../app/session';
import { EmptyState, ErrorState, Loading } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
import { globalRoleLabel } from '../ui/roles';
import { DateText } from '../ui/time';
import type { AdminUser } from './admin-user';
import { CreateUserForm } from './CreateUserForm';
import { DeactivateUserDialog } from './DeactivateUserDialog';
import { ManageUserDialog, type ManageAction } from './ManageUserDialog';
import { UsersQuery } from './users.operations';

export function AdminPage() {
  const session = useSession();
  const canManage = session.canGlobally('user.manage');
  const canRead = canManage || session.canGlobally('audit.read');
  const [creating, setCreating] = useState(false);
  const [deactivating, setDeactivating] = useState<AdminUser | null>(null);
  const [managing, setManaging] = useState<{ user: AdminUser; action: ManageAction } | null>(null);
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
