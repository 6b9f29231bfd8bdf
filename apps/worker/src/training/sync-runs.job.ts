/**
 * 'training.sync' (scheduled, every TRAINING_SYNC_INTERVAL_MS): asks each executor how its open
 * launched runs are doing and records it: the scheduler's words (e.g. Slurm's pending reason) on
 * the execution, the run moved forward (queued → starting → running), and once the job ended its
 * exit code, the tail of its output, the run's final status (the executor's verdict: a script that
 * reported success to the tracking API but exited non-zero is failed) and the run's token revoked.
 * A cancelled run that ended is killed. An executor that cannot be asked leaves the run as it is,
 * with the error as its message, until the next sync.
 *
 * Before recording a status, the sync copies what the job wrote since the last sync into the run's
 * log stream (job-output.ts), a bounded amount per run and sync while it runs, and what is left once
 * it ended: the run page follows the job's output live, and the run keeps it.
 *
 * The watchdog, in the same job: a running run that sent heartbeats and then none for
 * TRAINING_HEARTBEAT_TIMEOUT_SECONDS is lost. A launched one is reconciled with its executor
 * first: ended there, it takes that end; still running there, it is marked lost and stays watched,
 * so its real end replaces 'lost' when it comes. A run that never sent a heartbeat (MLflow's own
 * client sends none) is never judged by them.
 */
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Config } from '@caliper/config';
import type { RunStatus } from '@caliper/domain';
import { parseJob } from '@caliper/jobs';
import {
  ApiTokensRepository,
  AuditRepository,
  OutboxRepository,
  RunExecutionRow,
  RunExecutionsRepository,
  TrackingRepository,
} from '@caliper/persistence';
import { JobResult, ProcessesJob, ScheduledJobProcessor } from '../jobs/job-processor';
import { CONFIG } from '../worker.options';
import { ExecutionStatus, Executor } from './executor';
import { Executors, trainingWorkDir } from './executors';
import { OUTPUT_CHUNK_BYTES, OUTPUT_DRAIN_MAX_BYTES, OUTPUT_STREAM, readFileFrom, splitOutput } from './job-output';
import { endRunToken, fileTail, moveRun, outputPath, TERMINAL_RUN_STATUSES, TRAINING_ACTOR } from './launched-runs';

const BATCH = 100;

@Injectable()
@ProcessesJob('training.sync')
export class SyncRunsJob implements ScheduledJobProcessor<'training.sync'> {
  readonly everyMs: number;
  private readonly workDir: string;
  private readonly heartbeatTimeoutSeconds: number;

  constructor(
    private readonly ds: DataSource,
    private readonly executions: RunExecutionsRepository,
    private readonly tracking: TrackingRepository,
    private readonly tokens: ApiTokensRepository,
    private readonly audit: AuditRepository,
    private readonly executors: Executors,
    private readonly outbox: OutboxRepository,
    @Inject(CONFIG) config: Pick<Config, 'TRAINING_SYNC_INTERVAL_MS' | 'TRAINING_WORK_DIR' | 'TRAINING_HEARTBEAT_TIMEOUT_SECONDS'>,
  ) {
    this.everyMs = config.TRAINING_SYNC_INTERVAL_MS;
    this.heartbeatTimeoutSeconds = config.TRAINING_HEARTBEAT_TIMEOUT_SECONDS;
    this.workDir = trainingWorkDir(config);
  }

  async run(): Promise<JobResult> {
    const lost = await this.watchdog();
    const open = await this.executions.open(BATCH);
    const changed: string[] = [];
    const errors: string[] = [];
    for (const e of open) {
      const executor = this.executors.get(e.executor);
      if (!executor) continue;
      let status: ExecutionStatus;
      try {
        status = await executor.sync(e.externalId!);
      } catch (err) {
        errors.push(e.runUuid);
        await this.ds.transaction((m) =>
          this.executions.recordSync(m, e.runId, {
            message: `could not ask ${e.executor} about job ${e.externalId}: ${(err as Error).message}`,
            exitCode: null,
            logTail: null,
            ended: false,
          }),
        );
        continue;
      }
      if (await this.settle(e, executor, status)) changed.push(e.runUuid);
    }
    const queued = await this.fillSweepSlots();
    const sweepsEnded = await this.finishSweeps();
    if (!open.length && !lost.length && !queued.length && !sweepsEnded.length)
      return { outcome: 'skipped', detail: { reason: 'no launched run is open, no run went silent, no sweep is waiting' } };
    return { outcome: 'done', detail: { synced: open.length, changed, errors, lost, queued, sweepsEnded } };
  }

