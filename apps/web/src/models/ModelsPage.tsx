/** The Models area: each readable project's registered models with their newest version, and "Register a version" where the user may register. */
import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { ProjectsQuery } from '../projects/projects.operations';
import { EmptyState, ErrorState, Loading } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
import { DateText } from '../ui/time';
import { ProjectModelsQuery } from './models.operations';
import { RegisterVersionForm } from './RegisterVersionForm';
import { ValidationStatus } from './ValidationStatus';

/** Models listed per project (by name); more than this says so. */
const MODELS_SHOWN = 200;

/** A model's page: under Models (the main navigation's item stays current), by its project's slug and its name. */
export const modelPath = (projectSlug: string, modelName: string) =>
  `/models/${encodeURIComponent(projectSlug)}/${encodeURIComponent(modelName)}`;

export function ModelsPage() {
  const { data, error, loading, refetch } = useQuery(ProjectsQuery);
  const projects = data?.projects ?? [];
  return (
    <>
      <PageHeader
        title="Models"
        description="Registered models and their versions: ONNX files from runs’ artifacts, validated by loading and running them, with their checksum, input and output signature and pre/post-processing spec."
      />
      {!data && loading ? <Loading label="Loading projects…" /> : null}
      {!data && error ? <ErrorState title="The projects could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
      {data && projects.length === 0 ? (
        <EmptyState title="No projects yet">
          <p>Models belong to a project. Ask a PI of a project or a system admin to add you to one.</p>
        </EmptyState>
      ) : null}
      {projects.map((p) => (
        <ProjectModels key={p.id} project={p} />
      ))}
    </>
  );
}

function ProjectModels({ project }: { project: { id: string; slug: string; name: string; myPermissions: readonly string[] } }) {
  const navigate = useNavigate();
  const { data, error, loading, refetch } = useQuery(ProjectModelsQuery, { variables: { projectId: project.id, first: MODELS_SHOWN } });
  const [registering, setRegistering] = useState(false);
  const canRegister = project.myPermissions.includes('model.register');
  const titleId = `models-project-${project.id}`;
  const models = data?.registeredModels.edges.map((e) => e.node) ?? [];
  return (
    <section className="panel" aria-labelledby={titleId}>
      <div className="panel-header">
        <h2 id={titleId}>
          <Link to={`/projects/${encodeURIComponent(project.slug)}`}>{project.name}</Link>
        </h2>
        {canRegister && !registering ? (
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => setRegistering(true)}
            aria-label={`Register a version in ${project.name}`}
          >
            Register a version
          </button>
        ) : null}
      </div>
      {registering ? (
        <RegisterVersionForm
          projectId={project.id}
          onCancel={() => setRegistering(false)}
          onRegistered={({ modelName }) => navigate(modelPath(project.slug, modelName))}
        />
      ) : null}
      {!data && loading ? <Loading label="Loading models…" /> : null}
      {!data && error ? <ErrorState title="The models could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
      {data && models.length === 0 ? (
        <EmptyState title="No registered models in this project yet.">
          {canRegister ? <p>Register one with “Register a version” from an ONNX file a run logged as an artifact.</p> : null}
        </EmptyState>
      ) : null}
      {models.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Registered models of {project.name}</caption>
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Latest version</th>
                <th scope="col">Validation</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => {
                const latest = m.versions[0];
                return (
                  <tr key={m.id}>
                    <td>
                      <Link to={modelPath(project.slug, m.name)} className="strong-link">
                        {m.name}
                      </Link>
                      {m.description ? <div className="muted">{m.description}</div> : null}
                    </td>
                    <td>{latest ? `Version ${latest.version}` : <span className="muted">No versions</span>}</td>
                    <td>{latest ? <ValidationStatus status={latest.validation?.status} /> : <span className="muted">—</span>}</td>
                    <td>
                      <DateText value={m.lastUpdatedAt} withTime />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {data?.registeredModels.pageInfo.hasNextPage ? <p className="muted">The first {MODELS_SHOWN} models by name are shown.</p> : null}
    </section>
  );
}
