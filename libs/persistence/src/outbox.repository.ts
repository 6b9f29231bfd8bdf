/**
 * The transactional outbox: a job is written in the same transaction as the change that causes
 * it, so it exists exactly when the change committed (no lost job when Redis is down, no phantom
 * job from a rolled-back change). The worker's relay moves rows to BullMQ under the job's
 * deterministic id, so a relay that dies between adding and marking adds nothing twice.
 * A new row also NOTIFYs OUTBOX_CHANNEL (delivered at commit, never for a rolled-back one), so a
 * listening relay moves it at once instead of at its next poll.
 */
import { Client } from 'pg';
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

/** The channel a committed outbox row is announced on (payload empty: the relay reads the rows). */
export const OUTBOX_CHANNEL = 'caliper_outbox';

export class OutboxRepository {
  constructor(private readonly ds: DataSource) {}

  /** Writes the job in the caller's transaction; enqueueing the same job twice keeps the first. */
  async enqueue(manager: EntityManager, job: Job<KeyedJobName>, opts: { runAfter?: Date } = {}): Promise<void> {
    const valid = parseJob(job.name, job.data) as Job<KeyedJobName>;
    await manager.query(
      `WITH added AS (
         INSERT INTO outbox (job_name, job_id, payload, run_after) VALUES ($1, $2, $3, $4) ON CONFLICT (job_id) DO NOTHING RETURNING 1
       )
       SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM added`,
      [valid.name, deterministicJobId(valid), JSON.stringify(valid.data), opts.runAfter ?? null],
    );
  }

  /**
   * Calls `onRow` whenever a transaction that enqueued a job commits, over a connection of its
   * own (outside the pool). `onLost` is called once if that connection fails; listen again to
   * resume. Resolves with a function that stops listening.
   */
  async listen(onRow: () => void, onLost: (err: Error) => void): Promise<() => Promise<void>> {
    const url = (this.ds.options as { url?: string }).url;
    if (!url) throw new Error('the data source has no url to open a listening connection with');
    const client = new Client({ connectionString: url });
    let closed = false;
    client.on('notification', (n) => {
      if (n.channel === OUTBOX_CHANNEL) onRow();
    });
    client.on('error', (err) => {
      if (!closed) {
        closed = true;
        onLost(err);
        void client.end().catch(() => undefined);
      }
    });
    await client.connect();
    try {
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    return async () => {
      if (closed) return;
      closed = true;
      await client.end().catch(() => undefined);
    };
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
