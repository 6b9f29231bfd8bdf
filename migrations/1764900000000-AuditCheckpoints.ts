import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The database's record of every audit checkpoint the worker wrote to the object store (issue 10,
 * finding 4): `caliper audit verify` then knows which checkpoints must exist and fails when one is
 * gone, instead of checking "0 of 0". Append-only like audit_events (same trigger function): the
 * app role may only SELECT and INSERT. Hand-written, outside TypeORM's entities like audit_events.
 */
export class AuditCheckpoints1764900000000 implements MigrationInterface {
  name = 'AuditCheckpoints1764900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit_checkpoints (
      seq bigint PRIMARY KEY,
      hash char(64) NOT NULL,
      object_key text NOT NULL UNIQUE,
      locked boolean NOT NULL,
      written_at timestamptz NOT NULL,
      CONSTRAINT audit_checkpoints_hash_hex CHECK (hash ~ '^[0-9a-f]{64}$'))`);
    await q.query(
      `CREATE TRIGGER audit_checkpoints_immutable BEFORE UPDATE OR DELETE ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`,
    );
    await q.query(
      `CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`,
    );
    await q.query(`GRANT SELECT, INSERT ON audit_checkpoints TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_checkpoints`);
  }
}
