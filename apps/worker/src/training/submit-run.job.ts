/**
 * 'training.submit': hands a launched run to its executor. In order:
 * 1. In a transaction holding the execution and run rows: a run already submitted, ended or
 *    cancelled is left as it is (a retried job changes nothing; a cancel before submission ends
 *    the run killed). Otherwise a run-scoped API token is minted for the launching user (limited
 *    to this run, with their run-writing roles in the project, expiring after the wall time plus a
 *    day; a token of an earlier failed attempt is revoked) and its id recorded.
 * 2. For transfer learning, the initial model version's files are copied next to the job and
 *    checked against their registered sha256 (a mismatch fails the run, unsubmitted). An executor
 *    whose jobs do not see this filesystem (Kubernetes) gets the list instead, after the same
 *    check of the stored bytes, and its job fetches them from the API and checks them again.
 *    The executor gets the command, the tracking variables (MLFLOW_TRACKING_URI, MLFLOW_RUN_ID,
 *    CALIPER_*), the token as a secret variable (MLFLOW_TRACKING_TOKEN, CALIPER_TOKEN: never on a
 *    command line, in a script or in a log; Slurm passes it in a 0600 file) and the resources.
 * 3. The scheduler's id is recorded, with a 'run.submitted' event; the run stays 'queued' until the
 *    sync job hears from the scheduler that it starts or runs (a Slurm job may wait for hours).
 * A scheduler with a shared queue finds a job it already made for this run by the run's id, so a
 * worker that died between 2 and 3 does not submit twice. A failure on the last attempt, or an
 * executor this worker does not have, ends the run failed with the reason.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import { generateApiToken, ProjectRole } from '@caliper/domain';
import { JobPayloads } from '@caliper/jobs';
import {
  ApiTokensRepository,
  AuditRepository,
  ProjectsRepository,
  RunExecutionsRepository,
  RegistryRepository,
  RunTemplatesRepository,
  TrackingRepository,
} from '@caliper/persistence';
import { ObjectNotFoundError, ObjectStore } from '@caliper/storage';
import { JobAttempt, JobProcessor, JobResult, ProcessesJob } from '../jobs/job-processor';
import { CONFIG } from '../worker.options';
import { ExecutionSpec } from './executor';
import { Executors, trainingWorkDir } from './executors';
import { moveRun, runDir, TRAINING_ACTOR } from './launched-runs';

type Payload = JobPayloads['training.submit'];

/** The initial weights are not the registered ones (or are gone): the run fails, no retry helps. */
class InitialWeightsError extends Error {}
/** Roles that may write runs: a run's token carries those of them its owner holds. */
const RUN_WRITING_ROLES: readonly ProjectRole[] = ['researcher', 'pi'];

@Injectable()
@ProcessesJob('training.submit')
export class SubmitRunJob implements JobProcessor<'training.submit'> {
  private readonly trackingUrl: string;
  private readonly workDir: string;

  constructor(
    private readonly ds: DataSource,
    private readonly executions: RunExecutionsRepository,
    private readonly templates: RunTemplatesRepository,
    private readonly tracking: TrackingRepository,
    private readonly tokens: ApiTokensRepository,
    private readonly projects: ProjectsRepository,
    private readonly audit: AuditRepository,
    private readonly executors: Executors,
    private readonly registry: RegistryRepository,
    private readonly store: ObjectStore,
    @Inject(CONFIG) config: Pick<Config, 'TRAINING_TRACKING_URL' | 'TRAINING_WORK_DIR' | 'API_PORT'>,
  ) {
    this.trackingUrl = config.TRAINING_TRACKING_URL ?? `http://127.0.0.1:${config.API_PORT}`;
    this.workDir = trainingWorkDir(config);
  }

  private get deps() {
    return { tracking: this.tracking, audit: this.audit };
  }

