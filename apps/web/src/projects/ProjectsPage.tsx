/** The projects the user can read, and (with project.create) the form to start a new one. */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useSession } from '../app/session';
import { EmptyState, ErrorState, Loading, MutationError } from '../ui/feedback';
import { TextAreaField, TextField } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { RoleChips } from '../ui/RolePicker';
import { DateText } from '../ui/time';
import { UserPicker } from '../ui/UserPicker';
import { SLUG_PATTERN, slugFromName } from './project-slug';
import { CreateProjectMutation, PiCandidatesQuery, ProjectsQuery } from './projects.operations';

export function ProjectsPage() {
  const session = useSession();
  const canCreate = session.canGlobally('project.create');
  const [creating, setCreating] = useState(false);
  const { data, error, loading, refetch } = useQuery(ProjectsQuery);

  return (
    <>
      <PageHeader
        title="Projects"
        description="Each project groups the datasets, runs and models of one clinical question, and the people who work on it."
        actions={
          canCreate && !creating ? (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              New project
            </button>
          ) : null
        }
      />
      {creating ? <CreateProjectForm onCancel={() => setCreating(false)} /> : null}
      {!data && loading ? <Loading label="Loading projects…" /> : null}
      {!data && error ? <ErrorState title="Projects could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
      {data && data.projects.length === 0 ? (
        <EmptyState title="No projects yet">
          {canCreate ? (
            <p>Create the first project with “New project”.</p>
          ) : (
            <p>You are not a member of any project. Ask a PI of the project or a system admin to add you.</p>
          )}
        </EmptyState>
      ) : null}
      {data && data.projects.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Projects you can read</caption>
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Description</th>
                <th scope="col">Your roles</th>
                <th scope="col" className="num">
                  Members
                </th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {data.projects.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/projects/${encodeURIComponent(p.slug)}`} className="strong-link">
                      {p.name}
                    </Link>
                    <div className="mono muted small">{p.slug}</div>
                    {p.archivedAt ? <span className="badge badge-neutral">Archived</span> : null}
                  </td>
                  <td>{p.description || <span className="muted">—</span>}</td>
                  <td>
                    <RoleChips roles={p.myRoles} />
                  </td>
                  <td className="num">{p.memberCount}</td>
                  <td>
                    <DateText value={p.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

function CreateProjectForm({ onCancel }: { onCancel: () => void }) {
  const navigate = useNavigate();
  const session = useSession();
  const client = useApolloClient();
  // Whoever creates the project leads it unless they name its PI: the project then has someone who manages its members.
  const [pi, setPi] = useState(session.user.username);
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [description, setDescription] = useState('');
  const [slugError, setSlugError] = useState<string | null>(null);
  const [createProject, { loading, error }] = useMutation(CreateProjectMutation, { refetchQueries: [ProjectsQuery] });
  const effectiveSlug = slugEdited ? slug : slugFromName(name);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!SLUG_PATTERN.test(effectiveSlug)) {
      setSlugError('Use 2–63 lowercase letters, digits and hyphens, starting with a letter or digit.');
      return;
    }
    setSlugError(null);
    try {
      const result = await createProject({
        variables: {
          input: { name: name.trim(), slug: effectiveSlug, description: description.trim() || undefined, piUsername: pi.trim() },
        },
      });
      if (result.data) navigate(`/projects/${encodeURIComponent(result.data.createProject.slug)}`);
    } catch {
      // The error is rendered from the mutation state below.
    }
  }

  return (
    <section className="panel" aria-labelledby="new-project-title">
      <h2 id="new-project-title">New project</h2>
      <form className="form form-wide" onSubmit={submit}>
        <TextField
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Brain tumour segmentation"
          maxLength={200}
        />
        <TextField
          label="Short name (slug)"
          required
          value={effectiveSlug}
          onChange={(e) => {
            setSlugEdited(true);
            setSlug(e.target.value);
          }}
          hint="Used in links and by the CLI; cannot be changed later. Lowercase letters, digits and hyphens."
          error={slugError}
          spellCheck={false}
          autoCapitalize="none"
          className="mono"
        />
        <TextAreaField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} rows={3} maxLength={2000} />
        <UserPicker
          label="Principal investigator (PI)"
          required
          value={pi}
          onChange={setPi}
          search={async (text) =>
            (await client.query({ query: PiCandidatesQuery, variables: { input: { search: text } }, fetchPolicy: 'network-only' })).data
              ?.piCandidates ?? []
          }
          hint={`Leads the project and manages its members. ${pi.trim() === session.user.username ? 'You, unless you pick someone else.' : 'Type a name or username and pick the person.'}`}
        />
        <MutationError error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={loading}>
            {loading ? 'Creating…' : 'Create project'}
          </button>
          <button type="button" className="btn btn-quiet" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