  /** Queues the submission of sweep runs waiting for a slot, as many as each sweep has free (its row locked meanwhile). */
  private async fillSweepSlots(): Promise<string[]> {
    return this.ds.transaction(async (m) => {
      const queued: string[] = [];
      for (const sweep of await this.executions.sweepsWithWaiting(m)) {
        if (sweep.free <= 0) continue;
        for (const runUuid of await this.executions.takeWaiting(m, sweep.id, sweep.free)) {
          await this.outbox.enqueue(m, parseJob('training.submit', { v: 1, runUuid }));
          queued.push(runUuid);
        }
      }
      return queued;
    });
  }

  /** A sweep whose runs all ended ends its parent run: finished when any run finished, else failed. */
  private async finishSweeps(): Promise<string[]> {
    return this.ds.transaction(async (m) => {
      const ended: string[] = [];
      for (const s of await this.executions.finishedSweeps(m)) {
        const status = s.finished > 0 ? 'finished' : 'failed';
        await this.tracking.updateRun(m, s.parentRunId, { status, endTime: Date.now() });
        await this.audit.append(m, {
          ...TRAINING_ACTOR,
          action: `run.${status}`,
          entityType: 'run',
          entityId: s.parentUuid,
          projectId: s.projectId,
          before: { status: s.parentStatus },
          after: { status, sweepId: s.sweepId, finishedRuns: s.finished, runs: s.total },
        });
        ended.push(s.parentUuid);
      }
      return ended;
    });
  }

  /**
   * Runs not launched from a template (logged by a client from anywhere) that sent heartbeats and
   * then stopped for TRAINING_HEARTBEAT_TIMEOUT_SECONDS: lost, as no executor can be asked about them.
   */
  private async watchdog(): Promise<string[]> {
    return this.ds.transaction(async (m) => {
      const stale = await this.executions.staleRuns(m, this.heartbeatTimeoutSeconds, BATCH);
      for (const r of stale) {
        await this.tracking.updateRun(m, r.id, { status: 'lost', endTime: Date.now() });
        await this.audit.append(m, {
          ...TRAINING_ACTOR,
          action: 'run.lost',
          entityType: 'run',
          entityId: r.uuid,
          projectId: r.projectId,
          before: { status: 'running' },
          after: { status: 'lost', reason: `no heartbeat since ${r.heartbeatAt.toISOString()}` },
        });
      }
      return stale.map((r) => r.uuid);
    });
  }

  /** Copies the job's new output into the run's log stream (all that is left once it ended), then records its status; true when the run's status moved. */
  async settle(e: RunExecutionRow, executor: Executor, status: ExecutionStatus): Promise<boolean> {
    await this.copyOutput(e, executor, TERMINAL_RUN_STATUSES.has(status.state));
    return this.record(e.runUuid, status);
  }

  /**
   * Copies whole lines of the job's output from the execution's offset: one chunk while the job
   * runs; once it ended, chunks until the end (the last line without its line break included), up
   * to OUTPUT_DRAIN_MAX_BYTES, past which one line says the rest was left out. The offset moves in
   * the transaction that writes the lines, only from the value read: a racing sync (or cancel) makes
   * this one read the offset again instead of writing lines twice.
   */
  private async copyOutput(e: RunExecutionRow, executor: Executor, ended: boolean): Promise<void> {
    let budget = ended ? OUTPUT_DRAIN_MAX_BYTES : OUTPUT_CHUNK_BYTES;
    let offset = await this.currentOffset(e);
    while (offset !== null && budget > 0) {
      const want = Math.min(OUTPUT_CHUNK_BYTES, budget);
      const chunk = await this.readOutput(e, executor, offset, want);
      if (!chunk?.length) return;
      const atEnd = chunk.length < want;
      const { lines, consumed } = splitOutput(chunk, { final: ended && atEnd });
      if (consumed === 0) return;
      const from = offset;
      const copied = await this.ds.transaction(async (m) => {
        if (!(await this.executions.advanceLogOffset(m, e.runId, from, from + consumed))) return false;
        const ts = new Date();
        await this.tracking.appendLogs(
          e.runId,
          lines.map((line) => ({ ts, stream: OUTPUT_STREAM, line })),
          m,
        );
        return true;
      });
      if (!copied) {
        offset = await this.currentOffset(e);
        continue;
      }
      offset += consumed;
      budget -= consumed;
      if (atEnd || !ended) return;
    }
    if (offset !== null && ended && budget <= 0 && (await this.readOutput(e, executor, offset, 1))?.length)
      await this.tracking.appendLogs(e.runId, [
        {
          ts: new Date(),
          stream: 'caliper',
          line: `[caliper] the job's output past byte ${offset} was not copied here (at most ${OUTPUT_DRAIN_MAX_BYTES} bytes are copied after a job ends); its end is in the execution's log tail`,
        },
      ]);
  }

