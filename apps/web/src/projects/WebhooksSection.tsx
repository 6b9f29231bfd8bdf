/**
 * A project's webhooks on registry events (issue 14, item 5), for those who may change the project
 * (PIs, admins): the list with an on/off switch, creation (the signing secret is shown here once,
 * with a copy button), deletion, and each webhook's delivery log with redelivery.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import type { WebhookDeliveriesQuery as DeliveriesResult, WebhookEventType } from '../gql/graphql';
import { CopyButton } from '../ui/CopyButton';
import { Dialog } from '../ui/Dialog';
import { EmptyState, ErrorState, Loading, MutationError, Notice } from '../ui/feedback';
import { TextField } from '../ui/Field';
import { DateText } from '../ui/time';
import type { ProjectDetails } from './ProjectPage';
import './webhooks.css';
import {
  CreateWebhookMutation,
  DeleteWebhookMutation,
  RedeliverWebhookMutation,
  UpdateWebhookMutation,
  WebhookDeliveriesQuery,
  WebhooksQuery,
} from './webhooks.operations';

const EVENT_INFO: { type: WebhookEventType; label: string; hint: string }[] = [
  { type: 'MODEL_VERSION_REGISTERED', label: 'Version registered', hint: 'model_version.registered' },
  { type: 'PROMOTION_REQUESTED', label: 'Promotion requested', hint: 'promotion.requested' },
  { type: 'PROMOTION_SIGNED', label: 'Promotion signed', hint: 'promotion.signed (each signature)' },
  { type: 'PROMOTION_APPROVED', label: 'Promotion approved', hint: 'promotion.approved' },
  { type: 'PROMOTION_REJECTED', label: 'Promotion rejected', hint: 'promotion.rejected' },
  { type: 'DEPLOYMENT_CHANGED', label: 'Deployment changed', hint: 'deployment.changed (activated or ended)' },
];
const eventLabel = (t: WebhookEventType) => EVENT_INFO.find((e) => e.type === t)?.label ?? t;

type Delivery = DeliveriesResult['webhookDeliveries']['edges'][number]['node'];

export function WebhooksSection({ project }: { project: ProjectDetails }) {
  const { data, error, loading, refetch } = useQuery(WebhooksQuery, { variables: { projectId: project.id } });
  const [created, setCreated] = useState<{ secret: string; url: string } | null>(null);
  const [deleting, setDeleting] = useState<{ id: string; url: string } | null>(null);
  const [logOf, setLogOf] = useState<{ id: string; url: string } | null>(null);
  const [toggle, toggled] = useMutation(UpdateWebhookMutation);

  return (
    <section className="panel" aria-labelledby="webhooks-title">
      <div className="panel-header">
        <h2 id="webhooks-title">Webhooks</h2>
      </div>
      <p className="muted">
        Caliper POSTs a signed JSON event to each webhook when a model version is registered, a promotion is requested, signed, approved or
        rejected, or a deployment changes. Failed deliveries are retried with growing delays; the delivery log shows every attempt.
      </p>
      {created ? <CreatedWebhookPanel secret={created.secret} url={created.url} onDone={() => setCreated(null)} /> : null}
      {!data ? (
        error ? (
          <ErrorState title="The webhooks could not be loaded" error={error} onRetry={() => void refetch()} />
        ) : loading ? (
          <Loading label="Loading webhooks" />
        ) : null
      ) : data.webhooks.length === 0 ? (
        <EmptyState title="No webhooks">
          <p>Add one below to tell another system about registry events.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Webhooks of {project.name}</caption>
            <thead>
              <tr>
                <th scope="col">Receiver</th>
                <th scope="col">Events</th>
                <th scope="col">Created</th>
                <th scope="col">Active</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.webhooks.map((w) => (
                <tr key={w.id}>
                  <td className="mono">{w.url}</td>
                  <td>{w.events.map(eventLabel).join(', ')}</td>
                  <td>
                    <DateText value={w.createdAt} />
                  </td>
                  <td>
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={w.active}
                        disabled={toggled.loading}
                        onChange={(e) =>
                          // The switch shows what the server stored: it moves when the answer comes (a refusal is shown below).
                          void toggle({ variables: { input: { id: w.id, active: e.target.checked } } }).catch(() => undefined)
                        }
                        aria-label={`Webhook ${w.url} active`}
                      />
                      <span className="check-label">{w.active ? 'On' : 'Off'}</span>
                    </label>
                  </td>
                  <td className="row-actions">
                    <button type="button" className="btn btn-small" onClick={() => setLogOf({ id: w.id, url: w.url })}>
                      Delivery log
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-danger-quiet"
                      onClick={() => setDeleting({ id: w.id, url: w.url })}
                      aria-label={`Delete webhook ${w.url}`}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MutationError error={toggled.error} />
      <CreateWebhookForm projectId={project.id} onCreated={setCreated} />
      <DeleteWebhookDialog webhook={deleting} projectId={project.id} onClose={() => setDeleting(null)} />
      <Dialog title={logOf ? `Deliveries to ${logOf.url}` : 'Deliveries'} open={logOf !== null} onClose={() => setLogOf(null)}>
        {logOf ? <DeliveryLog webhookId={logOf.id} /> : null}
        <div className="form-actions">
          <button type="button" className="btn btn-quiet" onClick={() => setLogOf(null)}>
            Close
          </button>
        </div>
      </Dialog>
    </section>
  );
}

function CreatedWebhookPanel({ secret, url, onDone }: { secret: string; url: string; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.scrollIntoView({ block: 'center' });
    heading.current?.focus();
  }, [secret]);
  return (
    <div className="token-reveal" role="region" aria-labelledby="webhook-secret-title">
      <h3 id="webhook-secret-title" ref={heading} tabIndex={-1}>
        Copy the signing secret for {url} now
      </h3>
      <Notice kind="warning">
        <p>
          This is the only time Caliper shows this secret. The receiver needs it to check X-Caliper-Signature (HMAC-SHA256 of the timestamp,
          a dot and the body; see docs/webhooks.md). If it is lost, create a new webhook and delete this one.
        </p>
      </Notice>
      <div className="token-value">
        <label htmlFor="new-webhook-secret" className="sr-only">
          Signing secret
        </label>
        <input id="new-webhook-secret" className="mono" readOnly value={secret} onFocus={(e) => e.target.select()} />
        <CopyButton text={secret} label="Copy secret" />
      </div>
      <button type="button" className="btn" onClick={onDone}>
        I have stored the secret
      </button>
    </div>
  );
}

function CreateWebhookForm({ projectId, onCreated }: { projectId: string; onCreated: (c: { secret: string; url: string }) => void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>(EVENT_INFO.map((e) => e.type));
  const [eventsError, setEventsError] = useState<string | null>(null);
  const [create, { loading, error }] = useMutation(CreateWebhookMutation, {
    refetchQueries: [{ query: WebhooksQuery, variables: { projectId } }],
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (events.length === 0) {
      setEventsError('Pick at least one event.');
      return;
    }
    setEventsError(null);
    try {
      const result = await create({ variables: { input: { projectId, url: url.trim(), events } } });
      if (result.data) {
        onCreated({ secret: result.data.createWebhook.secret, url: result.data.createWebhook.webhook.url });
        setUrl('');
      }
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <form className="form subform" onSubmit={submit} aria-labelledby="create-webhook-title">
      <h3 id="create-webhook-title">Add a webhook</h3>
      <TextField
        label="Receiver URL"
        required
        type="url"
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        hint="http or https, without a user name or password, e.g. https://hooks.example.org/caliper."
        maxLength={2048}
      />
      <fieldset className="role-picker" aria-describedby={eventsError ? 'webhook-events-error' : undefined}>
        <legend>Events</legend>
        {EVENT_INFO.map((e) => (
          <label key={e.type} className="check">
            <input
              type="checkbox"
              checked={events.includes(e.type)}
              onChange={(ev) => setEvents(ev.target.checked ? [...events, e.type] : events.filter((x) => x !== e.type))}
            />
            <span>
              <span className="check-label">{e.label}</span>
              <span className="check-hint mono">{e.hint}</span>
            </span>
          </label>
        ))}
        {eventsError ? (
          <p className="field-error" id="webhook-events-error">
            {eventsError}
          </p>
        ) : null}
      </fieldset>
      <MutationError error={error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={loading}>
          {loading ? 'Adding…' : 'Add webhook'}
        </button>
      </div>
    </form>
  );
}

function DeleteWebhookDialog({
  webhook,
  projectId,
  onClose,
}: {
  webhook: { id: string; url: string } | null;
  projectId: string;
  onClose: () => void;
}) {
  const [remove, { loading, error, reset }] = useMutation(DeleteWebhookMutation, {
    refetchQueries: [{ query: WebhooksQuery, variables: { projectId } }],
  });
  function close() {
    reset();
    onClose();
  }
  async function confirm() {
    if (!webhook) return;
    try {
      await remove({ variables: { id: webhook.id } });
      close();
    } catch {
      // Rendered from the mutation state.
    }
  }
  return (
    <Dialog title="Delete webhook" open={webhook !== null} onClose={close}>
      {webhook ? (
        <>
          <p>
            Delete the webhook to <strong className="mono">{webhook.url}</strong> and its delivery log? Deliveries still waiting are not
            sent. To pause it instead, switch it off.
          </p>
          <MutationError error={error} />
          <div className="form-actions">
            <button type="button" className="btn btn-danger" onClick={confirm} disabled={loading}>
              {loading ? 'Deleting…' : 'Delete webhook'}
            </button>
            <button type="button" className="btn btn-quiet" onClick={close}>
              Cancel
            </button>
          </div>
        </>
      ) : null}
    </Dialog>
  );
}

const STATUS_TEXT: Record<Delivery['status'], string> = { PENDING: 'Pending', DELIVERED: 'Delivered', FAILED: 'Failed' };
const STATUS_BADGE: Record<Delivery['status'], string> = { PENDING: 'badge-neutral', DELIVERED: 'badge-ok', FAILED: 'badge-failed' };

function DeliveryLog({ webhookId }: { webhookId: string }) {
  // Cursors of the pages before this one (newest first), so 'Newer' goes back without a cache merge policy.
  const [pages, setPages] = useState<(string | null)[]>([]);
  const [after, setAfter] = useState<string | null>(null);
  const { data, error, loading, refetch } = useQuery(WebhookDeliveriesQuery, { variables: { webhookId, after } });
  const [redeliver, redelivered] = useMutation(RedeliverWebhookMutation);
  if (!data) {
    if (error) return <ErrorState title="The delivery log could not be loaded" error={error} onRetry={() => void refetch()} />;
    return loading ? <Loading label="Loading deliveries" /> : null;
  }
  const { edges, pageInfo } = data.webhookDeliveries;
  if (edges.length === 0) return <EmptyState title="No deliveries yet" />;
  return (
    <>
      <button type="button" className="btn btn-small" onClick={() => void refetch()}>
        Refresh
      </button>
      <MutationError error={redelivered.error} />
      <ul className="webhook-deliveries">
        {edges.map(({ node: d }) => (
          <li key={d.id}>
            <div>
              <span className={`badge ${STATUS_BADGE[d.status]}`}>{STATUS_TEXT[d.status]}</span> <strong>{eventLabel(d.eventType)}</strong>{' '}
              <DateText value={d.createdAt} withTime /> <span className="muted small mono">event {d.eventId}</span>
            </div>
            <div className="small">
              {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
              {d.status === 'PENDING' && d.nextAttemptAt ? (
                <>
                  , next <DateText value={d.nextAttemptAt} withTime />
                </>
              ) : null}
              {d.status !== 'PENDING' ? (
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={redelivered.loading}
                  onClick={() =>
                    void redeliver({ variables: { deliveryId: d.id } })
                      .then(() => refetch())
                      .catch(() => undefined)
                  }
                >
                  Redeliver
                </button>
              ) : null}
            </div>
            {d.attemptLog.length ? (
              <ol className="small">
                {d.attemptLog.map((a) => (
                  <li key={a.attempt}>
                    <DateText value={a.attemptedAt} withTime />: {a.statusCode ? `HTTP ${a.statusCode}` : 'no answer'} in {a.durationMs} ms
                    {a.error ? <span className="muted"> ({a.error})</span> : null}
                  </li>
                ))}
              </ol>
            ) : null}
          </li>
        ))}
      </ul>
      <div className="form-actions">
        {pages.length ? (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              setAfter(pages[pages.length - 1] ?? null);
              setPages(pages.slice(0, -1));
            }}
          >
            Newer deliveries
          </button>
        ) : null}
        {pageInfo.hasNextPage ? (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              setPages([...pages, after]);
              setAfter(pageInfo.endCursor ?? null);
            }}
          >
            Older deliveries
          </button>
        ) : null}
      </div>
    </>
  );
}
