/**
 * The promotion side of a model's page (issue 14, item 6): per version its stage and "Request
 * promotion" (target, reason, rollback for a retired version; the API's refusal shown in its
 * words, e.g. an incomplete model card); the version in clinical use with its signatures; the
 * stage history (requests and deployments, newest first); and the policies per stage, which a PI
 * may edit (required roles, how many sign, the sealed test dataset version, acceptance criteria).
 */
import './promotion.css';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import type { ModelPromotionQuery as ModelPromotionResult, ModelStage, ProjectRole, PromotionTarget } from '../gql/graphql';
import { ErrorState, Loading, MutationError } from '../ui/feedback';
import { SelectField, TextAreaField, TextField } from '../ui/Field';
import { RolePicker } from '../ui/RolePicker';
import { DateText } from '../ui/time';
import { ModelPromotionQuery, RequestPromotionMutation, SetPromotionPolicyMutation } from './promotion.operations';
import { promotionRequestPath } from './promotion-paths';
import { roleWords, stageWords, TARGETS } from './promotion-words';
import { PromotionSignatureList, PromotionStatusBadge } from './PromotionParts';

type ModelPromotion = ModelPromotionResult['registeredModel'];
type Policy = ModelPromotion['promotionPolicies'][number];
type Request = ModelPromotion['promotionRequests'][number];

const STAGE_BADGE: Record<ModelStage, string> = {
  NONE: 'badge badge-neutral',
  STAGING: 'badge',
  CLINICAL: 'badge badge-ok',
  RETIRED: 'badge badge-neutral',
};

/** A version's stage as a badge: "In clinical use", "Staging", "Retired", "No stage". */
export function VersionStageBadge({ stage }: { stage: ModelStage }) {
  const words: Record<ModelStage, string> = { NONE: 'No stage', STAGING: 'Staging', CLINICAL: 'In clinical use', RETIRED: 'Retired' };
  return <span className={STAGE_BADGE[stage]}>{words[stage]}</span>;
}

/** "Request promotion" for one version: opens the form; a request made goes to its page. */
export function RequestPromotionAction({
  projectId,
  projectSlug,
  modelName,
  version,
  stage,
}: {
  projectId: string;
  projectSlug: string;
  modelName: string;
  version: number;
  stage: ModelStage;
}) {
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <button type="button" className="btn" onClick={() => setOpen(true)} aria-label={`Request promotion of version ${version}`}>
        Request promotion
      </button>
    );
  return (
    <RequestPromotionForm
      projectId={projectId}
      projectSlug={projectSlug}
      modelName={modelName}
      version={version}
      stage={stage}
      onCancel={() => setOpen(false)}
    />
  );
}

