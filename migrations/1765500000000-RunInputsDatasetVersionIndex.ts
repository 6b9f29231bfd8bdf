import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs that used a dataset version (a version page's "Runs using this version", and the models
 * trained from them): an index of run_inputs by the linked version, newest run first, so the page
 * reads its rows instead of scanning every run's inputs. Only linked inputs are indexed.
 */
export class RunInputsDatasetVersionIndex1765500000000 implements MigrationInterface {
  name = 'RunInputsDatasetVersionIndex1765500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "IDX_run_inputs_dataset_version" ON "run_inputs" ("dataset_version_id", "run_id") WHERE dataset_version_id IS NOT NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_run_inputs_dataset_version"`);
  }
}
