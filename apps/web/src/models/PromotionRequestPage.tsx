/**
 * A promotion request (issue 14): which version goes from which stage to which, why and by whom;
 * its status in plain words; every gate with its evidence (ONNX validation, model card, the
 * evaluation's metrics against the acceptance criteria, item count, the test set's manifest and
 * the model's sha256); the roles required and those still missing; every signature with the hash
 * it binds. Those who may sign get the signing dialog, the others are told why they may not; the
 * requester or a PI may cancel an undecided request. Polls while the worker evaluates or deploys.
 */
import './promotion.css';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import { useSession } from '../app/session';
import { useLivePoll } from '../app/use-live-poll';
import type { PromotionRequestQuery as PromotionRequestResult } from '../gql/graphql';
import { ProjectsQuery } from '../projects/projects.operations';
import { Dialog } from '../ui/Dialog';
import { EmptyState, MutationError, Notice } from '../ui/feedback';
import { TextAreaField } from '../ui/Field';
import { LiveIndicator } from '../ui/LiveIndicator';
import { PageHeader } from '../ui/PageHeader';
import { PageLoadState } from '../ui/PageLoadState';
import { DateText } from '../ui/time';
import { CancelPromotionMutation, PromotionRequestQuery } from './promotion.operations';
import { GATE_WORDS, isUndecided, roleWords, stageWords, STATUS_WORDS } from './promotion-words';
import { PromotionSignatureList, PromotionStatusBadge, ShortHash } from './PromotionParts';
import { SignPromotionDialog } from './SignPromotionDialog';

type Request = PromotionRequestResult['promotionRequest'];
type Evaluation = NonNullable<Request['evaluation']>;

