/** The Templates area: each readable project's run templates with their latest version, from which runs are launched. */
import { Link } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { ProjectsQuery } from '../projects/projects.operations';
import { EmptyState, ErrorState, Loading } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
import { EXECUTOR_LABELS } from './executor-labels';
import { ProjectRunTemplatesQuery } from './training.operations';

export function TemplatesPage() {
  const { data, error, loading, refetch } = useQuery(ProjectsQuery);
  const projects = data?.projects ?? [];
  return (
    <>
      <PageHeader
        title="Templates"
        description="Versioned training definitions (architecture, initial weights, dataset version, typed parameters, resources, executor and command) to launch runs from."
      />
      {!data && loading ? <Loading label="Loading projects…" /> : null}
      {!data && error ? <ErrorState title="The projects could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
      {data && projects.length === 0 ? (
        <EmptyState title="No projects yet">
          <p>Templates belong to a project. Ask a PI of a project or a system admin to add you to one.</p>
        </EmptyState>
      ) : null}
      {projects.map((p) => (
        <ProjectTemplates key={p.id} project={p} />
      ))}
    </>
  );
}

function ProjectTemplates({ project }: { project: { id: string; slug: string; name: string } }) {
  const { data, error, loading, refetch } = useQuery(ProjectRunTemplatesQuery, { variables: { projectId: project.id } });
  const titleId = `templates-project-${project.id}`;
  const templates = data?.runTemplates ?? [];
  return (
    <section className="panel" aria-labelledby={titleId}>
      <div className="panel-header">
        <h2 id={titleId}>
          <Link to={`/projects/${encodeURIComponent(project.slug)}`}>{project.name}</Link>
        </h2>
        <Link to={`/projects/${encodeURIComponent(project.slug)}/queue`} aria-label={`Training queue of ${project.name}`}>
          Training queue
        </Link>
      </div>
      {!data && loading ? <Loading label="Loading templates…" /> : null}
      {!data && error ? <ErrorState title="The templates could not be loaded" error={error} onRetry={() => void refetch()} /> : null}
      {data && templates.length === 0 ? (
        <EmptyState title="No templates in this project yet.">
          <p>
            Push one with <code>caliper templates push</code> or the <code>createRunTemplate</code> mutation.
          </p>
        </EmptyState>
      ) : null}
      {templates.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Run templates of {project.name}</caption>
            <thead>
              <tr>
                <th scope="col">Template</th>
                <th scope="col">Latest version</th>
                <th scope="col">Executor</th>
                <th scope="col">Architecture</th>
                <th scope="col">Dataset</th>
                <th scope="col">Initial weights</th>
              </tr>
            </thead>
            <tbody>
              {templates.map((t) => {
                const v = t.latestVersion;
                return (
                  <tr key={t.id}>
                    <td>
                      <Link to={`/templates/${encodeURIComponent(t.id)}`} className="strong-link">
                        {t.name}
                      </Link>
                    </td>
                    <td>Version {v.version}</td>
                    <td>{EXECUTOR_LABELS[v.executor]}</td>
                    <td>{v.architecture}</td>
                    <td>
                      {v.datasetVersion ? (
                        <Link to={`/dataset-versions/${encodeURIComponent(v.datasetVersion.id)}`}>{v.datasetVersion.label}</Link>
                      ) : (
                        <span className="muted">None</span>
                      )}
                    </td>
                    <td>{v.initialModelVersion ? v.initialModelVersion.label : <span className="muted">None (from scratch)</span>}</td>
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
