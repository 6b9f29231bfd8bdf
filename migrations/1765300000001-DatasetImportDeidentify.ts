import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * PACS imports may de-identify what they copy (issue 13): DICOM PS3.15 Basic Application Level
 * Confidentiality Profile applied to each instance before it is stored in the datasets bucket. Only
 * a copying import can (a reference leaves the PACS's bytes as they are), and the import keeps the
 * counts of what de-identification changed, for the version's attestation.
 */
export class DatasetImportDeidentify1765300000001 implements MigrationInterface {
  name = 'DatasetImportDeidentify1765300000001';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dataset_imports" ADD "deidentify" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "dataset_imports" ADD "deid_summary" jsonb`);
    await q.query(`ALTER TABLE "dataset_imports" ADD CONSTRAINT "CHK_dataset_imports_deidentify" CHECK (NOT deidentify OR copy)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dataset_imports" DROP CONSTRAINT "CHK_dataset_imports_deidentify"`);
    await q.query(`ALTER TABLE "dataset_imports" DROP COLUMN "deid_summary"`);
    await q.query(`ALTER TABLE "dataset_imports" DROP COLUMN "deidentify"`);
  }
}