export function PromotionRequestPage() {
  const { slug = '', name = '', id = '' } = useParams();
  const session = useSession();
  const projects = useQuery(ProjectsQuery);
  const { data, error, loading, refetch } = useQuery(PromotionRequestQuery, { variables: { id } });
  const [signing, setSigning] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [signed, setSigned] = useState(false);
  const request = data?.promotionRequest;
  const live = useLivePoll(request?.status === 'EVALUATING' || request?.status === 'APPROVED', async () => {
    const before = request ? `${request.status}:${request.gates.map((g) => g.status).join()}` : '';
    const { data: fresh } = await refetch();
    const r = fresh?.promotionRequest;
    return !!r && `${r.status}:${r.gates.map((g) => g.status).join()}` !== before;
  });
  const modelPath = `/models/${encodeURIComponent(slug)}/${encodeURIComponent(name)}`;

  if (!request) {
    return (
      <PageLoadState
        what="promotion request"
        error={error}
        loading={loading}
        onRetry={() => void refetch()}
        missing="There is no such promotion request you can read."
        back={{ to: modelPath, label: `go back to ${name || 'the model'}` }}
        notFoundCodes={['NOT_FOUND', 'FORBIDDEN', 'BAD_USER_INPUT']}
      />
    );
  }

  const project = projects.data?.projects.find((p) => p.id === request.projectId) ?? null;
  const myRoles = (project?.myRoles ?? []).map((r) => r.toLowerCase());
  const me = session.user;
  const isRequester = request.requestedBy.id === me.id;
  const alreadySigned = request.signatures.some((s) => s.username === me.username);
  const rolesICanSignAs = request.missingRoles.filter((r) => myRoles.includes(r));
  const whyNot = isRequester
    ? 'You requested this promotion, so you cannot sign it: separation of duties needs someone else.'
    : request.status !== 'AWAITING_SIGNATURES'
      ? `Only a request awaiting signatures can be signed; this one is ${STATUS_WORDS[request.status].label.toLowerCase()}.`
      : alreadySigned
        ? 'You have signed this request; each person signs once.'
        : !project?.myPermissions.includes('promotion.sign')
          ? 'Your roles in this project do not allow signing promotions.'
          : rolesICanSignAs.length === 0
            ? `None of your roles is still needed: the missing roles are ${request.missingRoles.map(roleWords).join(', ') || 'none'}.`
            : null;
  const canCancel = isUndecided(request.status) && (isRequester || myRoles.includes('pi'));
  const title = `Promote version ${request.version} of ${request.modelName} to ${stageWords(request.targetStage)}`;

  return (
    <>
      <PageHeader
        title={title}
        description={
          <>
            {request.kind === 'rollback' ? 'Rollback' : 'Promotion'} request for <Link to={modelPath}>{request.modelName}</Link>, from{' '}
            {stageWords(request.fromStage)} to {stageWords(request.targetStage)}.
          </>
        }
        actions={
          <>
            {whyNot === null ? (
              <button type="button" className="btn btn-primary" onClick={() => setSigning(true)}>
                Sign…
              </button>
            ) : null}
            {canCancel ? (
              <button type="button" className="btn btn-danger-quiet" onClick={() => setCancelling(true)}>
                Cancel the request…
              </button>
            ) : null}
          </>
        }
      />
      {signed ? (
        <Notice kind="success">
          <p>Your signature was recorded.</p>
        </Notice>
      ) : null}
      <LiveIndicator
        live={live}
        what={
          request.status === 'EVALUATING' ? 'Updates while the worker evaluates the version.' : 'Updates while the version is deployed.'
        }
      />
      <section className="panel" aria-labelledby="promotion-summary-title">
        <div className="panel-header">
          <h2 id="promotion-summary-title">Request</h2>
        </div>
        <dl className="model-facts promotion-facts">
          <dt>Status</dt>
          <dd>
            <PromotionStatusBadge status={request.status} />
            <span>{STATUS_WORDS[request.status].explain}</span>
          </dd>
          {request.decisionReason ? (
            <>
              <dt>Decision</dt>
              <dd>
                {request.decisionReason}
                {request.decidedAt ? (
                  <span className="muted">
                    (<DateText value={request.decidedAt} withTime absolute />)
                  </span>
                ) : null}
              </dd>
            </>
          ) : null}
          <dt>Model</dt>
          <dd>
            <Link to={modelPath}>{request.modelName}</Link> version {request.version}
          </dd>
          <dt>Stage</dt>
          <dd>
            {stageWords(request.fromStage)} → {stageWords(request.targetStage)}
          </dd>
          <dt>Kind</dt>
          <dd>{request.kind === 'rollback' ? 'Rollback (re-activates a retired version)' : 'Promotion'}</dd>
          <dt>Reason</dt>
          <dd>{request.reason || <span className="muted">none given</span>}</dd>
          <dt>Requested by</dt>
          <dd>
            {request.requestedBy.displayName} <span className="muted">({request.requestedBy.username})</span>
            <DateText value={request.requestedAt} withTime absolute />
          </dd>
          {request.contentSha256 ? (
            <>
              <dt>Content sha256</dt>
              <dd>
                <ShortHash value={request.contentSha256} label="Copy" />
                <span className="muted">version files + evidence + model card; every signature binds it</span>
              </dd>
            </>
          ) : null}
        </dl>
      </section>
      <section className="panel" aria-labelledby="promotion-gates-title">
        <div className="panel-header">
          <h2 id="promotion-gates-title">Gates</h2>
        </div>
        {request.gates.length === 0 ? <p className="muted">This stage has no gates.</p> : null}
        <ul className="promotion-gates" aria-label="Gates">
          {request.gates.map((g) => (
            <li key={g.gate} className="promotion-gate">
              <GateStatus status={g.status} /> <strong>{GATE_WORDS[g.gate] ?? g.gate}</strong>
              {g.detail ? <span className="promotion-gate-detail">{g.detail}</span> : null}
            </li>
          ))}
        </ul>
        {request.evaluation ? <EvaluationEvidence evaluation={request.evaluation} /> : null}
      </section>
      <section className="panel" aria-labelledby="promotion-signatures-title">
        <div className="panel-header">
          <h2 id="promotion-signatures-title">Signatures</h2>
        </div>
        <p>
          {request.requiredSignatures} of {request.requiredRoles.map(roleWords).join(', ')} must sign, each role once.{' '}
          {request.missingRoles.length > 0 && isUndecided(request.status) ? (
            <span>
              Still missing: <strong>{request.missingRoles.map(roleWords).join(', ')}</strong>.
            </span>
          ) : null}
        </p>
        <PromotionSignatureList signatures={request.signatures} />
        {whyNot !== null && isUndecided(request.status) ? <p className="muted promotion-why-not">{whyNot}</p> : null}
      </section>
      {whyNot === null ? (
        <SignPromotionDialog
          open={signing}
          request={request}
          printedName={me.displayName}
          roles={rolesICanSignAs}
          onClose={() => setSigning(false)}
          onSigned={() => {
            setSigning(false);
            setSigned(true);
            void refetch();
          }}
        />
      ) : null}
      <CancelDialog open={cancelling} requestId={request.id} onClose={() => setCancelling(false)} onCancelled={() => void refetch()} />
    </>
  );
}

