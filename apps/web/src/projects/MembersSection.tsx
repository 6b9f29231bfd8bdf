/** Members of a project with their role sets; with member.manage: add, change roles, remove. */
import { useState, type FormEvent } from 'react';
import type { ApolloCache, Reference, StoreObject } from '@apollo/client';
import { useApolloClient, useMutation } from '@apollo/client/react';
import { useSession } from '../app/session';
import type { ProjectRole } from '../gql/graphql';
import { Dialog } from '../ui/Dialog';
import { EmptyState, MutationError } from '../ui/feedback';
import { TextField } from '../ui/Field';
import { RoleChips, RolePicker } from '../ui/RolePicker';
import { UserPicker } from '../ui/UserPicker';
import { DateText } from '../ui/time';
import type { ProjectDetails } from './ProjectPage';
import {
  AddProjectMemberMutation,
  MemberCandidatesQuery,
  ProjectQuery,
  RemoveProjectMemberMutation,
  SetProjectMemberRolesMutation,
} from './projects.operations';

type Member = ProjectDetails['members'][number];

/**
 * A member has no identity of its own in the cache: the API gives it no id, and one user is a
 * member of many projects with different roles, so keying it by user would show one project's
 * roles in another (apollo.ts keeps it unnormalised). It lives in its project's `members` list, and
 * a mutation's answer is written there by (project id, user id) — at once, so the roles on screen
 * are the ones just saved, not the ones from before until the refetch lands.
 */
function updateMember(cache: ApolloCache, projectId: string, userId: string, change: (member: StoreObject) => StoreObject | null): void {
  cache.modify<{ members: StoreObject[] }>({
    id: cache.identify({ __typename: 'Project', id: projectId }),
    fields: {
      members: (members, { readField }) =>
        (members as StoreObject[]).flatMap((m) => {
          if (readField<string>('id', readField<Reference>('user', m)) !== userId) return [m];
          const changed = change(m);
          return changed ? [changed] : [];
        }),
    },
  });
}

