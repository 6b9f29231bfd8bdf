/** One project: its details, its members with their role sets, and its API tokens. */
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import { ProjectExperimentsSection } from '../experiments/ProjectExperimentsSection';
import type { ProjectQuery as ProjectQueryResult } from '../gql/graphql';
import { MutationError } from '../ui/feedback';
import { TextAreaField, TextField } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { PageLoadState } from '../ui/PageLoadState';
import { RoleChips } from '../ui/RolePicker';
import { DateText } from '../ui/time';
import { ApiTokensSection } from './ApiTokensSection';
import { MembersSection } from './MembersSection';
import { WebhooksSection } from './WebhooksSection';
import { ProjectQuery, UpdateProjectMutation } from './projects.operations';

export type ProjectDetails = ProjectQueryResult['project'];

export function ProjectPage() {
  const { slug = '' } = useParams();
  const { data, error, loading, refetch } = useQuery(ProjectQuery, { variables: { slug } });

  if (!data) {
    return (
      <PageLoadState
        what="project"
        error={error}
        loading={loading}
        onRetry={() => void refetch()}
        missing={`There is no project “${slug}” you can read.`}
        back={{ to: '/projects', label: 'go back to your projects' }}
      />
    );
  }

  const project = data.project;
  const can = (permission: string) => project.myPermissions.includes(permission);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span> <span aria-current="page">{project.slug}</span>
      </nav>
      <PageHeader title={project.name} description={project.description || undefined} />
      <ProjectDetailsSection project={project} canUpdate={can('project.update')} />
      <ProjectExperimentsSection slug={project.slug} projectId={project.id} isMember={project.myRoles.length > 0} />
      <MembersSection project={project} canManage={can('member.manage')} />
      <ApiTokensSection project={project} canCreate={can('token.create')} canManageAll={can('member.manage')} />
      {can('project.update') ? <WebhooksSection project={project} /> : null}
    </>
  );
}

function ProjectDetailsSection({ project, canUpdate }: { project: ProjectDetails; canUpdate: boolean }) {
  const [editing, setEditing] = useState(false);
  return (
    <section className="panel" aria-labelledby="details-title">
      <div className="panel-header">
        <h2 id="details-title">Details</h2>
        {canUpdate && !editing ? (
          <button type="button" className="btn" onClick={() => setEditing(true)}>
            Edit details
          </button>
        ) : null}
      </div>
      {editing ? (
        <EditProjectForm project={project} onDone={() => setEditing(false)} />
      ) : (
        <dl className="details">
          <div>
            <dt>Short name</dt>
            <dd className="mono">{project.slug}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <DateText value={project.createdAt} withTime />
            </dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd>
              {project.archivedAt ? (
                <>
                  Archived on <DateText value={project.archivedAt} />
                </>
              ) : (
                'Active'
              )}
            </dd>
          </div>
          <div>
            <dt>Your roles</dt>
            <dd>
              {project.myRoles.length ? (
                <RoleChips roles={project.myRoles} />
              ) : (
                <span className="muted">Not a member (access through your global role)</span>
              )}
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}

function EditProjectForm({ project, onDone }: { project: ProjectDetails; onDone: () => void }) {
  const [name, setName] = useState(project.name);
  const [description, setDescription] = useState(project.description);
  const [update, { loading, error }] = useMutation(UpdateProjectMutation);

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await update({ variables: { input: { projectId: project.id, name: name.trim(), description: description.trim() } } });
      onDone();
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <form className="form form-wide" onSubmit={submit}>
      <TextField label="Name" required value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
      <TextAreaField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} rows={3} maxLength={2000} />
      <MutationError error={error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={loading}>
          {loading ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
