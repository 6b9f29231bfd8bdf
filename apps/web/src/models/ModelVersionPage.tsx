/**
 * One model version (/models/<project>/<model>/<version>): its identity (stage, aliases, artifact
 * digest, source run), its ONNX validation and its model card. The page is a list of sections
 * (VERSION_SECTIONS), each given the loaded version: later sections (promotion requests and
 * signatures, provenance) are added to that list, not woven into the page.
 */
import './model-card.css';
import './models.css';
import type { ComponentType } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import type { ModelVersionPageQuery as ModelVersionPageResult } from '../gql/graphql';
import { ProjectsQuery } from '../projects/projects.operations';
import { CopyButton } from '../ui/CopyButton';
import { EmptyState, Notice } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
import { PageLoadState } from '../ui/PageLoadState';
import { DateText } from '../ui/time';
import { ModelCardSection } from './ModelCardSection';
import { ModelVersionPageQuery } from './models.operations';
import { ProvenanceSection } from './ProvenanceSection';
import { VersionPromotionSection } from './VersionPromotionSection';
import { ValidationStatus } from './ValidationStatus';

export type LoadedVersion = ModelVersionPageResult['modelVersion'];

/** What every section of the version page is given. */
export interface VersionSectionProps {
  project: { id: string; slug: string; myPermissions: readonly string[] };
  version: LoadedVersion;
}

/**
 * The page's sections, in order. Add a section here (promotion requests & signatures, provenance):
 * a component that takes VersionSectionProps and renders its own <section className="panel">.
 */
export const VERSION_SECTIONS: readonly { key: string; Section: ComponentType<VersionSectionProps> }[] = [
  { key: 'validation', Section: ValidationSection },
  { key: 'card', Section: CardSection },
  { key: 'promotions', Section: VersionPromotionSection },
  { key: 'provenance', Section: ProvenanceSection },
];

const STAGE_NAMES: Record<string, string> = { NONE: 'None', STAGING: 'Staging', CLINICAL: 'Clinical', RETIRED: 'Retired' };

export function ModelVersionPage() {
  const { slug = '', name = '', version: versionParam = '' } = useParams();
  const number = /^[1-9]\d{0,8}$/.test(versionParam) ? Number(versionParam) : null;
  const projects = useQuery(ProjectsQuery);
  const project = projects.data?.projects.find((p) => p.slug === slug) ?? null;
  const { data, error, loading, refetch } = useQuery(ModelVersionPageQuery, {
    variables: { projectId: project?.id ?? '', name, version: number ?? 0 },
    skip: !project || number === null,
  });
  const modelPath = `/models/${encodeURIComponent(slug)}/${encodeURIComponent(name)}`;

  if ((projects.data && !project) || number === null) {
    return (
      <>
        <PageHeader title="Model version not found" />
        <EmptyState title="There is no such model version you can read.">
          <p>
            Check the address, or <Link to="/models">go back to the models</Link>.
          </p>
        </EmptyState>
      </>
    );
  }
  if (!project || !data) {
    return (
      <PageLoadState
        what="model version"
        error={error ?? projects.error}
        loading={loading || projects.loading}
        onRetry={() => void (project ? refetch() : projects.refetch())}
        missing="There is no such model version you can read."
        back={{ to: modelPath, label: 'go back to the model' }}
        notFoundCodes={['NOT_FOUND', 'FORBIDDEN']}
      />
    );
  }

  const v = data.modelVersion;
  return (
    <>
      <PageHeader
        title={`${v.modelName} version ${v.version}`}
        description={
          <>
            A version of <Link to={modelPath}>{v.modelName}</Link> in{' '}
            <Link to={`/projects/${encodeURIComponent(project.slug)}`}>{project.name}</Link>, registered{' '}
            <DateText value={v.createdAt} withTime />.
          </>
        }
      />
      <section className="panel" aria-labelledby="version-identity-title">
        <div className="panel-header">
          <h2 id="version-identity-title">Version</h2>
        </div>
        {v.description ? <p>{v.description}</p> : null}
        <dl className="model-facts">
          <dt>Stage</dt>
          <dd>
            <span className="badge">{STAGE_NAMES[v.stage] ?? v.stage}</span>
          </dd>
          <dt>Aliases</dt>
          <dd>
            {v.aliases.length ? (
              v.aliases.map((a) => (
                <span key={a} className="badge badge-neutral">
                  {a}
                </span>
              ))
            ) : (
              <span className="muted">none</span>
            )}
          </dd>
          <dt>Artifact sha256</dt>
          <dd>
            {v.artifactDigest ? (
              <>
                <span className="mono" title={v.artifactDigest}>
                  {v.artifactDigest.slice(0, 12)}…
                </span>
                <CopyButton text={v.artifactDigest} label="Copy artifact sha256" />
              </>
            ) : (
              <span className="muted">none (registered from an external source)</span>
            )}
          </dd>
          <dt>Source run</dt>
          <dd>
            {v.runId ? (
              <Link to={`/runs/${encodeURIComponent(v.runId)}`} className="mono">
                {v.runId}
              </Link>
            ) : (
              <span className="muted">—</span>
            )}
            {v.artifactPath ? <span className="mono">{v.artifactPath}</span> : null}
          </dd>
          <dt>Source</dt>
          <dd className="mono">{v.source}</dd>
        </dl>
      </section>
      <div className="version-sections">
        {VERSION_SECTIONS.map(({ key, Section }) => (
          <Section key={key} project={project} version={v} />
        ))}
      </div>
    </>
  );
}

function ValidationSection({ version: v }: VersionSectionProps) {
  const val = v.validation;
  return (
    <section className="panel" aria-labelledby="version-validation-title">
      <div className="panel-header">
        <h2 id="version-validation-title">ONNX validation</h2>
        <ValidationStatus status={val?.status} />
      </div>
      {val?.status === 'INVALID' ? (
        <Notice kind="error" title="The ONNX validation failed">
          <p>{val.reason}</p>
        </Notice>
      ) : null}
      {val?.status === 'PENDING' ? (
        <p className="muted">The worker has not validated this version yet: it loads the ONNX file and runs it once.</p>
      ) : null}
      {val?.sha256 ? (
        <dl className="model-facts">
          <dt>ONNX sha256</dt>
          <dd>
            <span className="mono" title={val.sha256}>
              {val.sha256.slice(0, 12)}…
            </span>
            <CopyButton text={val.sha256} label="Copy ONNX sha256" />
          </dd>
          {val.opset != null ? (
            <>
              <dt>Opset</dt>
              <dd>{val.opset}</dd>
            </>
          ) : null}
          {val.validatedAt ? (
            <>
              <dt>Validated</dt>
              <dd>
                <DateText value={val.validatedAt} withTime />
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
    </section>
  );
}

function CardSection({ project, version: v }: VersionSectionProps) {
  return (
    <ModelCardSection
      projectId={project.id}
      modelName={v.modelName}
      version={v.version}
      card={v.card}
      canEdit={project.myPermissions.includes('model.register')}
    />
  );
}
