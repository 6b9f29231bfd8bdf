/**
 * The CLI's operator commands (migrate, audit verify, audit acknowledge-break): they talk to the
 * database and S3, so they load TypeORM, the S3 client and zod (a third of a second), which
 * main.ts imports only when one of them runs, not for `--help` or `runs …`.
 */
import { AuditCheckpoint, checkpointDeadlineSeconds, ROW_BREAK_KINDS, textProblem } from '@caliper/domain';
import { Config, loadConfig } from '@caliper/config';
import { AuditRepository, createDataSource, ensureDatabase, runMigrations, setAppRolePassword } from '@caliper/persistence';
import { AuditCheckpointStore, objectStoreFromConfig } from '@caliper/storage';

export async function migrate(): Promise<void> {
  const config = loadConfig();
  if (await ensureDatabase(config.DATABASE_OWNER_URL)) console.log('created database');
  const applied = await runMigrations(config.DATABASE_OWNER_URL);
  if (config.DATABASE_APP_PASSWORD) await setAppRolePassword(config.DATABASE_OWNER_URL, config.DATABASE_APP_PASSWORD);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
}

export async function auditVerify(opts: { json?: boolean; skipCheckpoints?: boolean }): Promise<void> {
  const config = loadConfig();
  const checkpoints = opts.skipCheckpoints ? null : await readCheckpoints(config);
  const deadline = checkpointDeadlineSeconds(config.AUDIT_CHECKPOINT_INTERVAL_SECONDS, config.AUDIT_CHECKPOINT_QUIET_SECONDS);
  const ds = createDataSource(config.DATABASE_URL, { applicationName: 'caliper-cli', poolSize: 1 });
  await ds.initialize();
  try {
    const report = await new AuditRepository(ds).verify(checkpoints, { coverBefore: new Date(Date.now() - deadline * 1000) });
    const against =
      checkpoints === null
        ? 'checkpoints NOT checked (--skip-checkpoints)'
        : `${report.checkpointsChecked} of ${report.checkpointsFound} checkpoint(s) in s3://${config.S3_BUCKET_AUDIT} match; ${report.checkpointsExpected} recorded in the database`;
    const acknowledged = report.breaks.filter((b) => b.acknowledged);
    if (opts.json) console.log(JSON.stringify(report));
    else {
      if (report.ok) {
        console.log(
          `audit chain intact${acknowledged.length ? ` but for ${acknowledged.length} acknowledged break(s)` : ''}: ${report.checkedEvents} events, last #${report.lastSeq} ${report.lastHash}; ${against}`,
        );
      } else {
        console.log(
          `audit chain BROKEN at event #${report.firstBrokenSeq}: ${report.problem} (${report.unacknowledgedBreaks} unacknowledged break(s), ${report.checkedEvents} events checked, last #${report.lastSeq}; ${against})`,
        );
      }
      for (const b of report.breaks) {
        const ack = b.acknowledged
          ? ` [acknowledged in event #${b.acknowledged.seq} by ${b.acknowledged.by} at ${b.acknowledged.time}: ${b.acknowledged.reason ?? ''}]`
          : '';
        console.log(`  #${b.seq} ${b.kind}: ${b.problem}${ack}`);
      }
      if (!report.ok && report.breaks.some((b) => !b.acknowledged && ROW_BREAK_KINDS.includes(b.kind))) {
        console.log(
          'Investigate each break; a row that cannot be restored is acknowledged with `caliper audit acknowledge-break --seq N --by ADMIN --reason "..."` (README: audit).',
        );
      }
    }
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await ds.destroy();
  }
}

export async function acknowledgeBreak(opts: { seq: string; by: string; reason: string }): Promise<void> {
  if (!/^[1-9][0-9]{0,15}$/.test(opts.seq)) throw new Error(`--seq must be an event number, e.g. --seq 42 (got "${opts.seq}")`);
  const reason = opts.reason.trim();
  if (reason.length < 10) throw new Error('--reason must say what was found (at least 10 characters)');
  const bad = textProblem(reason);
  if (bad) throw new Error(`--reason ${bad}`);
  const config = loadConfig();
  const ds = createDataSource(config.DATABASE_URL, { applicationName: 'caliper-cli', poolSize: 1 });
  await ds.initialize();
  try {
    const [user]: { id: string; global_role: string | null; is_active: boolean }[] = await ds.query(
      `SELECT id, global_role, is_active FROM users WHERE username = $1`,
      [opts.by],
    );
    if (!user || user.global_role !== 'system_admin' || !user.is_active) {
      throw new Error(`--by "${opts.by}" is not an active system admin: only a system admin can acknowledge a break in the audit chain`);
    }
    const { ackSeq, acknowledged } = await new AuditRepository(ds).acknowledgeBreak({
      seq: Number(opts.seq),
      reason,
      actorId: user.id,
      actorLabel: opts.by,
    });
    console.log(
      `acknowledged the break at event #${opts.seq} (${acknowledged.map((b) => b.kind).join(', ')}) in audit event #${ackSeq} by ${opts.by}`,
    );
  } finally {
    await ds.destroy();
  }
}

/** The checkpoints the worker wrote to S3; failing to read them is an error, never "no checkpoints". */
async function readCheckpoints(config: Config): Promise<AuditCheckpoint[]> {
  const store = objectStoreFromConfig(config);
  try {
    if (!(await store.bucketExists(config.S3_BUCKET_AUDIT))) {
      throw new Error(`bucket "${config.S3_BUCKET_AUDIT}" does not exist (the worker creates it and writes checkpoints there)`);
    }
    return await new AuditCheckpointStore(store, config.S3_BUCKET_AUDIT).readAll();
  } catch (err) {
    throw new Error(
      `could not read the audit checkpoints from ${config.S3_ENDPOINT}: ${(err as Error).message}. Check S3_ENDPOINT and S3_BUCKET_AUDIT, or pass --skip-checkpoints to verify the chain alone.`,
    );
  }
}
