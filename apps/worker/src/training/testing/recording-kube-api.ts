/**
 * A recording HTTP server on 127.0.0.1 that speaks the few Kubernetes API paths the Kubernetes
 * executor calls, over a tiny in-memory state the test drives: Jobs, Secrets, each Job's one pod
 * (created Pending with the Job; the test moves it on) and the pods' logs. It records every
 * request (method, path, query, Authorization header, body) and answers as the API server does:
 * 201 with the stored object (uid and creationTimestamp filled in), 409 AlreadyExists, 404
 * NotFound as a `Status`, a foreground DELETE that marks the Job (deletionTimestamp) and forgets
 * it, with its pod, after `deleteAfterMs`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

type Obj = {
  metadata: { name: string; namespace?: string; uid?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

export class RecordingKubeApi {
  readonly requests: RecordedRequest[] = [];
  readonly jobs = new Map<string, Obj>();
  readonly secrets = new Map<string, Obj>();
  readonly pods = new Map<string, Obj>();
  readonly logs = new Map<string, string>();
  /** How long a Job being deleted in the foreground stays visible (its pods terminating). */
  deleteAfterMs = 300;
  private server?: Server;

  constructor(readonly namespace: string) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** The pod of a Job (named `<job>-abcde`, labelled `job-name`), as the Job controller made it. */
  podOf(jobName: string): Obj | undefined {
    return [...this.pods.values()].find((p) => p.metadata.labels?.['job-name'] === jobName);
  }

  /** Moves a Job's pod on: its new `status`, and the Job's with it (active/succeeded/failed, conditions). */
  setPod(jobName: string, status: Record<string, unknown>, jobStatus?: Record<string, unknown>): void {
    const pod = this.podOf(jobName);
    if (!pod) throw new Error(`no pod for Job ${jobName}`);
    pod.status = status;
    if (jobStatus) this.jobs.get(jobName)!.status = jobStatus;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* not JSON */
    }
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    });
    const send = (code: number, payload: unknown, type = 'application/json') => {
      res.writeHead(code, { 'content-type': type });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    const status = (code: number, reason: string, message: string) =>
      send(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
    const ns = this.namespace;
    const m = (re: RegExp) => re.exec(url.pathname);
    let match: RegExpExecArray | null;

    if (req.method === 'POST' && url.pathname === `/apis/batch/v1/namespaces/${ns}/jobs`) {
      const job = body as Obj;
      const name = job.metadata.name;
      if (this.jobs.has(name)) return status(409, 'AlreadyExists', `jobs.batch "${name}" already exists`);
      const stored = this.store(job);
      stored.status = {};
      this.jobs.set(name, stored);
      const podName = `${name}-${Math.random().toString(36).slice(2, 7)}`;
      this.pods.set(podName, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace: ns,
          uid: randomUUID(),
          creationTimestamp: new Date().toISOString(),
          labels: { 'job-name': name },
        },
        spec: { containers: [{ name: 'run', image: 'x' }] },
        status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'waiting' }] },
      });
      return send(201, stored);
    }
    if ((match = m(new RegExp(`^/apis/batch/v1/namespaces/${ns}/jobs/([^/]+)$`)))) {
      const name = decodeURIComponent(match[1]!);
      const job = this.jobs.get(name);
      if (!job) return status(404, 'NotFound', `jobs.batch "${name}" not found`);
      if (req.method === 'GET') return send(200, job);
      if (req.method === 'DELETE') {
        job.metadata.deletionTimestamp = new Date().toISOString();
        setTimeout(() => {
          this.jobs.delete(name);
          for (const [podName, pod] of this.pods) if (pod.metadata.labels?.['job-name'] === name) this.pods.delete(podName);
          // The garbage collector deletes what the Job owned.
          for (const [secretName, secret] of this.secrets) {
            const owners = (secret.metadata.ownerReferences as { uid: string }[] | undefined) ?? [];
            if (owners.some((o) => o.uid === job.metadata.uid)) this.secrets.delete(secretName);
          }
        }, this.deleteAfterMs);
        return send(200, job);
      }
    }
    if (req.method === 'POST' && url.pathname === `/api/v1/namespaces/${ns}/secrets`) {
      const secret = body as Obj;
      if (this.secrets.has(secret.metadata.name)) return status(409, 'AlreadyExists', `secrets "${secret.metadata.name}" already exists`);
      const stored = this.store(secret);
      this.secrets.set(secret.metadata.name, stored);
      return send(201, stored);
    }
    if (req.method === 'GET' && url.pathname === `/api/v1/namespaces/${ns}/pods`) {
      const [key, value] = (url.searchParams.get('labelSelector') ?? '').split('=');
      const items = [...this.pods.values()].filter((p) => key && p.metadata.labels?.[key] === value);
      return send(200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items });
    }
    if (req.method === 'GET' && (match = m(new RegExp(`^/api/v1/namespaces/${ns}/pods/([^/]+)/log$`)))) {
      const name = decodeURIComponent(match[1]!);
      if (!this.pods.has(name)) return status(404, 'NotFound', `pods "${name}" not found`);
      const limitBytes = url.searchParams.get('limitBytes');
      // As the kubelet: the log's first limitBytes bytes, cut wherever that falls.
      if (limitBytes !== null)
        return send(
          200,
          Buffer.from(this.logs.get(name) ?? '')
            .subarray(0, Number(limitBytes))
            .toString(),
          'text/plain',
        );
      const lines = (this.logs.get(name) ?? '').replace(/\n$/, '').split('\n');
      const tail = Number(url.searchParams.get('tailLines') ?? lines.length);
      return send(200, `${lines.slice(-tail).join('\n')}\n`, 'text/plain');
    }
    return status(404, 'NotFound', `the recording server does not speak ${req.method} ${url.pathname}`);
  }

  private store(obj: Obj): Obj {
    const copy = JSON.parse(JSON.stringify(obj)) as Obj;
    copy.metadata = { ...copy.metadata, namespace: this.namespace, uid: randomUUID(), creationTimestamp: new Date().toISOString() };
    return copy;
  }
}
