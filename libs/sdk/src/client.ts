/**
 * CaliperClient: the TypeScript entry point to Caliper's native API for scripts, the CLI, tests
 * and benchmarks. `startRun` creates a run and returns a RunLogger; `runs` reads and searches.
 */
import { randomUUID } from 'node:crypto';
import { CaliperApiError } from './errors';
import { Credentials, HttpTransport, TransportOptions } from './http';
import { RunLogger, RunLoggerOptions, uploadArtifact, ProgressListener } from './run-logger';
import { ArtifactEntry, ArtifactInfo, GitInfo, KeyValue, MetricPoint, Run, RunSearchPage, RunStatusUpdate } from './types';

export interface CaliperClientOptions extends Omit<TransportOptions, 'credentials'> {
  /** An API token `clp_<id>_<secret>`. */
  token?: string;
  username?: string;
  password?: string;
}

export interface StartRunOptions {
  project: string;
  experiment?: string;
  name?: string;
  params?: Record<string, string | number | boolean>;
  tags?: Record<string, string>;
  git?: GitInfo;
  imageDigest?: string;
  logger?: RunLoggerOptions;
}

export interface SearchOptions {
  filter?: string;
  /** MLflow order_by clauses, e.g. `metrics.loss ASC`; each one a clause. */
  orderBy?: string | string[];
  experiment?: string;
  maxResults?: number;
  pageToken?: string;
}

const toKeyValues = (o: Record<string, unknown> = {}): KeyValue[] =>
  Object.entries(o).map(([key, value]) => ({ key, value: String(value) }));
const runPath = (runId: string) => `/api/v1/runs/${encodeURIComponent(runId)}`;

export class CaliperClient {
  readonly http: HttpTransport;
  readonly runs: RunsApi;

  constructor(options: CaliperClientOptions) {
    const { token, username, password, ...transport } = options;
    let credentials: Credentials | undefined;
    if (token) credentials = { token };
    else if (username !== undefined && password !== undefined) credentials = { username, password };
    this.http = new HttpTransport({ ...transport, credentials });
    this.runs = new RunsApi(this.http);
  }

  /** Who the credentials belong to; a cheap way to check them. */
  async whoAmI(): Promise<{ id: string; username: string; displayName: string }> {
    const body = await this.http.json<{ user: { id: string; username: string; displayName: string } }>('GET', '/api/v1/auth/me', {
      what: 'checking the credentials',
    });
    return body.user;
  }

  /** A GraphQL call (the web app's API), for what the native API does not cover, e.g. issuing tokens. */
  async graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const body = await this.http.json<{ data?: T; errors?: { message: string; extensions?: { code?: string } }[] }>('POST', '/graphql', {
      json: { query, variables },
      idempotent: false,
      what: 'GraphQL request',
    });
    const first = body.errors?.[0];
    if (first) throw new CaliperApiError(first.extensions?.code ?? 'GRAPHQL_ERROR', first.message, 200);
    return body.data as T;
  }

  /** Issues an API token for a project (needs a signed-in user, not a token; roles as in the web UI, e.g. researcher); returns the secret once. */
  async createApiToken(project: string, opts: { name: string; roles: string[]; expiresInDays?: number; runId?: string }): Promise<string> {
    const { project: p } = await this.graphql<{ project: { id: string } }>(`query($slug: String!) { project(slug: $slug) { id } }`, {
      slug: project,
    });
    const created = await this.graphql<{ createApiToken: { token: string } }>(
      `mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }`,
      {
        i: {
          projectId: p.id,
          name: opts.name,
          roles: opts.roles.map((r) => r.toUpperCase()),
          expiresInDays: opts.expiresInDays ?? null,
          runId: opts.runId ?? null,
        },
      },
    );
    return created.createApiToken.token;
  }

  /** Creates a run (status running) with its params and tags and returns its logger. */
  async startRun(opts: StartRunOptions): Promise<RunLogger> {
    const run = await this.runs.create(opts);
    return new RunLogger(this.http, run, opts.logger);
  }

  /** A logger for a run that already exists (e.g. created by the CLI or a launcher). */
  async resumeRun(runId: string, options?: RunLoggerOptions): Promise<RunLogger> {
    return new RunLogger(this.http, await this.runs.get(runId), options);
  }
}