  async run(data: Payload, attempt: JobAttempt = { attempt: 1, attempts: 1 }): Promise<JobResult> {
    const prepared = await this.ds.transaction(async (m) => {
      const e = await this.executions.lock(m, data.runUuid);
      if (!e) return { skip: 'the run was not launched from a template' };
      if (e.externalId) return { skip: `already submitted as ${e.executor} job ${e.externalId}` };
      if (e.runStatus !== 'queued') return { skip: `the run is ${e.runStatus}` };
      if (e.cancelRequestedAt) {
        await moveRun(m, this.deps, e, 'killed', { reason: 'cancelled before it was submitted' });
        await this.executions.recordSync(m, e.runId, {
          message: 'cancelled before it was submitted',
          exitCode: null,
          logTail: null,
          ended: true,
        });
        return { skip: 'cancelled before it was submitted' };
      }
      const executor = this.executors.get(e.executor);
      if (!executor) {
        const message = this.executors.missing(e.executor);
        await moveRun(m, this.deps, e, 'failed', { reason: message });
        await this.executions.recordSync(m, e.runId, { message, exitCode: null, logTail: null, ended: true });
        return { skip: message };
      }
      const version = (await this.templates.version(e.templateVersionId))!;
      const ownerRoles = await this.projects.rolesOf(e.launchedBy, e.projectId);
      const roles = RUN_WRITING_ROLES.filter((r) => ownerRoles.includes(r));
      if (!roles.length) {
        const message = 'the member who launched it may no longer write runs in this project';
        await moveRun(m, this.deps, e, 'failed', { reason: message });
        await this.executions.recordSync(m, e.runId, { message, exitCode: null, logTail: null, ended: true });
        return { skip: message };
      }
      if (e.tokenId) await this.tokens.revoke(m, e.tokenId);
      const { id, token, secretHash } = generateApiToken();
      await this.tokens.create(m, {
        id,
        userId: e.launchedBy,
        projectId: e.projectId,
        name: `run ${e.runUuid}`,
        roles: [...roles].sort(),
        runId: e.runUuid,
        secretHash,
        expiresAt: new Date(Date.now() + (version.resources.wallTimeMinutes + 24 * 60) * 60_000),
      });
      await m.query(`UPDATE run_executions SET token_id = $2 WHERE run_id = $1`, [e.runId, id]);
      return { e, version, executor, token, tokenId: id };
    });
    if ('skip' in prepared) return { outcome: 'skipped', detail: { runUuid: data.runUuid, reason: prepared.skip } };
    const { e, version, executor, token, tokenId } = prepared;

    const dir = runDir(this.workDir, e.runUuid);
    let weightsDir: string | null = null;
    let initialWeights: ExecutionSpec['initialWeights'];
    if (version.initialModelVersionId) {
      try {
        const checked = await this.initialWeights(version.initialModelVersionId, executor.fetchesInitialWeights ? null : dir);
        weightsDir = checked.root;
        if (executor.fetchesInitialWeights) initialWeights = { modelVersionId: version.initialModelVersionId, files: checked.files };
      } catch (err) {
        if (!(err instanceof InitialWeightsError) && attempt.attempt < attempt.attempts) throw err;
        const message = `the initial weights could not be given to the job: ${(err as Error).message}`.slice(0, 2000);
        await this.failBeforeSubmission(e.runUuid, tokenId, message);
        return { outcome: 'done', detail: { runUuid: e.runUuid, failed: message } };
      }
    }
    const r = version.resources;
    const spec: ExecutionSpec = {
      command: e.command as [string, ...string[]],
      key: e.runUuid,
      cwd: dir,
      logPath: path.join(dir, 'output.log'),
      env: {
        MLFLOW_TRACKING_URI: this.trackingUrl,
        MLFLOW_RUN_ID: e.runUuid,
        CALIPER_URL: this.trackingUrl,
        CALIPER_RUN_ID: e.runUuid,
        CALIPER_PARAMS: JSON.stringify(e.values),
        ...(version.datasetVersionId ? { CALIPER_DATASET_VERSION_ID: version.datasetVersionId } : {}),
        ...(version.initialModelVersionId ? { CALIPER_INITIAL_MODEL_VERSION_ID: version.initialModelVersionId } : {}),
        ...(weightsDir ? { CALIPER_INITIAL_WEIGHTS_DIR: weightsDir } : {}),
      },
      // The executor keeps them off command lines, scripts and logs (Slurm: a 0600 file the job reads).
      secretEnv: { MLFLOW_TRACKING_TOKEN: token, CALIPER_TOKEN: token },
      resources: {
        gpus: r.gpus,
        cpus: r.cpus,
        memoryMb: r.memoryGb * 1024,
        wallTimeMinutes: r.wallTimeMinutes,
        ...(r.partition ? { partition: r.partition } : {}),
      },
      ...(version.image ? { image: version.image } : {}),
      ...(initialWeights ? { initialWeights } : {}),
    };
    let externalId: string;
    try {
      externalId = await executor.submit(spec);
    } catch (err) {
      const message = `submitting to ${e.executor} failed: ${(err as Error).message}`.slice(0, 2000);
      if (attempt.attempt < attempt.attempts) throw err;
      await this.failBeforeSubmission(e.runUuid, tokenId, message);
      return { outcome: 'done', detail: { runUuid: e.runUuid, failed: message } };
    }

    await this.ds.transaction(async (m) => {
      const now = (await this.executions.lock(m, e.runUuid))!;
      const message = `submitted to ${e.executor} as ${externalId}`;
      await this.executions.recordSubmitted(m, now.runId, { externalId, tokenId, message });
      await this.audit.append(m, {
        ...TRAINING_ACTOR,
        action: 'run.submitted',
        entityType: 'run',
        entityId: e.runUuid,
        projectId: e.projectId,
        after: { executor: e.executor, externalId, command: e.command },
      });
    });
    return { outcome: 'done', detail: { runUuid: e.runUuid, executor: e.executor, externalId } };
  }

