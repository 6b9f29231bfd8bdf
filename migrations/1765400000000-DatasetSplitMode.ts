import { MigrationInterface, QueryRunner } from 'typeorm';

const TWO_SPLITS = `IF EXISTS (SELECT 1 FROM dataset_items WHERE version_id = NEW.id GROUP BY patient_key HAVING count(DISTINCT split) > 1
                                                                             OR (count(split) > 0 AND count(split) < count(*))) THEN
            RAISE EXCEPTION 'dataset version % puts a patient in two splits', NEW.id USING ERRCODE = 'check_violation';
          END IF;`;

const guard = (extra: string) => `
      CREATE OR REPLACE FUNCTION dataset_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.state = 'sealed' THEN
          RAISE EXCEPTION 'dataset version % is sealed and cannot be changed', OLD.id USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.state = 'sealed' THEN
          ${TWO_SPLITS}${extra}
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END $$`;

/**
 * Explicit splits (issue 13): a draft's splits can come from a file (study or instance → train, val,
 * test) instead of the seed. `split_mode` says which: 'seed' places new patients by the seed and
 * ratios; 'explicit' never does (a new item of a placed patient takes that patient's split, a new
 * patient stays unplaced until a split file places it). The seal guard also refuses to seal an
 * explicit version with an unplaced item (a seeded one is placed by the seal itself).
 */
export class DatasetSplitMode1765400000000 implements MigrationInterface {
  name = 'DatasetSplitMode1765400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dataset_versions" ADD "split_mode" text NOT NULL DEFAULT 'seed'`);
    await q.query(
      `ALTER TABLE "dataset_versions" ADD CONSTRAINT "CHK_dataset_versions_split_mode" CHECK (split_mode IN ('seed', 'explicit'))`,
    );
    await q.query(
      guard(`
          IF NEW.split_mode = 'explicit' AND EXISTS (SELECT 1 FROM dataset_items WHERE version_id = NEW.id AND split IS NULL) THEN
            RAISE EXCEPTION 'dataset version % has items in no split', NEW.id USING ERRCODE = 'check_violation';
          END IF;`),
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(guard(''));
    await q.query(`ALTER TABLE "dataset_versions" DROP CONSTRAINT "CHK_dataset_versions_split_mode"`);
    await q.query(`ALTER TABLE "dataset_versions" DROP COLUMN "split_mode"`);
  }
}
