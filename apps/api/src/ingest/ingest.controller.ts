/**
 * Native tracking routes (/api/v1): runs by project slug, batches (JSON or NDJSON), heartbeats,
 * logs, metric history pages and run search. Run creation, batches and log appends take an
 * Idempotency-Key. Thin: input is read by native-input.ts and ndjson.ts, the work is
 * IngestService's.
 */
import { CONFIG } from '@caliper/server-kit';
import type { Principal } from '@caliper/server-kit';
import { badInput } from '@caliper/domain';
import { Controller, Get, HttpCode, Inject, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { once } from 'node:events';
import type { Request, Response } from 'express';
import type { Config } from '@caliper/config';
import { projectOfSlug, Requires } from '../auth/locators';
import { projectOfRunParam } from '../mlflow/mlflow-project';
import { Caller } from '../mlflow/mlflow-request';
import { TrackingService } from '../tracking/tracking.service';
import { IdempotencyClaim, IngestService, MAX_HISTORY_PAGE, NativeBatch, Outcome, requestHash } from './ingest.service';
import { keyValues, metricPoints, objectAt, optionalInt, optionalString, queryInt, runStatus } from './native-input';
import { readNdjsonBatch } from './ndjson';
import { runJson } from './run-json';

const byRun = projectOfRunParam('runId');
const bySlug = projectOfSlug();

const MAX_LOG_LINES = 10_000;
/** Points per history page when the client does not say: big pages, because a full read is the common case. */
const DEFAULT_HISTORY_PAGE = 50_000;
const MAX_LOG_LINE_LENGTH = 64 * 1024;

function idempotencyKey(req: Request): string | null {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return null;
  if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key))
    throw badInput('Idempotency-Key', 'expected 1 to 255 visible ASCII characters (a UUID is a good key).');
  return key;
}

/** The client's Idempotency-Key with a hash of what it sent under it: the route, its target and the body. */
function claimOf(
  req: Request,
  route: string,
  target: string,
  body: string | Buffer = JSON.stringify(req.body ?? {}),
): IdempotencyClaim | null {
  const key = idempotencyKey(req);
  return key ? { key, requestHash: requestHash(route, target, body) } : null;
}

/** Sets the outcome's status, and `Idempotent-Replayed: true` on a stored answer. */
function answer<T>(res: Response, outcome: Outcome<T>): T {
  res.status(outcome.statusCode);
  if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return outcome.body;
}

const isNdjson = (req: Request) => /^application\/(x-)?ndjson\b/i.test(req.headers['content-type'] ?? '');

@Controller('api/v1')
export class IngestController {
  constructor(
    private readonly ingest: IngestService,
    private readonly tracking: TrackingService,
    @Inject(CONFIG) private readonly config: Pick<Config, 'MAX_BATCH_BODY_MB'>,
  ) {}

  /** Creates a run (201), with an optional Idempotency-Key. */
  @Post('projects/:slug/runs')
  @Requires('run.write', bySlug)
  async createRun(@Caller() p: Principal, @Param('slug') slug: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const claim = claimOf(req, 'runs:create', slug.toLowerCase());
    const b = objectAt(req.body ?? {}, 'body');
    const outcome = await this.ingest.createRun(
      p,
      slug,
      {
        experiment: optionalString(b, 'experiment', 'experiment', 500),
        name: optionalString(b, 'name', 'name', 500),
        startTime: optionalInt(b, 'startTime'),
        tags: keyValues(b.tags, 'tags', false),
        params: keyValues(b.params, 'params', true),
        gitCommit: optionalString(b, 'gitCommit', 'gitCommit', 200),
        gitRepo: optionalString(b, 'gitRepo', 'gitRepo', 2000),
        imageDigest: optionalString(b, 'imageDigest', 'imageDigest', 500),
        parentRunId: optionalString(b, 'parentRunId', 'parentRunId', 32),
      },
      claim,
    );
    return answer(res, outcome);
  }

