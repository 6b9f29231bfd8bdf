/**
 * 'registry.validate-version': validates a registered model version's ONNX file. The file the
 * version pinned is read from the artifact store and streamed through sha256 (the digest must be
 * the one pinned at registration: other bytes make the version invalid), loaded with
 * onnxruntime-node and run on a smoke input; its opset and input/output signature are recorded, and
 * the task type and spec given at registration are checked against what the model gives. The
 * outcome ('valid', or 'invalid' with its reason) is written once, with a
 * 'model_version.validated' audit event, in one transaction; the row cannot change afterwards.
 * Only a failure to reach the store or the database is retried.
 */
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { modelSpecSchema, specSignatureProblem, type TensorSignature } from '@caliper/domain';
import { JobPayloads } from '@caliper/jobs';
import { AuditRepository, ModelVersionFileEntity, RegistryRepository } from '@caliper/persistence';
import { ObjectNotFoundError, ObjectStore } from '@caliper/storage';
import { JobProcessor, JobResult, ProcessesJob } from '../jobs/job-processor';
import { inspectOnnx, OnnxModelError } from './onnx-model';

/** The largest model file the worker reads into memory to validate. */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024;

type Payload = JobPayloads['registry.validate-version'];

interface Outcome {
  status: 'valid' | 'invalid';
  reason: string | null;
  filePath: string | null;
  sha256: string | null;
  opset: number | null;
  inputs: TensorSignature[] | null;
  outputs: TensorSignature[] | null;
}

class Invalid extends Error {
  constructor(
    message: string,
    readonly partial: Partial<Outcome> = {},
  ) {
    super(message);
  }
}

/** The ONNX file of a version: its only file, or its only *.onnx file. */
export function onnxFileOf(files: readonly ModelVersionFileEntity[]): ModelVersionFileEntity {
  if (!files.length)
    throw new Invalid(
      'The version pins no files (it was registered from a source outside the run artifacts), so there is no model to validate.',
    );
  if (files.length === 1) return files[0]!;
  const onnx = files.filter((f) => f.path.toLowerCase().endsWith('.onnx'));
  if (onnx.length === 1) return onnx[0]!;
  throw new Invalid(
    onnx.length
      ? `The version pins ${onnx.length} .onnx files (${onnx.map((f) => f.path).join(', ')}); register the one to validate.`
      : `The version pins ${files.length} files and none is an .onnx file (${files
          .slice(0, 5)
          .map((f) => f.path)
          .join(', ')}${files.length > 5 ? ', …' : ''}).`,
  );
}

@Injectable()
@ProcessesJob('registry.validate-version')
export class ValidateVersionJob implements JobProcessor<'registry.validate-version'> {
  constructor(
    private readonly ds: DataSource,
    private readonly registry: RegistryRepository,
    private readonly audit: AuditRepository,
    private readonly store: ObjectStore,
  ) {}

  async run(data: Payload): Promise<JobResult> {
    const validation = await this.registry.findValidation(data.modelVersionId);
    if (!validation)
      return { outcome: 'skipped', detail: { reason: 'no validation row for this version', modelVersionId: data.modelVersionId } };
    if (validation.status !== 'pending')
      return { outcome: 'skipped', detail: { reason: `already ${validation.status}`, modelVersionId: data.modelVersionId } };
    const [version] = await this.registry.findVersionsByIds([data.modelVersionId]);
    if (!version) return { outcome: 'skipped', detail: { reason: 'no such model version', modelVersionId: data.modelVersionId } };

    let outcome: Outcome;
    try {
      outcome = await this.validate(await this.registry.filesOf([version.id]), validation.taskType, validation.spec);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      outcome = {
        status: 'invalid',
        reason: err.message,
        filePath: null,
        sha256: null,
        opset: null,
        inputs: null,
        outputs: null,
        ...err.partial,
      };
    }

    const written = await this.ds.transaction(async (m) => {
      if (!(await this.registry.finishValidation(m, version.id, outcome))) return false;
      const model = (await this.registry.findModelsByIds([version.registeredModelId]))[0]!;
      const [user] = version.userId
        ? ((await m.query(`SELECT username FROM users WHERE id = $1`, [version.userId])) as { username: string }[])
        : [];
      await this.audit.append(m, {
        actorId: version.userId,
        actorLabel: user?.username ?? 'caliper-worker',
        action: 'model_version.validated',
        entityType: 'model_version',
        entityId: version.id,
        projectId: model.projectId,
        before: null,
        after: {
          model: model.name,
          version: version.version,
          status: outcome.status,
          reason: outcome.reason,
          file: outcome.filePath,
          sha256: outcome.sha256,
          opset: outcome.opset,
          inputs: outcome.inputs,
          outputs: outcome.outputs,
          taskType: validation.taskType,
        },
      });
      return true;
    });
    return written
      ? { outcome: 'done', detail: { modelVersionId: version.id, status: outcome.status, reason: outcome.reason } }
      : { outcome: 'skipped', detail: { reason: 'validated meanwhile', modelVersionId: version.id } };
  }

  private async validate(
    files: readonly ModelVersionFileEntity[],
    taskType: string | null,
    spec: Record<string, unknown> | null,
  ): Promise<Outcome> {
    const file = onnxFileOf(files);
    const base = { filePath: file.path };
    if (file.size > MAX_MODEL_BYTES)
      throw new Invalid(`${file.path} is ${file.size} bytes; the validator reads models of at most ${MAX_MODEL_BYTES} bytes.`, base);
    const bytes = await this.fetch(file);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const read = { ...base, sha256 };
    if (sha256 !== file.sha256)
      throw new Invalid(`${file.path} in the store has sha256 ${sha256}, not the ${file.sha256} pinned at registration.`, read);
    let inspected;
    try {
      inspected = await inspectOnnx(bytes);
    } catch (err) {
      if (err instanceof OnnxModelError) throw new Invalid(`${file.path}: ${err.message}`, read);
      throw err;
    }
    const found = { ...read, opset: inspected.opset, inputs: inspected.inputs, outputs: inspected.outputs };
    if (taskType !== null) {
      const parsed = modelSpecSchema.safeParse({ taskType, ...(spec ?? {}) });
      if (!parsed.success)
        throw new Invalid(`The spec recorded at registration does not parse: ${parsed.error.issues[0]?.message}.`, found);
      const problem = specSignatureProblem(parsed.data, inspected.inputs, inspected.smokeOutputs);
      if (problem) throw new Invalid(problem, found);
    }
    return { status: 'valid', reason: null, ...found };
  }

  /** The whole object, hashed as it streams; a missing object makes the version invalid, an unreachable store is retried. */
  private async fetch(file: ModelVersionFileEntity): Promise<Buffer> {
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of await this.store.read(file.bucket, file.objectKey)) {
        size += (chunk as Buffer).length;
        if (size > MAX_MODEL_BYTES) throw new Invalid(`${file.path} is larger than ${MAX_MODEL_BYTES} bytes.`, { filePath: file.path });
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks, size);
    } catch (err) {
      if (err instanceof ObjectNotFoundError)
        throw new Invalid(`${file.path} is missing from the artifact store (${file.bucket}/${file.objectKey}).`, { filePath: file.path });
      throw err;
    }
  }
}