function GateStatus({ status }: { status: string }) {
  if (status === 'passed') return <span className="badge badge-ok">Passed</span>;
  if (status === 'failed') return <span className="badge badge-danger">Failed</span>;
  return <span className="badge badge-neutral">Pending</span>;
}

const formatValue = (v: number | null | undefined) => (v == null ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(4));

function EvaluationEvidence({ evaluation: e }: { evaluation: Evaluation }) {
  const metrics = e.metrics && typeof e.metrics === 'object' ? (e.metrics as Record<string, unknown>) : {};
  const judged = new Set(e.criteria.map((c) => c.metric));
  const others = Object.entries(metrics).filter(([k, v]) => !judged.has(k) && typeof v === 'number') as [string, number][];
  return (
    <div className="promotion-evaluation">
      <h3>Evaluation evidence</h3>
      <dl className="model-facts">
        <dt>Status</dt>
        <dd>{e.status}</dd>
        {e.reason ? (
          <>
            <dt>Reason</dt>
            <dd>{e.reason}</dd>
          </>
        ) : null}
        <dt>Test dataset version</dt>
        <dd>
          <Link to={`/dataset-versions/${encodeURIComponent(e.datasetVersionId)}`} className="mono">
            {e.datasetVersionId}
          </Link>
        </dd>
        <dt>Items evaluated</dt>
        <dd>{e.itemCount ?? '—'}</dd>
        {e.manifestSha256 ? (
          <>
            <dt>Dataset manifest sha256</dt>
            <dd>
              <ShortHash value={e.manifestSha256} label="Copy" />
            </dd>
          </>
        ) : null}
        {e.modelSha256 ? (
          <>
            <dt>Model sha256</dt>
            <dd>
              <ShortHash value={e.modelSha256} label="Copy" />
            </dd>
          </>
        ) : null}
        <dt>Ran</dt>
        <dd>
          <DateText value={e.startedAt} withTime absolute /> → <DateText value={e.finishedAt} withTime absolute />
        </dd>
      </dl>
      <div className="table-wrap">
        <table className="table">
          <caption className="sr-only">Metrics against the acceptance criteria</caption>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">Acceptance</th>
              <th scope="col" className="num">
                Value
              </th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {e.criteria.map((c) => (
              <tr key={`${c.metric}${c.op}${c.threshold}`}>
                <td className="mono">{c.metric}</td>
                <td className="mono">
                  {c.op === '>=' ? '≥' : '≤'} {c.threshold}
                </td>
                <td className="num mono">{formatValue(c.value)}</td>
                <td>
                  {c.value == null ? (
                    <span className="badge badge-neutral">Pending</span>
                  ) : (
                    <GateStatus status={c.passed ? 'passed' : 'failed'} />
                  )}
                </td>
              </tr>
            ))}
            {others.map(([metric, value]) => (
              <tr key={metric}>
                <td className="mono">{metric}</td>
                <td className="muted">no criterion</td>
                <td className="num mono">{formatValue(value)}</td>
                <td />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {e.criteria.length === 0 && others.length === 0 ? <EmptyState title="No metrics yet." /> : null}
    </div>
  );
}

function CancelDialog({
  open,
  requestId,
  onClose,
  onCancelled,
}: {
  open: boolean;
  requestId: string;
  onClose: () => void;
  onCancelled: () => void;
}) {
  const [reason, setReason] = useState('');
  const [cancel, { loading, error, reset }] = useMutation(CancelPromotionMutation);
  async function submit(event: FormEvent) {
    event.preventDefault();
    reset();
    try {
      await cancel({ variables: { input: { requestId, reason: reason.trim() } } });
      onClose();
      onCancelled();
    } catch {
      // Shown from the mutation state.
    }
  }
  return (
    <Dialog title="Cancel the promotion request" open={open} onClose={onClose}>
      <form className="form" onSubmit={submit} aria-label="Cancel the promotion request" noValidate>
        <TextAreaField label="Reason" required value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} rows={2} />
        <MutationError error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-danger" disabled={loading || !reason.trim()}>
            {loading ? 'Cancelling…' : 'Cancel the request'}
          </button>
          <button type="button" className="btn" onClick={onClose} disabled={loading}>
            Keep it
          </button>
        </div>
      </form>
    </Dialog>
  );
}
