/**
 * The MLflow tracking endpoints' steps between the wire and TrackingService: which project and
 * experiment a call means (experiment "0" → the project's Default), MLflow's request checks,
 * and the response JSON. Every write and run read goes through TrackingService; run search
 * through RunSearchRepository (the same search the native API reuses).
 */
import type { Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import {
  MAX_TAG_VALUE_LENGTH,
  fromMlflowStatus,
  likeMatches,
  parseExperimentFilter,
  parseExperimentOrderBy,
  decodeOffsetToken,
  encodeOffsetToken,
  ExperimentComparison,
  TrackingError,
  KeyValue,
} from '@caliper/domain';
import { AccountsRepository, ExperimentEntity, RunEntity, RunRef, RunSearchRepository, StoredPoint } from '@caliper/persistence';
import type { Loaders } from '../graphql/loaders';
import { RunView, TrackingService } from '../tracking/tracking.service';
import { MetricHistoryService } from '../tracking/metric-history.service';
import { callerProject } from './mlflow-project';
import {
  experimentJson,
  keyValues,
  metricJson,
  metricPoint,
  metricPoints,
  optionalInt64,
  optionalString,
  requiredString,
  runJson,
  runInfoJson,
  stringList,
  viewTypeOf,
  WireArgs,
} from './mlflow-wire';
import { sampledSteps } from './mlflow-history-sampling';

/** MLflow 2.10's limits: experiments/search page size, and get-history-bulk-interval's runs, points per run and points per run read. */
const MAX_EXPERIMENT_RESULTS = 50000;
const MAX_BULK_RUNS = 100;
const MAX_BULK_RESULTS_PER_RUN = 2500;
const MAX_BULK_POINTS_READ_PER_RUN = 25000;

const invalid = (message: string) => new TrackingError('INVALID_PARAMETER', message);

/**
 * Caliper owns artifact storage: every experiment's artifact_location is mlflow-artifacts:/<id>,
 * served by the artifact proxy. A location a client asks for in experiments/create is kept
 * visible as this experiment tag instead of being dropped without trace.
 */
export const REQUESTED_ARTIFACT_LOCATION_TAG = 'caliper.requested_artifact_location';

@Injectable()
export class MlflowTrackingService {
  constructor(
    private readonly tracking: TrackingService,
    private readonly histories: MetricHistoryService,
    private readonly search: RunSearchRepository,
    private readonly accounts: AccountsRepository,
  ) {}

  // Experiments

  /** The experiment an id means; "0" is the caller's project's Default experiment. */
  async experiment(principal: Principal, loaders: Loaders, id: string): Promise<ExperimentEntity> {
    if (id === '0') return this.tracking.defaultExperiment(await callerProject(principal, loaders));
    return this.tracking.getExperiment(id);
  }

  private async experimentsJson(experiments: ExperimentEntity[]) {
    const tags = await this.tracking.experimentTags(experiments.map((e) => e.id));
    return experiments.map((e) => experimentJson(e, tags));
  }

  async createExperiment(principal: Principal, named: { projectId: string; name: string }, args: WireArgs) {
    const tags = keyValues(args, 'tags');
    const requestedLocation = optionalString(args, 'artifact_location');
    if (requestedLocation !== null) {
      checkArtifactLocation(requestedLocation);
      tags.push({ key: REQUESTED_ARTIFACT_LOCATION_TAG, value: requestedLocation });
    }
    const experiment = await this.tracking.createExperiment(principal, named.projectId, named.name, tags);
    return { experiment_id: experiment.id };
  }

  async getExperiment(e: ExperimentEntity) {
    return { experiment: (await this.experimentsJson([e]))[0] };
  }

  async getExperimentByName(named: { projectId: string; name: string }) {
    const e = await this.tracking.experimentByName(named.projectId, named.name);
    return { experiment: (await this.experimentsJson([e]))[0] };
  }

  /** Experiments of the caller's project; projects hold few, so filtering and paging run in memory. */
  async searchExperiments(principal: Principal, loaders: Loaders, args: WireArgs) {
    const maxResults = optionalInt64(args, 'max_results') ?? 1000;
    if (maxResults < 1 || maxResults > MAX_EXPERIMENT_RESULTS)
      throw invalid(
        `Invalid value for request parameter max_results. It must be at most ${MAX_EXPERIMENT_RESULTS}, but got value ${maxResults}`,
      );
    const filter = parseExperimentFilter(optionalString(args, 'filter'));
    const order = parseExperimentOrderBy(stringList(args, 'order_by'));
    const offset = decodeOffsetToken(optionalString(args, 'page_token'));
    const view = viewTypeOf(args, 'view_type');
    const projectId = await callerProject(principal, loaders);
    const all = await this.tracking.listExperiments(
      [projectId],
      view === 'ACTIVE_ONLY' ? 'active' : view === 'DELETED_ONLY' ? 'deleted' : 'all',
    );
    const tags = await this.tracking.experimentTags(all.map((e) => e.id));
    const matching = all.filter((e) =>
      filter.every((c) =>
        experimentMatches(
          e,
          tags.filter((t) => t.experimentId === e.id),
          c,
        ),
      ),
    );
    const keyOf = (e: ExperimentEntity, key: string): string | number =>
      key === 'name' ? e.name : key === 'experiment_id' ? Number(e.id) : key === 'creation_time' ? e.creationTime : e.lastUpdateTime;
    // MLflow's default: creation_time DESC, then experiment_id ASC.
    const sorts = [
      ...order.map((o) => ({ key: o.key, asc: o.ascending })),
      { key: 'creation_time', asc: false },
      { key: 'experiment_id', asc: true },
    ];
    matching.sort((a, b) => {
      for (const s of sorts) {
        const x = keyOf(a, s.key);
        const y = keyOf(b, s.key);
        if (x < y) return s.asc ? -1 : 1;
        if (x > y) return s.asc ? 1 : -1;
      }
      return 0;
    });
    const page = matching.slice(offset, offset + maxResults);
    return {
      ...(page.length ? { experiments: page.map((e) => experimentJson(e, tags)) } : {}),
      ...(offset + maxResults < matching.length ? { next_page_token: encodeOffsetToken(offset + maxResults) } : {}),
    };
  }

  async renameExperiment(principal: Principal, e: ExperimentEntity, args: WireArgs) {
    await this.tracking.renameExperiment(principal, e.id, requiredString(args, 'new_name'));
    return {};
  }

  async setExperimentLifecycle(principal: Principal, e: ExperimentEntity, stage: 'active' | 'deleted') {
    // MLflow looks the experiment up in the opposite state, so a repeated delete or restore is "not found".
    if (e.lifecycleStage === stage) throw new TrackingError('NOT_FOUND', `No Experiment with id=${e.id} exists`);
    await this.tracking.setExperimentLifecycle(principal, e.id, stage);
    return {};
  }

  async setExperimentTag(principal: Principal, e: ExperimentEntity, args: WireArgs) {
    await this.tracking.setExperimentTag(principal, e.id, { key: requiredString(args, 'key'), value: requiredString(args, 'value') });
    return {};
  }

  // Runs

  private async userNames(runs: readonly RunEntity[]): Promise<Map<string, string>> {
    const ids = [...new Set(runs.map((r) => r.userId).filter((id): id is string => id !== null))];
    const users = ids.length ? await this.accounts.findUsersByIds(ids) : [];
    return new Map(users.map((u) => [u.id, u.username]));
  }

  private async runsJson(views: RunView[]) {
    const names = await this.userNames(views.map((v) => v.run));
    return views.map((v) => runJson(v, v.run.userId ? (names.get(v.run.userId) ?? null) : null));
  }

  async createRun(principal: Principal, e: ExperimentEntity, args: WireArgs) {
    const tags = keyValues(args, 'tags');
    // For MLflow the parent is only a tag: link it when it is a run of the same project, never refuse it.
    const parentTag = tags.find((t) => t.key === 'mlflow.parentRunId')?.value;
    const parent = parentTag ? await this.tracking.findRun(parentTag).catch(() => null) : null;
    const run = await this.tracking.createRun(principal, {
      experimentId: e.id,
      name: optionalString(args, 'run_name'),
      startTime: optionalInt64(args, 'start_time'),
      tags,
      parentRunUuid: parent && parent.projectId === e.projectId ? parent.uuid : null,
    });
    const view = await this.tracking.getRun(run.uuid);
    return { run: runJson({ ...view, latestMetrics: [], params: [], inputs: [] }, principal.user.username, { withInputs: false }) };
  }

  async getRun(run: RunRef) {
    return { run: (await this.runsJson([await this.tracking.getRun(run.uuid)]))[0] };
  }

  async updateRun(principal: Principal, target: RunRef, args: WireArgs) {
    const status = optionalString(args, 'status');
    const run = await this.tracking.updateRun(principal, target.uuid, {
      status: status ? fromMlflowStatus(status) : null,
      endTime: optionalInt64(args, 'end_time'),
      name: optionalString(args, 'run_name'),
    });
    const names = await this.userNames([run]);
    return { run_info: runInfoJson(run, run.userId ? (names.get(run.userId) ?? null) : null) };
  }

  async setRunLifecycle(principal: Principal, run: RunRef, stage: 'active' | 'deleted') {
    await this.tracking.setRunLifecycle(principal, run.uuid, stage);
    return {};
  }

  async searchRuns(principal: Principal, loaders: Loaders, args: WireArgs, mayRead: (projectId: string) => Promise<boolean>) {
    const requested = stringList(args, 'experiment_ids');
    const found = await Promise.all(requested.map((id) => this.experiment(principal, loaders, id).catch(() => null)));
    // An experiment the caller may not read is searched as one that does not exist: no runs, no error.
    const readable = new Map<string, boolean>();
    for (const e of found) if (e && !readable.has(e.projectId)) readable.set(e.projectId, await mayRead(e.projectId));
    const experiments = found.filter((e): e is ExperimentEntity => e !== null && readable.get(e.projectId) === true);
    const projectIds = new Set(experiments.map((e) => e.projectId));
    const page = await this.search.searchRuns({
      projectIds: [...projectIds],
      experimentIds: experiments.map((e) => e.id),
      filter: optionalString(args, 'filter'),
      orderBy: stringList(args, 'order_by'),
      maxResults: optionalInt64(args, 'max_results'),
      pageToken: optionalString(args, 'page_token'),
      viewType: viewTypeOf(args, 'run_view_type'),
    });
    const runs = await this.runsJson(await this.tracking.views(page.runs));
    return { ...(runs.length ? { runs } : {}), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  }

  async logMetric(principal: Principal, run: RunRef, args: WireArgs) {
    await this.tracking.logBatch(principal, run, { metrics: [metricPoint(args)] });
    return {};
  }

  async logParam(principal: Principal, run: RunRef, args: WireArgs) {
    const param: KeyValue = { key: requiredString(args, 'key'), value: paramValue(args.value) };
    await this.tracking.logBatch(principal, run.uuid, { params: [param] });
    return {};
  }

  async setTag(principal: Principal, run: RunRef, args: WireArgs) {
    await this.tracking.logBatch(principal, run.uuid, { tags: [{ key: requiredString(args, 'key'), value: paramValue(args.value) }] });
    return {};
  }

  async deleteTag(principal: Principal, run: RunRef, args: WireArgs) {
    await this.tracking.deleteTag(principal, run.uuid, requiredString(args, 'key'));
    return {};
  }

  async logBatch(principal: Principal, run: RunRef, args: WireArgs) {
    await this.tracking.logBatch(principal, run, {
      metrics: metricPoints(args, 'metrics'),
      params: keyValues(args, 'params'),
      tags: keyValues(args, 'tags'),
    });
    return {};
  }

  async logInputs(principal: Principal, run: RunRef, args: WireArgs) {
    const raw = args.datasets;
    if (raw !== undefined && raw !== null && !Array.isArray(raw))
      throw invalid(`Invalid value for parameter 'datasets' supplied: expected a list of dataset inputs.`);
    const inputs = ((raw as unknown[] | undefined) ?? []).map((item) => {
      const input = (item ?? {}) as WireArgs;
      const dataset = (input.dataset ?? {}) as WireArgs;
      const name = requiredString(dataset, 'name');
      const digest = requiredString(dataset, 'digest');
      const descriptor: Record<string, unknown> = {
        source_type: requiredString(dataset, 'source_type'),
        source: requiredString(dataset, 'source'),
      };
      for (const field of ['schema', 'profile']) if (typeof dataset[field] === 'string') descriptor[field] = dataset[field];
      const tags = keyValues(input, 'tags');
      if (tags.length) descriptor.tags = tags;
      return { kind: 'dataset' as const, name, digest, descriptor };
    });
    await this.tracking.logInputs(principal, run.uuid, inputs);
    return {};
  }

  /**
   * MLflow keeps logged models as a JSON list in the run's `mlflow.log-model.history` tag, written
   * by Python's json.dumps. The client's model_json is already json.dumps text, so appending it
   * verbatim with Python's ", " separator gives the same tag value MLflow stores.
   */
  async logModel(principal: Principal, run: RunRef, args: WireArgs) {
    const uuid = run.uuid;
    const modelJson = requiredString(args, 'model_json');
    let model: unknown;
    try {
      model = JSON.parse(modelJson);
    } catch {
      throw invalid(`Invalid value for parameter 'model_json': not valid JSON.`);
    }
    if (!model || typeof model !== 'object' || Array.isArray(model))
      throw invalid(`Invalid value for parameter 'model_json': expected a JSON object.`);
    const missingFields = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'].filter((k) => !(k in model));
    if (missingFields.length) throw invalid(`Model json is missing mandatory fields: {${missingFields.map((k) => `'${k}'`).join(', ')}}`);
    const view = await this.tracking.getRun(uuid);
    const previous = view.tags.find((t) => t.key === 'mlflow.log-model.history')?.value;
    const history =
      previous && previous.startsWith('[') && previous.endsWith(']') && previous !== '[]'
        ? `${previous.slice(0, -1)}, ${modelJson.trim()}]`
        : `[${modelJson.trim()}]`;
    await this.tracking.logBatch(principal, uuid, { tags: [{ key: 'mlflow.log-model.history', value: history }] });
    return {};
  }

  // Metric history

  async metricHistory(run: RunRef, args: WireArgs) {
    const uuid = run.uuid;
    const key = requiredString(args, 'metric_key');
    const maxResults = optionalInt64(args, 'max_results');
    if (maxResults !== null && maxResults < 1)
      throw invalid(`Invalid value for request parameter max_results. It must be a positive integer, but got value ${maxResults}`);
    const after = decodeHistoryToken(optionalString(args, 'page_token'));
    // Without max_results MLflow returns the whole history in one answer. The points arrive as
    // JSON text from the database; the answer is assembled around them, never re-parsed.
    const page = await this.histories.metricHistoryJson(uuid, key, {
      after,
      limit: maxResults ?? Number.MAX_SAFE_INTEGER,
      withKey: true,
      clampInfinity: true,
    });
    const parts: string[] = [];
    if (page.count) parts.push(`"metrics":[${page.items}]`);
    if (page.more && page.last) parts.push(`"next_page_token":${JSON.stringify(encodeHistoryToken(page.last))}`);
    return `{${parts.join(',')}}`;
  }

  /** The UI's chart read (MLflow 2.10): the same sampled steps for every run, each run's min and max step kept. */
  async metricHistoryBulkInterval(args: WireArgs, mayRead: (projectId: string) => Promise<boolean>) {
    const runIds = stringList(args, 'run_ids');
    if (!runIds.length)
      throw invalid(`Missing value for required parameter 'run_ids'. See the API docs for more information about request parameters.`);
    if (runIds.length > MAX_BULK_RUNS)
      throw invalid(
        `GetMetricHistoryBulkInterval request must specify at most ${MAX_BULK_RUNS} run_ids. Received ${runIds.length} run_ids.`,
      );
    const key = requiredString(args, 'metric_key');
    const maxResults = optionalInt64(args, 'max_results') ?? MAX_BULK_RESULTS_PER_RUN;
    if (maxResults < 1 || maxResults > MAX_BULK_RESULTS_PER_RUN)
      throw invalid(`max_results must be between 1 and ${MAX_BULK_RESULTS_PER_RUN}.`);
    const startStep = optionalInt64(args, 'start_step');
    const endStep = optionalInt64(args, 'end_step');
    if ((startStep === null) !== (endStep === null))
      throw invalid(`If either start step or end step are specified, both must be specified.`);
    if (startStep !== null && endStep !== null && startStep > endStep)
      throw invalid(`end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`);
    const runs = await Promise.all(runIds.map((id) => this.tracking.findRun(id)));
    for (const projectId of new Set(runs.map((r) => r.projectId))) {
      if (!(await mayRead(projectId))) throw new TrackingError('FORBIDDEN', `You do not have permission to read these runs.`);
    }
    const histories = await Promise.all(runIds.map((id) => this.histories.metricHistory(id, key, { limit: Number.MAX_SAFE_INTEGER })));
    const steps = new Set(
      sampledSteps(
        histories.map((h) => h.map((p) => p.step)),
        startStep,
        endStep,
        maxResults,
      ),
    );
    const metrics = histories.flatMap((h, i) =>
      h
        .filter((p) => steps.has(p.step))
        .slice(0, MAX_BULK_POINTS_READ_PER_RUN)
        .map((p) => ({ ...metricJson({ key, ...p }), run_id: runIds[i] })),
    );
    return metrics.length ? { metrics } : {};
  }
}

function paramValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalid(`Invalid value ${JSON.stringify(v)} for parameter 'value' supplied: expected a string.`);
}

/**
 * MLflow 2.10.2's checks on experiments/create's artifact_location (handlers._create_experiment
 * and validation._validate_experiment_artifact_location): no URL fragment or `;params`, no `..`
 * in the query string, no runs:/ URI. What MLflow accepts is accepted here too, then recorded.
 */
export function checkArtifactLocation(location: string): void {
  const { fragment, params, query } = urlParts(location);
  if (fragment || params) throw invalid(`'artifact_location' URL can't include fragments or params.`);
  if (decodeRepeatedly(query).includes('..')) throw invalid(`Invalid query string`);
  if (location.startsWith('runs:')) throw invalid(`Artifact location cannot be a runs:/ URI. Given: '${location}'`);
  if (location.length > MAX_TAG_VALUE_LENGTH) {
    throw invalid(
      `Invalid value for parameter 'artifact_location': it exceeds the maximum length of ${MAX_TAG_VALUE_LENGTH} characters (Caliper records it as the experiment tag '${REQUESTED_ARTIFACT_LOCATION_TAG}').`,
    );
  }
}

/** Python's schemes whose last path segment urllib.parse.urlparse splits `;params` from. */
const SCHEMES_WITH_PARAMS = new Set([
  '',
  'ftp',
  'hdl',
  'prospero',
  'http',
  'imap',
  'https',
  'shttp',
  'rtsp',
  'rtspu',
  'sip',
  'sips',
  'mms',
  'sftp',
  'tel',
]);

/** The parts of urllib.parse.urlparse that MLflow looks at: fragment, params and query. */
function urlParts(url: string): { fragment: string; params: string; query: string } {
  let rest = url;
  let scheme = '';
  const colon = rest.indexOf(':');
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    rest = end < 0 ? '' : rest.slice(2 + end);
  }
  let fragment = '';
  let query = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) [rest, fragment] = [rest.slice(0, hash), rest.slice(hash + 1)];
  const question = rest.indexOf('?');
  if (question >= 0) [rest, query] = [rest.slice(0, question), rest.slice(question + 1)];
  let params = '';
  if (SCHEMES_WITH_PARAMS.has(scheme) && rest.includes(';')) {
    const semicolon = rest.indexOf(';', Math.max(rest.lastIndexOf('/'), 0));
    if (semicolon >= 0) params = rest.slice(semicolon + 1);
  }
  return { fragment, params, query };
}

