/**
 * A registered model with one version from outside any run (`external://<name>`), whose files are
 * the stored objects the caller put, pinned with their sizes and sha256s, in one transaction, as
 * the registry writes them; with `spec`, a pending ONNX validation for the validate job to finish.
 * For tests and benchmarks that need a model version (transfer learning, evaluation) without the
 * MLflow or GraphQL registration around it.
 */
import type { ModelSpec } from '@caliper/domain';
import type { DataSource } from 'typeorm';
import { RegistryRepository } from '../repositories/registry.repository';

export interface PinnedFile {
  path: string;
  bucket: string;
  objectKey: string;
  size: number;
  sha256: string;
}

export async function registerExternalVersion(
  ds: DataSource,
  opts: { projectId: string; userId: string; name: string; files: readonly PinnedFile[]; spec?: ModelSpec | null },
): Promise<{ id: string; registeredModelId: string }> {
  const registry = new RegistryRepository(ds);
  return ds.transaction(async (m) => {
    const now = Date.now();
    const model = await registry.createModel(m, { projectId: opts.projectId, name: opts.name, description: null, now });
    const v = await registry.createVersion(m, {
      registeredModelId: model.id,
      version: 1,
      source: `external://${opts.name}`,
      runId: null,
      artifactPath: 'model',
      artifactDigest: null,
      currentStage: 'none',
      description: '',
      runLink: '',
      userId: opts.userId,
      creationTime: now,
      lastUpdatedTime: now,
    });
    await registry.pinFiles(m, v.id, opts.files);
    if (opts.spec !== undefined) await registry.createValidation(m, v.id, opts.spec);
    return { id: v.id, registeredModelId: v.registeredModelId };
  });
}