  @Get('projects/:slug/runs')
  @Requires('project.read', bySlug)
  async searchRuns(@Param('slug') slug: string, @Query() q: Record<string, unknown>) {
    const text = (name: string) => (typeof q[name] === 'string' && q[name] !== '' ? (q[name] as string) : null);
    const orderBy = q.orderBy === undefined ? [] : Array.isArray(q.orderBy) ? q.orderBy.map(String) : [String(q.orderBy)];
    const { views, nextPageToken } = await this.ingest.searchRuns(slug, {
      experiment: text('experiment'),
      filter: text('filter'),
      orderBy,
      pageToken: text('pageToken'),
      maxResults: q.maxResults === undefined ? null : queryInt(q.maxResults, 'maxResults', 100, 1, 50_000),
    });
    const parents = await this.ingest.parentUuids(views);
    return { runs: views.map((v) => runJson(v, parents)), nextPageToken };
  }

  @Get('runs/:runId')
  @Requires('project.read', byRun)
  async getRun(@Param('runId') runId: string) {
    const view = await this.ingest.getRun(runId);
    return { run: runJson(view, await this.ingest.parentUuids([view])) };
  }

  @Patch('runs/:runId')
  @Requires('run.write', byRun)
  async updateRun(@Caller() p: Principal, @Param('runId') runId: string, @Req() req: Request) {
    const b = objectAt(req.body ?? {}, 'body');
    const view = await this.ingest.updateRun(p, runId, {
      status: runStatus(b.status, 'status'),
      endTime: optionalInt(b, 'endTime'),
      name: optionalString(b, 'name', 'name', 500),
    });
    return { run: runJson(view, await this.ingest.parentUuids([view])) };
  }

  /** JSON `{metrics, params, tags}` or NDJSON (one metric point, param or tag a line), with an optional Idempotency-Key. */
  @Post('runs/:runId/batch')
  @Requires('run.write', byRun)
  async logBatch(@Caller() p: Principal, @Param('runId') runId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    idempotencyKey(req); // a malformed key is refused before the body is read
    let batch: NativeBatch;
    let claim: IdempotencyClaim | null;
    if (isNdjson(req)) {
      const nd = await readNdjsonBatch(req, this.config.MAX_BATCH_BODY_MB * 1024 * 1024);
      batch = nd.batch;
      claim = claimOf(req, 'batch:ndjson', runId, nd.sha256);
    } else {
      const b = objectAt(req.body, 'body');
      batch = {
        metrics: metricPoints(b.metrics, 'metrics'),
        params: keyValues(b.params, 'params', true),
        tags: keyValues(b.tags, 'tags', false),
      };
      claim = claimOf(req, 'batch:json', runId);
    }
    return answer(res, await this.ingest.logBatch(p, runId, batch, claim));
  }

  /** Records that the run used a sealed dataset version of its project: `{ datasetVersionId, context? }` (e.g. context "training"). */
  @Post('runs/:runId/dataset-inputs')
  @Requires('run.write', byRun)
  @HttpCode(200)
  async logDatasetInput(@Caller() p: Principal, @Param('runId') runId: string, @Req() req: Request) {
    const b = objectAt(req.body, 'body');
    const id = optionalString(b, 'datasetVersionId', 'datasetVersionId', 36);
    if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
      throw badInput('datasetVersionId', 'expected the id (a UUID) of a sealed dataset version.');
    const context = optionalString(b, 'context', 'context', 100);
    return this.tracking.logDatasetVersionInput(p, runId, id.toLowerCase(), context);
  }

  @Post('runs/:runId/heartbeat')
  @Requires('run.write', byRun)
  @HttpCode(204)
  async heartbeat(@Caller() p: Principal, @Param('runId') runId: string) {
    await this.ingest.heartbeat(p, runId);
  }

