/**
 * What the evaluation job reads besides the promotion tables: the test dataset version (its
 * dataset, state and manifest digest), its test-split items a page at a time in key order, and
 * the project a registered model belongs to. Read-only.
 */
import { DataSource } from 'typeorm';

export interface EvaluatedDatasetVersion {
  id: string;
  datasetName: string;
  number: number;
  state: string;
  manifestSha256: string | null;
  testItems: number;
}

export interface TestItem {
  itemKey: string;
  objectKey: string | null;
  sha256: string;
  sizeBytes: number;
  label: string | null;
  maskKey: string | null;
}

export class EvaluationReads {
  constructor(private readonly ds: DataSource) {}

  async datasetVersion(id: string): Promise<EvaluatedDatasetVersion | null> {
    const rows: EvaluatedDatasetVersion[] = await this.ds.query(
      `SELECT dv.id, d.name AS "datasetName", dv.number, dv.state, dv.manifest_sha256 AS "manifestSha256",
         (SELECT count(*)::int FROM dataset_items i WHERE i.version_id = dv.id AND i.split = 'test') AS "testItems"
       FROM dataset_versions dv JOIN datasets d ON d.id = dv.dataset_id WHERE dv.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Test-split items after `afterKey` (exclusive), in key order. */
  async testItems(versionId: string, afterKey: string | null, limit: number): Promise<TestItem[]> {
    const rows: (TestItem & { sizeBytes: string })[] = await this.ds.query(
      `SELECT item_key AS "itemKey", object_key AS "objectKey", sha256, size_bytes AS "sizeBytes", label, mask_key AS "maskKey"
       FROM dataset_items WHERE version_id = $1 AND split = 'test' AND ($2::text IS NULL OR item_key > $2) ORDER BY item_key LIMIT $3`,
      [versionId, afterKey, limit],
    );
    return rows.map((r) => ({ ...r, sizeBytes: Number(r.sizeBytes) }));
  }

  async projectOfModel(registeredModelId: string): Promise<string> {
    const rows: { projectId: string }[] = await this.ds.query(`SELECT project_id AS "projectId" FROM registered_models WHERE id = $1`, [
      registeredModelId,
    ]);
    if (!rows[0]) throw new Error(`registered model ${registeredModelId} does not exist`);
    return rows[0].projectId;
  }
}
