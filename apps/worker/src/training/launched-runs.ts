/**
 * What the training jobs share: a run's folder on the worker (working folder, log), a run's status
 * changed with its audit event, and the run-scoped token ended with the run.
 */
import { mkdirSync, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import path from 'node:path';
import { EntityManager } from 'typeorm';
import type { RunStatus } from '@caliper/domain';
import { ApiTokensRepository, AuditRepository, RunExecutionRow, TrackingRepository } from '@caliper/persistence';

export const TRAINING_ACTOR = { actorId: null, actorLabel: 'system:training' };
export const TERMINAL_RUN_STATUSES: ReadonlySet<string> = new Set(['finished', 'failed', 'killed', 'lost']);
/** Forward moves only: a sync never puts a running run back to queued. */
const ORDER: Record<string, number> = { queued: 0, starting: 1, running: 2 };

/** The run's own folder under TRAINING_WORK_DIR (created 0700): the job's working folder and its log. */
export function runDir(workDir: string, runUuid: string): string {
  const dir = path.join(workDir, 'runs', runUuid);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** The file a job's standard output and error go to (the spec's logPath; for Slurm on the shared filesystem), in the run's folder. */
export function outputPath(workDir: string, runUuid: string): string {
  return path.join(workDir, 'runs', runUuid, 'output.log');
}

/** The last `lines` lines of a file (at most 64 KiB read from its end); null when it cannot be read. */
export function fileTail(file: string, lines = 50): string | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const text = buf.toString('utf8').replace(/\n$/, '');
    return text.split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

/**
 * Moves the run to `status` when that is a move forward (a terminal status always is, unless the
 * run already ended), with its end time and a `run.<status>` audit event; returns whether it moved.
 */
export async function moveRun(
  m: EntityManager,
  deps: { tracking: TrackingRepository; audit: AuditRepository },
  e: Pick<RunExecutionRow, 'runId' | 'runUuid' | 'runStatus' | 'projectId'>,
  status: RunStatus,
  detail: Record<string, unknown>,
): Promise<boolean> {
  if (e.runStatus === status || TERMINAL_RUN_STATUSES.has(e.runStatus)) return false;
  if (!TERMINAL_RUN_STATUSES.has(status) && (ORDER[status] ?? 0) <= (ORDER[e.runStatus] ?? 0)) return false;
  await deps.tracking.updateRun(m, e.runId, {
    status,
    ...(TERMINAL_RUN_STATUSES.has(status) ? { endTime: Date.now() } : {}),
  });
  await deps.audit.append(m, {
    ...TRAINING_ACTOR,
    action: `run.${status}`,
    entityType: 'run',
    entityId: e.runUuid,
    projectId: e.projectId,
    before: { status: e.runStatus },
    after: { status, ...detail },
  });
  return true;
}

/** Revokes the run's token once the run has ended: nothing can log into it afterwards. */
export async function endRunToken(m: EntityManager, tokens: ApiTokensRepository, e: Pick<RunExecutionRow, 'tokenId'>): Promise<void> {
  if (e.tokenId) await tokens.revoke(m, e.tokenId);
}