  /** Appends log lines (204), with an optional Idempotency-Key. */
  @Post('runs/:runId/logs')
  @Requires('run.write', byRun)
  async appendLogs(@Caller() p: Principal, @Param('runId') runId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const claim = claimOf(req, 'logs:append', runId);
    const b = objectAt(req.body, 'body');
    if (!Array.isArray(b.lines)) throw badInput('lines', 'expected an array of {line, ts?, stream?}.');
    if (b.lines.length > MAX_LOG_LINES) throw badInput('lines', `at most ${MAX_LOG_LINES} lines per request.`);
    const now = new Date();
    const lines = b.lines.map((l: unknown, i: number) => {
      const o = objectAt(l, `lines[${i}]`);
      const line = optionalString(o, 'line', `lines[${i}].line`, MAX_LOG_LINE_LENGTH);
      if (line === null) throw badInput(`lines[${i}].line`, 'expected a string.');
      const ts = o.ts === undefined || o.ts === null ? now : new Date(typeof o.ts === 'number' || typeof o.ts === 'string' ? o.ts : NaN);
      if (Number.isNaN(ts.getTime())) throw badInput(`lines[${i}].ts`, 'expected epoch milliseconds or an ISO 8601 time.');
      const stream = optionalString(o, 'stream', `lines[${i}].stream`, 32) ?? 'stdout';
      return { ts, stream, line };
    });
    answer(res, await this.ingest.appendLogs(p, runId, lines, claim));
  }

  @Get('runs/:runId/logs')
  @Requires('project.read', byRun)
  logs(@Param('runId') runId: string, @Query('after') after?: string, @Query('limit') limit?: string) {
    if (after !== undefined && !/^\d{1,18}$/.test(after)) throw badInput('after', 'expected the `next` value of the previous page.');
    return this.ingest.logs(runId, after ?? null, queryInt(limit, 'limit', 1000, 1, MAX_LOG_LINES));
  }

  @Get('runs/:runId/metrics/:key/history')
  @Requires('project.read', byRun)
  async history(
    @Res() res: Response,
    @Param('runId') runId: string,
    @Param('key') key: string,
    @Query('after') after?: string,
    @Query('limit') limit?: string,
    @Query('format') format?: string,
  ) {
    if (format !== undefined && format !== 'points' && format !== 'columns') throw badInput('format', 'expected points or columns.');
    res
      .type('application/json')
      .send(
        await this.ingest.history(
          runId,
          key,
          after ?? null,
          queryInt(limit, 'limit', DEFAULT_HISTORY_PAGE, 1, MAX_HISTORY_PAGE),
          format ?? 'points',
        ),
      );
  }

  /** The whole series at full resolution as a download (CSV or JSON), streamed page by page. */
  @Get('runs/:runId/metrics/:key/export')
  @Requires('project.read', byRun)
  async exportSeries(@Res() res: Response, @Param('runId') runId: string, @Param('key') key: string, @Query('format') format?: string) {
    const kind = format ?? 'csv';
    if (kind !== 'csv' && kind !== 'json') throw badInput('format', 'expected csv or json.');
    const pages = this.ingest.seriesPages(runId, key);
    // The first page is read before any header goes out, so a missing run is still a clean 404.
    let page = await pages.next();
    const file = `${runId}-${key.replace(/[^A-Za-z0-9._-]+/g, '_')}.${kind}`;
    res.status(200).type(kind === 'csv' ? 'text/csv; charset=utf-8' : 'application/json');
    res.setHeader('Content-Disposition', `attachment; filename="${file}"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const write = async (chunk: string) => {
      if (!res.write(chunk)) await once(res, 'drain');
    };
    const value = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : String(v));
    await write(kind === 'csv' ? 'step,timestamp,value\r\n' : `{"key":${JSON.stringify(key)},"points":[`);
    for (let separator = ''; !page.done; page = await pages.next(), separator = ',') {
      const points = page.value;
      await write(
        kind === 'csv'
          ? points.map((p) => `${p.step},${p.timestamp},${value(p.value)}\r\n`).join('')
          : separator +
              points
                .map(
                  (p) =>
                    `{"step":${p.step},"timestamp":${p.timestamp},"value":${Number.isFinite(p.value) ? p.value : `"${value(p.value)}"`}}`,
                )
                .join(','),
      );
    }
    res.end(kind === 'csv' ? '' : ']}');
  }
}
