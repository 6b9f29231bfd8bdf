/**
 * A registered model: its versions newest first, each with its ONNX validation (valid, invalid
 * with the reason, or pending while the worker has it: the page polls until none is pending),
 * sha256, opset, input/output signature, task type and pre/post-processing spec, and the run it
 * came from. Members who may register get "Register a version".
 */
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { useLivePoll } from '../app/use-live-poll';
import type { ModelValidationFieldsFragment, RegisteredModelQuery as RegisteredModelResult } from '../gql/graphql';
import { ProjectsQuery } from '../projects/projects.operations';
import { CopyButton } from '../ui/CopyButton';
import { EmptyState, Notice } from '../ui/feedback';
import { LiveIndicator } from '../ui/LiveIndicator';
import { PageHeader } from '../ui/PageHeader';
import { PageLoadState } from '../ui/PageLoadState';
import { DateText } from '../ui/time';
import { RegisteredModelQuery } from './models.operations';
import { ModelAliases } from './ModelAliases';
import { ModelPromotionSections, RequestPromotionAction, VersionStageBadge } from './ModelPromotion';
import { RegisterVersionForm } from './RegisterVersionForm';
import { ValidationStatus } from './ValidationStatus';

type Version = RegisteredModelResult['registeredModel']['versions'][number];
type Tensor = NonNullable<ModelValidationFieldsFragment['inputs']>[number];

const TASK_NAMES: Record<string, string> = { SEGMENTATION: 'Segmentation', CLASSIFICATION: 'Classification', DETECTION: 'Detection' };

/** What the versions' validations are now: a poll that changes it found something new. */
const validationsFingerprint = (versions: readonly Version[]) => versions.map((v) => `${v.id}:${v.validation?.status ?? ''}`).join(',');

export function ModelPage() {
  const { slug = '', name = '' } = useParams();
  const projects = useQuery(ProjectsQuery);
  const project = projects.data?.projects.find((p) => p.slug === slug) ?? null;
  const { data, error, loading, refetch } = useQuery(RegisteredModelQuery, {
    variables: { projectId: project?.id ?? '', name },
    skip: !project,
  });
  const [registering, setRegistering] = useState(false);
  const [registered, setRegistered] = useState<number | null>(null);
  const versions = data?.registeredModel.versions ?? [];
  const live = useLivePoll(
    versions.some((v) => v.validation?.status === 'PENDING'),
    async () => {
      const before = validationsFingerprint(versions);
      const { data: fresh } = await refetch();
      return !!fresh && validationsFingerprint(fresh.registeredModel.versions) !== before;
    },
  );

  if (projects.data && !project) {
    // The address names a project the reader is not a member of (or none): nothing here for them.
    return (
      <>
        <PageHeader title="Model not found" />
        <EmptyState title="There is no such model you can read.">
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
        what="model"
        error={error ?? projects.error}
        loading={loading || projects.loading}
        onRetry={() => void (project ? refetch() : projects.refetch())}
        missing="There is no such model you can read."
        back={{ to: '/models', label: 'go back to the models' }}
        notFoundCodes={['NOT_FOUND', 'FORBIDDEN']}
      />
    );
  }

  const model = data.registeredModel;
  const canRegister = project.myPermissions.includes('model.register');
  return (
    <>
      <PageHeader
        title={model.name}
        description={
          <>
            A registered model of <Link to={`/projects/${encodeURIComponent(project.slug)}`}>{project.name}</Link>
            {model.description ? `: ${model.description}` : '.'} Updated <DateText value={model.lastUpdatedAt} withTime />.
          </>
        }
        actions={
          canRegister && !registering ? (
            <button type="button" className="btn btn-primary" onClick={() => setRegistering(true)}>
              Register a version
            </button>
          ) : null
        }
      />
      {registering ? (
        <RegisterVersionForm
          projectId={project.id}
          modelName={model.name}
          onCancel={() => setRegistering(false)}
          onRegistered={({ version }) => {
            setRegistering(false);
            setRegistered(version);
            void refetch();
          }}
        />
      ) : null}
      {registered !== null ? (
        <Notice kind="success">
          <p>Version {registered} was registered; the worker validates it next.</p>
        </Notice>
      ) : null}
      <LiveIndicator live={live} what="Updates while a version is being validated." />
      <section className="panel" aria-labelledby="model-versions-title">
        <div className="panel-header">
          <h2 id="model-versions-title">Versions</h2>
        </div>
        {versions.length === 0 ? <EmptyState title="This model has no versions." /> : null}
        {versions.map((v) => (
          <VersionSection key={v.id} version={v} project={project} modelName={model.name} />
        ))}
      </section>
      <ModelAliases project={project} modelName={model.name} />
      <ModelPromotionSections
        project={project}
        modelName={model.name}
        clinicalVersion={versions.find((v) => v.stage === 'CLINICAL') ?? null}
      />
    </>
  );
}