function RequestPromotionForm({
  projectId,
  projectSlug,
  modelName,
  version,
  stage,
  onCancel,
}: {
  projectId: string;
  projectSlug: string;
  modelName: string;
  version: number;
  stage: ModelStage;
  onCancel: () => void;
}) {
  const navigate = useNavigate();
  const targets = TARGETS.filter((t) => t !== stage && !(t === 'RETIRED' && stage === 'NONE'));
  const [target, setTarget] = useState<PromotionTarget>(targets[0] ?? 'STAGING');
  const [reason, setReason] = useState('');
  const [rollback, setRollback] = useState(false);
  const [request, { loading, error, reset }] = useMutation(RequestPromotionMutation, { refetchQueries: ['ModelPromotion'] });
  const canRollback = stage === 'RETIRED' && target === 'CLINICAL';

  async function submit(event: FormEvent) {
    event.preventDefault();
    reset();
    try {
      const result = await request({
        variables: { input: { projectId, modelName, version, target, reason: reason.trim(), rollback: canRollback && rollback } },
      });
      if (result.data) navigate(promotionRequestPath(projectSlug, modelName, result.data.requestPromotion.id));
    } catch {
      // Shown from the mutation state, in the API's words.
    }
  }

  return (
    <form className="form subform" onSubmit={submit} aria-label={`Request promotion of version ${version}`} noValidate>
      <SelectField label="Target stage" value={target} onChange={(e) => setTarget(e.target.value as PromotionTarget)}>
        {targets.map((t) => (
          <option key={t} value={t}>
            {stageWords(t)}
          </option>
        ))}
      </SelectField>
      <TextAreaField
        label="Reason"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        maxLength={2000}
        rows={2}
        hint="Signers read it: why this version, why now."
      />
      {canRollback ? (
        <label className="check">
          <input type="checkbox" checked={rollback} onChange={(e) => setRollback(e.target.checked)} />
          <span>
            <span className="check-label">Rollback</span>
            <span className="check-hint">re-activates this retired version in clinical use; the reason is required</span>
          </span>
        </label>
      ) : null}
      <MutationError error={error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={loading}>
          {loading ? 'Requesting…' : 'Request promotion'}
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={loading}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * The model-level promotion sections: the version in clinical use with its signatures, the stage
 * history, and the policies (editable by those who hold project.update).
 */
export function ModelPromotionSections({
  project,
  modelName,
  clinicalVersion,
}: {
  project: { id: string; slug: string; myPermissions: readonly string[] };
  modelName: string;
  /** The version now in clinical use, if any (from the versions the page shows). */
  clinicalVersion: { id: string; version: number } | null;
}) {
  const { data, error, loading, refetch } = useQuery(ModelPromotionQuery, {
    variables: { projectId: project.id, name: modelName },
    fetchPolicy: 'cache-and-network',
  });
  if (!data) {
    if (error) return <ErrorState title="The stage history could not be loaded" error={error} onRetry={() => void refetch()} />;
    return loading ? <Loading label="Loading the stage history…" /> : null;
  }
  const model = data.registeredModel;
  const clinicalRequest = clinicalVersion
    ? (model.promotionRequests.find(
        (r) => r.modelVersionId === clinicalVersion.id && r.targetStage === 'CLINICAL' && r.status === 'DEPLOYED',
      ) ?? null)
    : null;
  return (
    <>
      {clinicalVersion ? (
        <section className="panel promotion-clinical" aria-labelledby="promotion-clinical-title">
          <h2 id="promotion-clinical-title">In clinical use: version {clinicalVersion.version}</h2>
          {clinicalRequest ? (
            <>
              <p>
                Approved <DateText value={clinicalRequest.decidedAt} withTime absolute /> through{' '}
                <Link to={promotionRequestPath(project.slug, modelName, clinicalRequest.id)}>its promotion request</Link>, signed by:
              </p>
              <PromotionSignatureList
                signatures={clinicalRequest.signatures}
                compact
                label={`Signatures of version ${clinicalVersion.version}`}
              />
            </>
          ) : (
            <p className="muted">No signed request of this version to clinical use is recorded.</p>
          )}
          <p>
            <Link
              to={`/models/${encodeURIComponent(project.slug)}/${encodeURIComponent(modelName)}/${clinicalVersion.version}#provenance-title`}
            >
              Provenance of version {clinicalVersion.version}
            </Link>{' '}
            : its data, run, evaluation, signatures and deployments.
          </p>
        </section>
      ) : null}
      <StageHistory projectSlug={project.slug} modelName={modelName} model={model} />
      <Policies project={project} modelName={modelName} policies={model.promotionPolicies} onSaved={() => void refetch()} />
    </>
  );
}

type HistoryEntry = { at: string; key: string; node: ReactNode };

function StageHistory({ projectSlug, modelName, model }: { projectSlug: string; modelName: string; model: ModelPromotion }) {
  const entries: HistoryEntry[] = [];
  for (const r of model.promotionRequests)
    entries.push({
      at: r.requestedAt,
      key: `r${r.id}`,
      node: <RequestEntry r={r} path={promotionRequestPath(projectSlug, modelName, r.id)} />,
    });
  for (const d of model.deployments) {
    entries.push({
      at: d.startedAt,
      key: `d${d.id}`,
      node: (
        <>
          <DateText value={d.startedAt} withTime absolute />
          <span>
            Version {d.version} deployed ({d.mode}, {d.site})
          </span>
          <span className={d.status === 'active' ? 'badge badge-ok' : 'badge badge-neutral'}>
            {d.status === 'active' ? 'Active' : 'Ended'}
          </span>
        </>
      ),
    });
    if (d.endedAt)
      entries.push({
        at: d.endedAt,
        key: `e${d.id}`,
        node: (
          <>
            <DateText value={d.endedAt} withTime absolute />
            <span>
              Version {d.version} left use{d.endedReason ? `: ${d.endedReason}` : ''}
            </span>
          </>
        ),
      });
  }
  entries.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return (
    <section className="panel" aria-labelledby="promotion-history-title">
      <div className="panel-header">
        <h2 id="promotion-history-title">Stage history</h2>
      </div>
      {entries.length === 0 ? (
        <p className="muted">No promotion has been requested for this model.</p>
      ) : (
        <ol className="promotion-history" aria-label="Stage history">
          {entries.map((e) => (
            <li key={e.key} className="promotion-history-item">
              {e.node}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function RequestEntry({ r, path }: { r: Request; path: string }) {
  return (
    <>
      <DateText value={r.requestedAt} withTime absolute />
      <span>
        <Link to={path}>
          {r.kind === 'rollback' ? 'Rollback' : 'Promotion'} of version {r.version} to {stageWords(r.targetStage)}
        </Link>{' '}
        requested by {r.requestedBy.displayName}
      </span>
      <PromotionStatusBadge status={r.status} />
      <span className="muted">
        {r.signatures.length} of {r.requiredSignatures} signatures
        {r.decidedAt ? (
          <>
            , decided <DateText value={r.decidedAt} withTime absolute />
          </>
        ) : null}
      </span>
    </>
  );
}

function Policies({
  project,
  modelName,
  policies,
  onSaved,
}: {
  project: { id: string; myPermissions: readonly string[] };
  modelName: string;
  policies: readonly Policy[];
  onSaved: () => void;
}) {
  const [editing, setEditing] = useState<PromotionTarget | null>(null);
  const canEdit = project.myPermissions.includes('project.update');
  return (
    <section className="panel" aria-labelledby="promotion-policies-title">
      <div className="panel-header">
        <h2 id="promotion-policies-title">Promotion policies</h2>
      </div>
      <div className="table-wrap">
        <table className="table">
          <caption className="sr-only">Gates and signatures per stage</caption>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Signatures</th>
              <th scope="col">Evaluation gate</th>
              <th scope="col">Model card</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {policies.map((p) => (
              <tr key={p.stage}>
                <td>
                  {stageWords(p.stage)} {p.configured ? null : <span className="muted">(default)</span>}
                </td>
                <td>
                  {p.requiredSignatures} of {p.requiredRoles.map(roleWords).join(', ')}
                </td>
                <td>
                  {p.testDatasetVersionId ? (
                    <>
                      <Link to={`/dataset-versions/${encodeURIComponent(p.testDatasetVersionId)}`}>sealed test set</Link>;{' '}
                      {p.acceptance.map((c) => `${c.metric} ${c.op === '>=' ? '≥' : '≤'} ${c.threshold}`).join(', ') || 'no criteria'}
                    </>
                  ) : (
                    <span className="muted">none</span>
                  )}
                </td>
                <td>{p.requireCard ? 'must be complete' : 'not required'}</td>
                <td>
                  {canEdit ? (
                    <button
                      type="button"
                      className="btn btn-quiet"
                      onClick={() => setEditing(p.stage)}
                      aria-label={`Edit the ${stageWords(p.stage)} policy`}
                    >
                      Edit
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing ? (
        <PolicyForm
          key={editing}
          projectId={project.id}
          modelName={modelName}
          policy={policies.find((p) => p.stage === editing)!}
          onDone={(saved) => {
            setEditing(null);
            if (saved) onSaved();
          }}
        />
      ) : null}
    </section>
  );
}

type CriterionRow = { metric: string; op: string; threshold: string };

function PolicyForm({
  projectId,
  modelName,
  policy,
  onDone,
}: {
  projectId: string;
  modelName: string;
  policy: Policy;
  onDone: (saved: boolean) => void;
}) {
  const [roles, setRoles] = useState<ProjectRole[]>(policy.requiredRoles.map((r) => r.toUpperCase() as ProjectRole));
  const [count, setCount] = useState(String(policy.requiredSignatures));
  const [datasetVersionId, setDatasetVersionId] = useState(policy.testDatasetVersionId ?? '');
  const [criteria, setCriteria] = useState<CriterionRow[]>(
    policy.acceptance.map((c) => ({ metric: c.metric, op: c.op, threshold: String(c.threshold) })),
  );
  const [requireCard, setRequireCard] = useState(policy.requireCard);
  const [localError, setLocalError] = useState<string | null>(null);
  const [save, { loading, error, reset }] = useMutation(SetPromotionPolicyMutation);
  const setRow = (i: number, patch: Partial<CriterionRow>) => setCriteria((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  async function submit(event: FormEvent) {
    event.preventDefault();
    reset();
    const n = Number(count);
    const thresholds = criteria.map((c) => Number(c.threshold));
    const problem =
      !Number.isInteger(n) || n < 1
        ? 'The number of signatures must be a whole number of at least 1.'
        : criteria.some((c, i) => !c.metric.trim() || c.threshold.trim() === '' || !Number.isFinite(thresholds[i]))
          ? 'Every acceptance criterion needs a metric and a numeric threshold.'
          : null;
    setLocalError(problem);
    if (problem) return;
    try {
      await save({
        variables: {
          input: {
            projectId,
            modelName,
            stage: policy.stage,
            requiredRoles: roles.map((r) => r.toLowerCase()),
            requiredSignatures: n,
            testDatasetVersionId: datasetVersionId.trim() || null,
            acceptance: criteria.map((c, i) => ({ metric: c.metric.trim(), op: c.op, threshold: thresholds[i]! })),
            requireCard,
          },
        },
      });
      onDone(true);
    } catch {
      // Shown from the mutation state.
    }
  }

  return (
    <form className="form form-wide subform" onSubmit={submit} aria-label={`Edit the ${stageWords(policy.stage)} policy`} noValidate>
      <RolePicker legend="Roles that sign (each once)" value={roles} onChange={setRoles} allowed={['PI', 'CLINICAL_APPROVER', 'QA']} />
      <TextField label="Signatures required" required inputMode="numeric" value={count} onChange={(e) => setCount(e.target.value)} />
      <TextField
        label="Test dataset version ID"
        value={datasetVersionId}
        onChange={(e) => setDatasetVersionId(e.target.value)}
        hint="A sealed dataset version the worker evaluates the version on; clinical use needs one."
        className="mono"
        spellCheck={false}
        autoComplete="off"
      />
      <fieldset className="role-picker">
        <legend>Acceptance criteria</legend>
        {criteria.map((c, i) => (
          <div key={i} className="promotion-criterion">
            <TextField label={`Metric ${i + 1}`} required value={c.metric} onChange={(e) => setRow(i, { metric: e.target.value })} />
            <SelectField label={`Comparison ${i + 1}`} value={c.op} onChange={(e) => setRow(i, { op: e.target.value })}>
              <option value=">=">at least (≥)</option>
              <option value="<=">at most (≤)</option>
            </SelectField>
            <TextField
              label={`Threshold ${i + 1}`}
              required
              inputMode="decimal"
              value={c.threshold}
              onChange={(e) => setRow(i, { threshold: e.target.value })}
            />
            <button type="button" className="btn btn-quiet" onClick={() => setCriteria((rows) => rows.filter((_, j) => j !== i))}>
              Remove criterion {i + 1}
            </button>
          </div>
        ))}
        <div>
          <button type="button" className="btn" onClick={() => setCriteria((rows) => [...rows, { metric: '', op: '>=', threshold: '' }])}>
            Add a criterion
          </button>
        </div>
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={requireCard} onChange={(e) => setRequireCard(e.target.checked)} />
        <span>
          <span className="check-label">Model card must be complete</span>
        </span>
      </label>
      {localError ? <p className="field-error">{localError}</p> : null}
      <MutationError error={error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={loading}>
          {loading ? 'Saving…' : 'Save the policy'}
        </button>
        <button type="button" className="btn" onClick={() => onDone(false)} disabled={loading}>
          Cancel
        </button>
      </div>
    </form>
  );
}