  /** Ends a run that was never submitted as failed, with the reason, and revokes its token. */
  private async failBeforeSubmission(runUuid: string, tokenId: string, message: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      const now = await this.executions.lock(m, runUuid);
      if (!now || now.externalId) return;
      await moveRun(m, this.deps, now, 'failed', { reason: message });
      await this.executions.recordSync(m, now.runId, { message, exitCode: null, logTail: null, ended: true });
      await this.tokens.revoke(m, tokenId);
    });
  }

  /**
   * Transfer learning: the initial model version's pinned files read from the store and hashed, and
   * copied into `<run folder>/initial-weights/` (on the filesystem the job sees) when `dir` is
   * given; a file whose bytes are not the registered ones (or that is gone) fails the run before
   * anything is submitted.
   */
  private async initialWeights(
    modelVersionId: string,
    dir: string | null,
  ): Promise<{ root: string | null; files: { path: string; sha256: string }[] }> {
    const files = await this.registry.filesOf([modelVersionId]);
    if (!files.length) throw new InitialWeightsError(`model version ${modelVersionId} pins no files.`);
    // Checked when the job fetches them too (a pod's init container), so never outside a folder either way.
    const root = path.resolve(dir ?? '/', 'initial-weights');
    for (const f of files) {
      const dest = path.resolve(root, f.path);
      // The rule a pod's fetch applies too (kubernetes.executor.ts weightsFetch): plain relative segments only.
      if (!dest.startsWith(root + path.sep) || f.path.startsWith('/') || f.path.split('/').some((s) => s === '' || s === '.' || s === '..'))
        throw new InitialWeightsError(`the file path ${f.path} leaves its folder.`);
      if (dir) mkdirSync(path.dirname(dest), { recursive: true, mode: 0o700 });
      const hash = createHash('sha256');
      let source: Readable;
      try {
        source = await this.store.read(f.bucket, f.objectKey);
      } catch (err) {
        if (err instanceof ObjectNotFoundError) throw new InitialWeightsError(`${f.path} is gone from the object store.`);
        throw err;
      }
      await pipeline(
        source,
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            done(null, chunk);
          },
        }),
        dir ? createWriteStream(dest, { mode: 0o600 }) : new Writable({ write: (_chunk, _enc, done) => done() }),
      );
      const found = hash.digest('hex');
      if (found !== f.sha256)
        throw new InitialWeightsError(`${f.path} has sha256 ${found}, not the ${f.sha256} registered with the model version.`);
    }
    return { root: dir ? root : null, files: files.map((f) => ({ path: f.path, sha256: f.sha256 })) };
  }
}