export class RunsApi {
  constructor(private readonly http: HttpTransport) {}

  async create(opts: Omit<StartRunOptions, 'logger'>): Promise<Run> {
    const body = {
      experiment: opts.experiment,
      name: opts.name,
      params: toKeyValues(opts.params),
      tags: toKeyValues(opts.tags),
      gitCommit: opts.git?.commit,
      gitRepo: opts.git?.repo,
      imageDigest: opts.imageDigest,
    };
    // One key for every attempt: the server answers a repeat with the run the first attempt
    // created, so a retry after a lost response never creates a second run.
    const res = await this.http.json<{ run: Run }>('POST', `/api/v1/projects/${encodeURIComponent(opts.project)}/runs`, {
      json: body,
      headers: { 'idempotency-key': randomUUID() },
      idempotent: true,
      what: `creating a run in project ${opts.project}`,
    });
    return res.run;
  }

  async get(runId: string): Promise<Run> {
    return (await this.http.json<{ run: Run }>('GET', runPath(runId), { what: `reading run ${runId}` })).run;
  }

  async update(runId: string, changes: { status?: RunStatusUpdate; endTime?: number; name?: string }): Promise<Run> {
    return (await this.http.json<{ run: Run }>('PATCH', runPath(runId), { json: changes, what: `updating run ${runId}` })).run;
  }

  /** One page of runs matching an MLflow filter (e.g. `metrics.loss < 0.2 and params.lr = '0.01'`). */
  async search(project: string, opts: SearchOptions = {}): Promise<RunSearchPage> {
    const res = await this.http.json<{ runs?: Run[]; nextPageToken?: string | null }>(
      'GET',
      `/api/v1/projects/${encodeURIComponent(project)}/runs`,
      {
        query: {
          experiment: opts.experiment,
          filter: opts.filter,
          orderBy: opts.orderBy,
          maxResults: opts.maxResults,
          pageToken: opts.pageToken,
        },
        what: `searching runs of project ${project}`,
      },
    );
    return { runs: res.runs ?? [], nextPageToken: res.nextPageToken || null };
  }

  /** Every matching run, page by page. */
  async *searchAll(project: string, opts: Omit<SearchOptions, 'pageToken'> = {}): AsyncGenerator<Run> {
    let pageToken: string | undefined;
    do {
      const page = await this.search(project, { ...opts, pageToken });
      yield* page.runs;
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
  }

  /** A metric's full history, read page by page in (step, timestamp) order. */
  async metricHistory(runId: string, key: string, opts: { pageSize?: number } = {}): Promise<MetricPoint[]> {
    const points: MetricPoint[] = [];
    let after: string | undefined;
    for (;;) {
      // Parallel lists: a third of the bytes of point objects, and far quicker to parse.
      const page = await this.http.json<{ steps: number[]; timestamps: number[]; values: (number | string)[]; next: string | null }>(
        'GET',
        `${runPath(runId)}/metrics/${encodeURIComponent(key)}/history`,
        { query: { after, limit: opts.pageSize, format: 'columns' }, what: `reading the history of ${key} in run ${runId}` },
      );
      page.steps.forEach((step, i) => {
        const timestamp = page.timestamps[i];
        const value = page.values[i];
        if (timestamp === undefined || value === undefined)
          throw new CaliperApiError(
            'BAD_RESPONSE',
            `reading the history of ${key} in run ${runId}: the server's step, timestamp and value lists differ in length`,
            200,
          );
        points.push({ key, step, timestamp, value: Number(value) });
      });
      if (!page.next) return points;
      after = page.next;
    }
  }

  /** The files and directories directly under `dir` (the top level when left out). */
  async listArtifacts(runId: string, dir?: string): Promise<ArtifactEntry[]> {
    return (
      await this.http.json<{ files: ArtifactEntry[] }>('GET', `${runPath(runId)}/artifacts`, {
        query: { prefix: dir },
        what: `listing artifacts of run ${runId}`,
      })
    ).files;
  }

  uploadArtifact(runId: string, localPath: string, artifactPath?: string, onProgress?: ProgressListener): Promise<ArtifactInfo> {
    return uploadArtifact(this.http, runId, localPath, artifactPath, onProgress);
  }
}
