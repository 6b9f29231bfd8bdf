/**
 * Which sealed dataset version a logged dataset input is. A run's dataset input is linked
 * (run_inputs.dataset_version_id) when, within the run's project, its source names a sealed
 * version (`caliper://dataset-versions/<id>`, or the version's id anywhere in the source, as
 * `mlflow.data.from_*(…, source=…)` writes it) or its digest is the version's manifest sha256 (in
 * full, or its first 8 or more hex characters: MLflow digests are short). Drafts are never linked:
 * only a sealed version is what a run can be proven to have used.
 */
import { EntityManager } from 'typeorm';

export const DATASET_VERSION_URI = 'caliper://dataset-versions/';
const UUID_G = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export interface LinkableInput {
  kind: 'dataset' | 'model';
  digest: string;
  descriptor: Record<string, unknown>;
}

export interface SealedVersionRef {
  id: string;
  datasetName: string;
  number: number;
  manifestSha256: string;
}

/** Sealed versions of the project by id or manifest digest. */
export async function sealedVersions(
  m: EntityManager,
  projectId: string,
  by: { ids: string[]; digests: string[] },
): Promise<SealedVersionRef[]> {
  if (!by.ids.length && !by.digests.length) return [];
  return m.query(
    `SELECT v.id, d.name AS "datasetName", v.number, v.manifest_sha256 AS "manifestSha256"
       FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id
      WHERE d.project_id = $1 AND v.state = 'sealed'
        AND (v.id = ANY($2::uuid[]) OR EXISTS (SELECT 1 FROM unnest($3::text[]) g WHERE length(g) >= 8 AND starts_with(v.manifest_sha256, g)))`,
    [projectId, by.ids, by.digests.map((d) => d.toLowerCase()).filter((d) => /^[0-9a-f]{8,64}$/.test(d))],
  );
}

/** The sealed version each input is (null where none matches), in input order. */
export async function linkDatasetInputs(m: EntityManager, projectId: string, inputs: readonly LinkableInput[]): Promise<(string | null)[]> {
  const idsOf = (i: LinkableInput) => (JSON.stringify(i.descriptor.source ?? '').match(UUID_G) ?? []).map((s) => s.toLowerCase());
  const datasets = inputs.filter((i) => i.kind === 'dataset');
  const found = await sealedVersions(m, projectId, {
    ids: [...new Set(datasets.flatMap(idsOf))],
    digests: [...new Set(datasets.map((i) => i.digest))],
  });
  return inputs.map((i) => {
    if (i.kind !== 'dataset') return null;
    const ids = idsOf(i);
    const byId = found.find((v) => ids.includes(v.id));
    if (byId) return byId.id;
    const digest = i.digest.toLowerCase();
    return found.find((v) => digest.length >= 8 && v.manifestSha256.startsWith(digest))?.id ?? null;
  });
}
