/** The Datasets area: each readable project's datasets with their latest version, and "New dataset" where the user may write. */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import { ProjectsQuery } from '../projects/projects.operations';
import { EmptyState, ErrorState, Loading, MutationError } from '../ui/feedback';
import { TextAreaField, TextField } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { DateText } from '../ui/time';
import { CreateDatasetMutation, ProjectDatasetsQuery } from './datasets.operations';
import { VersionStateBadge } from './VersionStateBadge';

export function DatasetsPage() {
  const { data, error, loading, refetch } = useQuery(ProjectsQuery);
  const projects = data?.projects ?? [];
  return (
    <>
      <PageHeader
        title="Datasets"
        description="Cohorts of DICOM studies as numbered versions: drafts while they change, sealed with a manifest, its sha256 and a de-identification attestation once final."
      />
      {!data && loading ? <Loading label="Loading projects…" /> : null}
      {!data && error ? <ErrorState title="The projects could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
      {data && projects.length === 0 ? (
        <EmptyState title="No projects yet">
          <p>Datasets belong to a project. Ask a PI of a project or a system admin to add you to one.</p>
        </EmptyState>
      ) : null}
      {projects.map((p) => (
        <ProjectDatasets key={p.id} project={p} />
      ))}
    </>
  );
}

function ProjectDatasets({ project }: { project: { id: string; slug: string; name: string; myPermissions: readonly string[] } }) {
  const { data, error, loading, refetch } = useQuery(ProjectDatasetsQuery, { variables: { projectId: project.id } });
  const [creating, setCreating] = useState(false);
  const canWrite = project.myPermissions.includes('dataset.write');
  const titleId = `datasets-project-${project.id}`;
  const datasets = data?.datasets ?? [];
  return (
    <section className="panel" aria-labelledby={titleId}>
      <div className="panel-header">
        <h2 id={titleId}>
          <Link to={`/projects/${encodeURIComponent(project.slug)}`}>{project.name}</Link>
        </h2>
        {canWrite && !creating ? (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} aria-label={`New dataset in ${project.name}`}>
            New dataset
          </button>
        ) : null}
      </div>
      {creating ? <CreateDatasetForm projectId={project.id} onCancel={() => setCreating(false)} /> : null}
      {!data && loading ? <Loading label="Loading datasets…" /> : null}
      {!data && error ? <ErrorState title="The datasets could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
      {data && datasets.length === 0 ? (
        <EmptyState title="No datasets in this project yet.">
          {canWrite ? <p>Start one with “New dataset”, then upload DICOM files into its first version.</p> : null}
        </EmptyState>
      ) : null}
      {datasets.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Datasets of {project.name}</caption>
            <thead>
              <tr>
                <th scope="col">Dataset</th>
                <th scope="col">Description</th>
                <th scope="col">Latest version</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((d) => {
                const latest = d.versions[0];
                return (
                  <tr key={d.id}>
                    <td>
                      <Link to={`/datasets/${encodeURIComponent(d.id)}`} className="strong-link">
                        {d.name}
                      </Link>
                    </td>
                    <td>{d.description || <span className="muted">—</span>}</td>
                    <td>
                      {latest ? (
                        <>
                          <Link to={`/dataset-versions/${encodeURIComponent(latest.id)}`}>Version {latest.number}</Link>{' '}
                          <VersionStateBadge state={latest.state} />
                        </>
                      ) : (
                        <span className="muted">No versions</span>
                      )}
                    </td>
                    <td>
                      <DateText value={d.createdAt} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function CreateDatasetForm({ projectId, onCancel }: { projectId: string; onCancel: () => void }) {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [create, { loading, error }] = useMutation(CreateDatasetMutation, {
    refetchQueries: [{ query: ProjectDatasetsQuery, variables: { projectId } }],
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      const result = await create({ variables: { input: { projectId, name: name.trim(), description: description.trim() || undefined } } });
      if (result.data) navigate(`/datasets/${encodeURIComponent(result.data.createDataset.id)}`);
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <form className="form form-wide subform" onSubmit={submit} aria-label="New dataset">
      <TextField
        label="Name"
        required
        value={name}
        onChange={(e) => setName(e.target.value)}
        placeholder="Glioma MRI cohort"
        maxLength={200}
      />
      <TextAreaField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} rows={2} maxLength={2000} />
      <MutationError error={error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={loading}>
          {loading ? 'Creating…' : 'Create dataset'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
