/**
 * The transactional outbox: a job is written in the same transaction as the change that causes
 * it, so it exists exactly when the change committed (no lost job when Redis is down, no phantom
 * job from a rolled-back change). The worker's relay moves rows to BullMQ under the job's
 * deterministic id, so a relay that dies between adding and marking adds nothing twice.
 */
import { DataSource, EntityManager } from 'typeorm';
import { deterministicJobId, Job, KeyedJobName, parseJob } from '@caliper/jobs';
import { singleRow } from './single-row';

/** A row as the relay sees it: the payload is not parsed here, so one bad row cannot stall the relay (the processor rejects it). */
export interface OutboxRow {
  id: string;
  name: string;
  data: unknown;
  jobId: string;
  runAfter: Date | null;
}

interface RawOutboxRow {
  id: string;
  job_name: string;
  job_id: string;
  payload: unknown;
  run_after: Date | null;
}

export class OutboxRepository {
  constructor(private readonly ds: DataSource) {}

  /** Writes the job in the caller's transaction; enqueueing the same job twice keeps the first. */
  async enqueue(manager: EntityManager, job: Job<KeyedJobName>, opts: { runAfter?: Date } = {}): Promise<void> {
    const valid = parseJob(job.name, job.data) as Job<KeyedJobName>;
    await manager.query(
      `INSERT INTO outbox (job_name, job_id, payload, run_after) VALUES ($1, $2, $3, $4) ON CONFLICT (job_id) DO NOTHING`,
      [valid.name, deterministicJobId(valid), JSON.stringify(valid.data), opts.runAfter ?? null],
    );
  }

  /**
   * Claims up to `limit` unrelayed rows in id order (rows another relay holds are skipped, not
   * waited for), hands them to `publish`, and marks them relayed in the same transaction. If
   * `publish` or the marking fails, nothing is marked and the rows are claimed again later.
   * Returns how many rows were relayed.
   */
  async relayBatch(limit: number, publish: (rows: OutboxRow[]) => Promise<void>): Promise<number> {
    return this.ds.transaction(async (manager) => {
      const raw: RawOutboxRow[] = await manager.query(
        `SELECT id, job_name, job_id, payload, run_after FROM outbox WHERE relayed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (raw.length === 0) return 0;
      const rows = raw.map((r) => ({ id: r.id, name: r.job_name, data: r.payload, jobId: r.job_id, runAfter: r.run_after }));
      await publish(rows);
      await manager.query(`UPDATE outbox SET relayed_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  /** How many jobs wait to be relayed (a gauge for the worker's metrics). */
  async countUnrelayed(): Promise<number> {
    const rows: { n: number }[] = await this.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`);
    return singleRow(rows, 'the unrelayed count').n;
  }

  /** Deletes rows relayed before `cutoff`; they are kept a while to trace a job back to its cause. */
  async pruneRelayed(cutoff: Date): Promise<number> {
    const result: [unknown[], number] = await this.ds.query(`DELETE FROM outbox WHERE relayed_at < $1`, [cutoff]);
    return result[1];
  }
}
