import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delayed outbox jobs: `run_after` is when the job may run (the relay turns it into a BullMQ
 * delay); null runs at once. The partial index keeps the relay's scan for unrelayed rows small
 * while relayed rows accumulate until they are pruned.
 */
export class OutboxSchedule1764300000000 implements MigrationInterface {
  name = 'OutboxSchedule1764300000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "outbox" ADD "run_after" TIMESTAMP WITH TIME ZONE`);
    await q.query(`CREATE INDEX "IDX_outbox_unrelayed" ON "outbox" ("id") WHERE relayed_at IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_outbox_unrelayed"`);
    await q.query(`ALTER TABLE "outbox" DROP COLUMN "run_after"`);
  }
}