/** urllib.parse.unquote until the text stops changing (MLflow's _decode, against double-encoded `..`). */
function decodeRepeatedly(text: string): string {
  let current = text;
  for (let i = 0; i < 10; i++) {
    const next = current.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
    if (next === current) return current;
    current = next;
  }
  throw invalid(`Failed to decode url`);
}

function experimentMatches(e: ExperimentEntity, tags: { key: string; value: string }[], c: ExperimentComparison): boolean {
  if (c.entity === 'tag') {
    const tag = tags.find((t) => t.key === c.key);
    return tag !== undefined && compareStrings(tag.value, c.comparator, c.value);
  }
  if (c.key === 'name') return compareStrings(e.name, c.comparator, c.value);
  const v = c.key === 'creation_time' ? e.creationTime : e.lastUpdateTime;
  switch (c.comparator) {
    case '=':
      return v === c.value;
    case '!=':
      return v !== c.value;
    case '<':
      return v < c.value;
    case '<=':
      return v <= c.value;
    case '>':
      return v > c.value;
    case '>=':
      return v >= c.value;
  }
}

function compareStrings(v: string, comparator: '=' | '!=' | 'LIKE' | 'ILIKE', pattern: string): boolean {
  switch (comparator) {
    case '=':
      return v === pattern;
    case '!=':
      return v !== pattern;
    case 'LIKE':
      return likeMatches(v, pattern, false);
    case 'ILIKE':
      return likeMatches(v, pattern, true);
  }
}

/** get-history page tokens: the last point returned (keyset), base64 JSON. */
function encodeHistoryToken(p: StoredPoint): string {
  return Buffer.from(JSON.stringify({ step: p.step, timestamp: p.timestamp, value: String(p.value) })).toString('base64');
}

function decodeHistoryToken(token: string | null): StoredPoint | null {
  if (!token) return null;
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { step: unknown; timestamp: unknown; value: unknown };
    if (Number.isInteger(t.step) && Number.isInteger(t.timestamp) && typeof t.value === 'string')
      return { step: t.step as number, timestamp: t.timestamp as number, value: Number(t.value) };
  } catch {
    // falls through to the error below
  }
  throw invalid(`Invalid page token: it was not issued by get-history.`);
}