  /** The execution's offset as stored now (null: it ended meanwhile, so another sync copied the rest). */
  private async currentOffset(e: RunExecutionRow): Promise<number | null> {
    const now = await this.executions.ofRun(e.runUuid);
    return now && !now.endedAt ? now.logOffset : null;
  }

  /** From the executor when it reads its jobs' output itself (a pod's log), else from the output file the submit named. */
  private readOutput(e: RunExecutionRow, executor: Executor, offset: number, maxBytes: number): Promise<Buffer | undefined> {
    return executor.readOutput
      ? executor.readOutput(e.externalId!, offset, maxBytes)
      : readFileFrom(outputPath(this.workDir, e.runUuid), offset, maxBytes);
  }

  /** Records one run's status; true when the run's status moved. */
  async record(runUuid: string, status: ExecutionStatus): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const e = await this.executions.lock(m, runUuid);
      if (!e || e.endedAt) return false;
      const ended = TERMINAL_RUN_STATUSES.has(status.state);
      const logTail = ended ? (status.logTail ?? this.localTail(e)) : null;
      if (!ended && (e.runStatus === 'lost' || this.silent(e))) {
        // Heartbeats stopped while the scheduler says the job runs (hung, or cut off from the API):
        // lost, and still watched (the message kept saying why): when the job ends, its end is recorded over 'lost'.
        const since = e.heartbeatAt ? new Date(e.heartbeatAt).toISOString() : 'never';
        const message = `no heartbeat since ${since} (over ${this.heartbeatTimeoutSeconds} s), though ${e.executor} reports the job ${status.state}: ${status.message}`;
        await this.executions.recordSync(m, e.runId, { message, exitCode: null, logTail: null, ended: false });
        return e.runStatus === 'lost' ? false : moveRun(m, { tracking: this.tracking, audit: this.audit }, e, 'lost', { reason: message });
      }
      await this.executions.recordSync(m, e.runId, { message: status.message, exitCode: status.exitCode, logTail, ended });
      const target: RunStatus = ended && e.cancelRequestedAt ? 'killed' : (status.state as RunStatus);
      let moved: boolean;
      if (ended && TERMINAL_RUN_STATUSES.has(e.runStatus) && e.runStatus !== target) {
        // The script ended the run itself (MLflow's end_run); the executor's verdict on the process stands.
        await this.tracking.updateRun(m, e.runId, { status: target });
        await this.audit.append(m, {
          actorId: null,
          actorLabel: 'system:training',
          action: `run.${target}`,
          entityType: 'run',
          entityId: e.runUuid,
          projectId: e.projectId,
          before: { status: e.runStatus },
          after: { status: target, exitCode: status.exitCode, message: status.message },
        });
        moved = true;
      } else
        moved = await moveRun(m, { tracking: this.tracking, audit: this.audit }, e, target, {
          exitCode: status.exitCode,
          message: status.message,
        });
      if (ended) await endRunToken(m, this.tokens, e);
      return moved;
    });
  }

  /** A running run that sent heartbeats and then none for the timeout. */
  private silent(e: RunExecutionRow): boolean {
    return (
      e.runStatus === 'running' &&
      e.heartbeatAt !== null &&
      Date.now() - new Date(e.heartbeatAt).getTime() > this.heartbeatTimeoutSeconds * 1000
    );
  }

  /** A local process's output file, in the run's folder on this worker. */
  private localTail(e: RunExecutionRow): string | null {
    return e.executor === 'local' ? fileTail(outputPath(this.workDir, e.runUuid)) : null;
  }
}