export function MembersSection({ project, canManage }: { project: ProjectDetails; canManage: boolean }) {
  const [removing, setRemoving] = useState<Member | null>(null);
  return (
    <section className="panel" aria-labelledby="members-title">
      <div className="panel-header">
        <h2 id="members-title">Members</h2>
        <span className="muted">{project.members.length === 1 ? '1 member' : `${project.members.length} members`}</span>
      </div>
      {project.members.length === 0 ? (
        <EmptyState title="No members yet">{canManage ? <p>Add the first member below.</p> : null}</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Members of {project.name}</caption>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Roles</th>
                <th scope="col">Member since</th>
                {canManage ? (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {project.members.map((m) => (
                <MemberRow key={m.user.id} project={project} member={m} canManage={canManage} onRemove={() => setRemoving(m)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canManage ? <AddMemberForm project={project} /> : null}
      <RemoveMemberDialog project={project} member={removing} onClose={() => setRemoving(null)} />
    </section>
  );
}

function MemberRow({
  project,
  member,
  canManage,
  onRemove,
}: {
  project: ProjectDetails;
  member: Member;
  canManage: boolean;
  onRemove: () => void;
}) {
  const session = useSession();
  const [editing, setEditing] = useState(false);
  const [roles, setRoles] = useState<ProjectRole[]>(member.roles);
  const [rolesError, setRolesError] = useState<string | null>(null);
  const [setMemberRoles, { loading, error, reset }] = useMutation(SetProjectMemberRolesMutation, {
    update: (cache, { data }) => {
      const saved = data?.setProjectMemberRoles;
      if (saved) updateMember(cache, project.id, saved.user.id, (m) => ({ ...m, roles: saved.roles }));
    },
    refetchQueries: [ProjectQuery],
  });
  const isMe = member.user.id === session.user.id;

  async function save(event: FormEvent) {
    event.preventDefault();
    if (roles.length === 0) {
      setRolesError('Pick at least one role. To take every role away, remove the member instead.');
      return;
    }
    setRolesError(null);
    try {
      await setMemberRoles({ variables: { input: { projectId: project.id, userId: member.user.id, roles } } });
      setEditing(false);
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <tr>
      <td>
        <div className="strong">{member.user.displayName}</div>
        <div className="muted small">
          {member.user.username}
          {isMe ? ' (you)' : ''}
          {member.user.kind === 'SERVICE' ? ' · service account' : ''}
          {member.user.isActive ? '' : ' · deactivated'}
        </div>
      </td>
      <td>
        {editing ? (
          <form onSubmit={save} className="inline-form">
            <RolePicker legend={`Roles of ${member.user.displayName}`} value={roles} onChange={setRoles} error={rolesError} />
            <MutationError error={error} />
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={loading}>
                {loading ? 'Saving…' : 'Save roles'}
              </button>
              <button
                type="button"
                className="btn btn-quiet"
                onClick={() => {
                  setEditing(false);
                  setRoles(member.roles);
                  setRolesError(null);
                  reset();
                }}
              >
                Cancel
              </button>
            </div>
          </form>
        ) : (
          <RoleChips roles={member.roles} />
        )}
      </td>
      <td>
        <DateText value={member.createdAt} />
      </td>
      {canManage ? (
        <td className="row-actions">
          {!editing ? (
            <>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => setEditing(true)}
                aria-label={`Change roles of ${member.user.displayName}`}
              >
                Change roles
              </button>
              <button
                type="button"
                className="btn btn-small btn-danger-quiet"
                onClick={onRemove}
                aria-label={`Remove ${member.user.displayName} from the project`}
              >
                Remove
              </button>
            </>
          ) : null}
        </td>
      ) : null}
    </tr>
  );
}

function AddMemberForm({ project }: { project: ProjectDetails }) {
  const client = useApolloClient();
  const [username, setUsername] = useState('');
  const [roles, setRoles] = useState<ProjectRole[]>(['RESEARCHER']);
  const [rolesError, setRolesError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [addMember, { loading, error }] = useMutation(AddProjectMemberMutation, { refetchQueries: [ProjectQuery] });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setAdded(null);
    if (roles.length === 0) {
      setRolesError('Pick at least one role.');
      return;
    }
    setRolesError(null);
    try {
      const result = await addMember({ variables: { input: { projectId: project.id, username: username.trim(), roles } } });
      setAdded(result.data?.addProjectMember.user.username ?? username.trim());
      setUsername('');
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <form className="form subform" onSubmit={submit} aria-labelledby="add-member-title">
      <h3 id="add-member-title">Add a member</h3>
      <UserPicker
        label="Username"
        required
        value={username}
        onChange={setUsername}
        search={async (text) =>
          (
            await client.query({
              query: MemberCandidatesQuery,
              variables: { input: { projectId: project.id, search: text } },
              fetchPolicy: 'network-only',
            })
          ).data?.memberCandidates ?? []
        }
        hint="Type a name or username and pick the person. They need a Caliper account; a system admin creates it."
      />
      <RolePicker legend="Roles" value={roles} onChange={setRoles} error={rolesError} />
      <MutationError error={error} />
      {added ? (
        <p className="notice notice-success" role="status">
          {added} was added to {project.name}.
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={loading}>
          {loading ? 'Adding…' : 'Add member'}
        </button>
      </div>
    </form>
  );
}

function RemoveMemberDialog({ project, member, onClose }: { project: ProjectDetails; member: Member | null; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [removeMember, { loading, error, reset }] = useMutation(RemoveProjectMemberMutation, {
    update: (cache, { data }, { variables }) => {
      if (data?.removeProjectMember && variables)
        updateMember(cache, String(variables.input.projectId), String(variables.input.userId), () => null);
    },
    refetchQueries: [ProjectQuery],
  });

  function close() {
    setReason('');
    reset();
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!member) return;
    try {
      await removeMember({ variables: { input: { projectId: project.id, userId: member.user.id, reason: reason.trim() || undefined } } });
      close();
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <Dialog title="Remove member" open={member !== null} onClose={close}>
      {member ? (
        <form className="form" onSubmit={submit}>
          <p>
            Remove <strong>{member.user.displayName}</strong> ({member.user.username}) from {project.name}? They lose access at once, and
            API tokens they created for this project stop working. The removal is recorded in the audit log.
          </p>
          <TextField
            label="Reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            hint="Recorded in the audit log."
            maxLength={500}
          />
          <MutationError error={error} />
          <div className="form-actions">
            <button type="submit" className="btn btn-danger" disabled={loading}>
              {loading ? 'Removing…' : 'Remove member'}
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