function VersionSection({
  version: v,
  project,
  modelName,
}: {
  version: Version;
  project: { id: string; slug: string; myPermissions: readonly string[] };
  modelName: string;
}) {
  const titleId = `model-version-${v.id}`;
  const val = v.validation;
  return (
    <article className="model-version" aria-labelledby={titleId}>
      <div className="model-version-header">
        <h3 id={titleId}>
          <Link to={`/models/${encodeURIComponent(project.slug)}/${encodeURIComponent(modelName)}/${v.version}`}>Version {v.version}</Link>
        </h3>
        <ValidationStatus status={val?.status} />
        <VersionStageBadge stage={v.stage} />
        <span className="muted">
          Registered <DateText value={v.createdAt} withTime />
        </span>
      </div>
      {val?.status === 'VALID' && project.myPermissions.includes('promotion.request') ? (
        <RequestPromotionAction
          projectId={project.id}
          projectSlug={project.slug}
          modelName={modelName}
          version={v.version}
          stage={v.stage}
        />
      ) : null}
      {val?.status === 'INVALID' ? (
        <Notice kind="error" title="The ONNX validation failed">
          <p>{val.reason}</p>
        </Notice>
      ) : null}
      {val?.status === 'PENDING' ? (
        <p className="muted">The worker has not validated this version yet: it loads the ONNX file and runs it once.</p>
      ) : null}
      <dl className="model-facts">
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
        {val?.sha256 ? (
          <>
            <dt>sha256</dt>
            <dd>
              <span className="mono" title={val.sha256}>
                {val.sha256.slice(0, 12)}…
              </span>
              <CopyButton text={val.sha256} label="Copy sha256" />
            </dd>
          </>
        ) : null}
        {val?.opset != null ? (
          <>
            <dt>Opset</dt>
            <dd>{val.opset}</dd>
          </>
        ) : null}
        {val?.taskType ? (
          <>
            <dt>Task</dt>
            <dd>{TASK_NAMES[val.taskType] ?? val.taskType}</dd>
          </>
        ) : null}
        {val?.validatedAt ? (
          <>
            <dt>Validated</dt>
            <dd>
              <DateText value={val.validatedAt} withTime />
            </dd>
          </>
        ) : null}
      </dl>
      {val?.inputs || val?.outputs ? <SignatureTable version={v.version} inputs={val.inputs ?? []} outputs={val.outputs ?? []} /> : null}
      {val && (hasKeys(val.preprocessing) || hasKeys(val.postprocessing)) ? (
        <div className="model-facts">
          <span className="muted">Preprocessing</span>
          <pre className="model-spec" aria-label={`Preprocessing of version ${v.version}`}>
            {hasKeys(val.preprocessing) ? JSON.stringify(val.preprocessing) : 'none'}
          </pre>
          <span className="muted">Postprocessing</span>
          <pre className="model-spec" aria-label={`Postprocessing of version ${v.version}`}>
            {JSON.stringify(val.postprocessing ?? {})}
          </pre>
        </div>
      ) : null}
    </article>
  );
}

const hasKeys = (value: unknown): boolean => !!value && typeof value === 'object' && Object.keys(value).length > 0;

const formatShape = (shape: readonly unknown[]) => `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;

function SignatureTable({ version, inputs, outputs }: { version: number; inputs: readonly Tensor[]; outputs: readonly Tensor[] }) {
  const rows = [...inputs.map((t) => ['Input', t] as const), ...outputs.map((t) => ['Output', t] as const)];
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="sr-only">Inputs and outputs of version {version}</caption>
        <thead>
          <tr>
            <th scope="col">Tensor</th>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Shape</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([kind, t]) => (
            <tr key={`${kind}:${t.name}`}>
              <td>{kind}</td>
              <td className="mono">{t.name}</td>
              <td className="mono">{t.dtype}</td>
              <td className="mono">{formatShape(t.shape)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
