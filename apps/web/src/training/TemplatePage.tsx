/**
 * One run template, at /templates/<id>: a version's definition (parameters with types, defaults
 * and bounds; resources; executor, image and command), older versions selectable, and the launch
 * form for that version. `?version=<id>&p.<name>=<value>` (a run's "Run again with changes")
 * selects the run's version and fills the form with its values.
 */
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { errorCode } from '../app/graphql-errors';
import type { TemplateVersionFieldsFragment } from '../gql/graphql';
import { ProjectsQuery } from '../projects/projects.operations';
import { EmptyState, ErrorState, Loading, Notice } from '../ui/feedback';
import { SelectField } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { DateText } from '../ui/time';
import { EXECUTOR_LABELS } from './executor-labels';
import { prefillFromSearch } from './launch-form';
import { LaunchForm } from './LaunchForm';
import { RunTemplateQuery } from './training.operations';
import './training.css';

export function TemplatePage() {
  const { templateId = '' } = useParams();
  const [search] = useSearchParams();
  const [prefill] = useState(() => prefillFromSearch(search));
  const { data, error, loading, refetch } = useQuery(RunTemplateQuery, { variables: { id: templateId } });
  const projects = useQuery(ProjectsQuery);
  const [chosen, setChosen] = useState<string | null>(prefill.versionId);

  if (!data) {
    if (error) {
      const notFound = ['NOT_FOUND', 'FORBIDDEN'].includes(errorCode(error) ?? '');
      return (
        <>
          <PageHeader title={notFound ? 'Template not found' : 'Template'} />
          {notFound ? (
            <EmptyState title="There is no such template you can read.">
              <p>
                Check the address, or <Link to="/templates">go to the templates of your projects</Link>.
              </p>
            </EmptyState>
          ) : (
            <ErrorState title="The template could not be loaded" error={error} onRetry={() => void refetch()} />
          )}
        </>
      );
    }
    return (
      <>
        <PageHeader title="Template" />
        {loading ? <Loading label="Loading the template…" /> : null}
      </>
    );
  }

  const template = data.runTemplate;
  // Newest first; a template is created with its first version, so there is always one.
  const latest = template.versions[0];
  if (!latest) return <PageHeader title={template.name} />;
  const version = template.versions.find((v) => v.id === chosen) ?? latest;
  const project = projects.data?.projects.find((p) => p.id === template.projectId);
  const canLaunch = project?.myPermissions.includes('run.write') ?? false;
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/templates">Templates</Link> <span aria-hidden="true">/</span>{' '}
        {project ? (
          <>
            <Link to={`/projects/${encodeURIComponent(project.slug)}`}>{project.name}</Link> <span aria-hidden="true">/</span>{' '}
          </>
        ) : null}
        <span aria-current="page">{template.name}</span>
      </nav>
      <PageHeader title={template.name} description={version.description || undefined} />
      {template.versions.length > 1 ? (
        <div className="tpl-version-picker">
          <SelectField label="Version" value={version.id} onChange={(e) => setChosen(e.target.value)}>
            {template.versions.map((v) => (
              <option key={v.id} value={v.id}>
                Version {v.version}
                {v.id === latest.id ? ' (latest)' : ''}
              </option>
            ))}
          </SelectField>
        </div>
      ) : null}
      {version.id !== latest.id ? (
        <Notice kind="info">
          <p>
            You are looking at version {version.version}; the latest is version {latest.version}.
          </p>
        </Notice>
      ) : null}
      <VersionDefinition version={version} />
      <section className="panel" aria-labelledby="launch-title">
        <h2 id="launch-title">Launch a run from version {version.version}</h2>
        {canLaunch ? (
          <LaunchForm
            key={version.id}
            version={version}
            templateName={template.name}
            prefill={prefill.versionId === null || prefill.versionId === version.id ? prefill.values : undefined}
          />
        ) : projects.data ? (
          <p className="muted">Launching runs needs a researcher or PI role in this project.</p>
        ) : null}
      </section>
    </>
  );
}

function VersionDefinition({ version }: { version: TemplateVersionFieldsFragment }) {
  const r = version.resources;
  return (
    <section className="panel" aria-labelledby="definition-title">
      <h2 id="definition-title">Version {version.version}</h2>
      <dl className="details">
        <div>
          <dt>Architecture</dt>
          <dd>{version.architecture}</dd>
        </div>
        <div>
          <dt>Dataset version</dt>
          <dd>
            {version.datasetVersion ? (
              <Link to={`/dataset-versions/${encodeURIComponent(version.datasetVersion.id)}`}>{version.datasetVersion.label}</Link>
            ) : (
              'None'
            )}
          </dd>
        </div>
        <div>
          <dt>Initial weights</dt>
          <dd>{version.initialModelVersion ? version.initialModelVersion.label : 'None (trained from scratch)'}</dd>
        </div>
        <div>
          <dt>Executor</dt>
          <dd>{EXECUTOR_LABELS[version.executor]}</dd>
        </div>
        <div>
          <dt>Image</dt>
          <dd className="mono">{version.image ?? 'None'}</dd>
        </div>
        <div>
          <dt>Resources</dt>
          <dd>
            {r.gpus} GPU{r.gpus === 1 ? '' : 's'}, {r.cpus} CPU{r.cpus === 1 ? '' : 's'}, {r.memoryGb} GB memory, {r.wallTimeMinutes} min
            wall time{r.partition ? `, partition ${r.partition}` : ''}
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <DateText value={version.createdAt} withTime /> by {version.createdBy}
          </dd>
        </div>
      </dl>
      <h3 className="tpl-heading">Command</h3>
      <pre className="tpl-command">{version.command.join(' ')}</pre>
      <h3 className="tpl-heading">Parameters</h3>
      {version.parameters.length === 0 ? (
        <EmptyState title="This version takes no parameters." />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Parameters of version {version.version}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Default</th>
                <th scope="col">Bounds or choices</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {version.parameters.map((p) => (
                <tr key={p.name}>
                  <td className="mono">{p.name}</td>
                  <td>{p.type.toLowerCase()}</td>
                  <td className="mono">{p.default === '' ? <span className="muted">empty</span> : p.default}</td>
                  <td>{boundsOf(p)}</td>
                  <td>{p.description ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function boundsOf(p: { type: string; min?: number | null; max?: number | null; choices?: readonly string[] | null }): string {
  if (p.type === 'CHOICE') return (p.choices ?? []).join(', ');
  if (p.min != null && p.max != null) return `${p.min} to ${p.max}`;
  if (p.min != null) return `at least ${p.min}`;
  if (p.max != null) return `at most ${p.max}`;
  return '—';
}
