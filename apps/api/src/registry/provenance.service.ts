/**
 * Provenance of a model version (issue 14, item 4): everything an auditor needs to walk from a
 * version back to its data and forward to its approvals and deployments, read in one consistent
 * snapshot (a REPEATABLE READ transaction) as plain JSON:
 *
 *   dataset versions (manifest sha256) → run (params, code commit, image digest, executor)
 *   → model version (files and sha256, ONNX validation) → evaluation evidence → signatures
 *   → deployments, with the audit events of each (seq and hash, so the chain can be checked).
 *
 * Every list is bounded; a list cut at its bound says so (`truncated`).
 */
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { notFound } from '@caliper/domain';
import { ModelVersionEntity, PromotionRepository, RegisteredModelEntity, RegistryRepository } from '@caliper/persistence';
import type { ModelRef } from './registry.types';
import { RegistryReads } from './registry-reads';

const MAX_PARAMS = 500;
const MAX_REQUESTS = 100;
const MAX_AUDIT = 500;

export interface VersionProvenance {
  kind: 'caliper.provenance/model-version';
  generatedAt: string;
  model: { id: string; name: string; projectId: string; projectSlug: string };
  version: {
    id: string;
    version: number;
    stage: string;
    source: string;
    artifactDigest: string | null;
    registeredAt: string;
    registeredBy: string | null;
    files: { path: string; size: number; sha256: string }[];
    validation: { status: string; sha256: string | null; opset: number | null; taskType: string | null; validatedAt: string | null } | null;
  };
  run: {
    runId: string;
    name: string;
    experiment: string;
    status: string;
    startTime: string | null;
    endTime: string | null;
    user: string | null;
    gitRepo: string | null;
    gitCommit: string | null;
    imageDigest: string | null;
    executor: { kind: string; jobId: string } | null;
    params: { key: string; value: string }[];
    paramsTruncated: boolean;
  } | null;
  datasets: {
    datasetVersionId: string | null;
    name: string;
    digest: string;
    dataset: string | null;
    number: number | null;
    manifestSha256: string | null;
    sealedAt: string | null;
    sealedBy: string | null;
    itemCount: number | null;
  }[];
  requests: {
    id: string;
    kind: string;
    from: string;
    to: string;
    status: string;
    reason: string;
    requestedBy: string;
    requestedAt: string;
    decidedAt: string | null;
    decisionReason: string | null;
    contentSha256: string | null;
    gates: { gate: string; status: string; detail: string }[];
    evaluation: {
      status: string;
      datasetVersionId: string;
      manifestSha256: string | null;
      modelSha256: string | null;
      itemCount: number | null;
      metrics: Record<string, number | null> | null;
      finishedAt: string | null;
    } | null;
    signatures: {
      printedName: string;
      username: string;
      role: string;
      meaning: string;
      decision: string;
      reason: string | null;
      signedAt: string;
      contentSha256: string;
    }[];
  }[];
  deployments: {
    id: string;
    site: string;
    mode: string;
    status: string;
    modelSha256: string;
    startedAt: string;
    endedAt: string | null;
    endedReason: string | null;
  }[];
  audit: { seq: string; hash: string; time: string; actor: string; action: string; entityType: string; entityId: string | null }[];
  auditTruncated: boolean;
}

const iso = (d: Date | string | number | null): string | null => (d === null ? null : new Date(d).toISOString());

@Injectable()
export class ProvenanceService {
  constructor(
    private readonly ds: DataSource,
    private readonly reads: RegistryReads,
    private readonly registry: RegistryRepository,
    private readonly promotion: PromotionRepository,
  ) {}

  async ofVersion(ref: ModelRef, versionNumber: number): Promise<VersionProvenance> {
    const model = await this.reads.model(ref);
    return this.build(model, await this.reads.versionOf(model, versionNumber));
  }

  /** The provenance of a version already resolved (the GraphQL field on ModelVersion). */
  async ofVersionId(versionId: string): Promise<VersionProvenance> {
    const [version] = await this.registry.findVersionsByIds([versionId]);
    const [model] = version ? await this.registry.findModelsByIds([version.registeredModelId]) : [];
    if (!version || !model) throw notFound(`Model version ${versionId}`);
    return this.build(model, version);
  }

  private build(model: RegisteredModelEntity, version: ModelVersionEntity): Promise<VersionProvenance> {
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      const [project] = (await m.query(`SELECT slug FROM projects WHERE id = $1`, [model.projectId])) as { slug: string }[];
      const files = await this.registry.filesOf([version.id]);
      const validation = await this.registry.findValidation(version.id, m);
      const registeredBy = version.userId ? await this.username(m, version.userId) : null;
      const run = version.runId ? await this.run(m, version.runId) : null;
      const datasets = version.runId ? await this.datasets(m, version.runId) : [];
      const requests = await this.requests(m, version.id);
      const deployments = (await this.promotion.deploymentsOfVersions([version.id])).map((d) => ({
        id: d.id,
        site: d.site,
        mode: d.mode,
        status: d.status,
        modelSha256: d.modelSha256,
        startedAt: iso(d.startedAt) as string,
        endedAt: iso(d.endedAt),
        endedReason: d.endedReason,
      }));
      const evaluationIds = (
        await this.promotion.evaluationsOfRequests(
          requests.map((r) => r.id),
          m,
        )
      ).map((e) => e.id);
      const entityIds = [version.id, ...requests.map((r) => r.id), ...evaluationIds, ...deployments.map((d) => d.id)];
      const audit: {
        seq: string;
        hash: string;
        time: string;
        actor: string;
        action: string;
        entityType: string;
        entityId: string | null;
      }[] = await m.query(
        `SELECT seq::text AS seq, hash, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time, actor_label AS actor, action, entity_type AS "entityType", entity_id AS "entityId"
         FROM audit_events WHERE entity_type IN ('model_version', 'promotion_request', 'model_evaluation', 'deployment') AND entity_id = ANY($1::text[])
         ORDER BY audit_events.seq LIMIT $2`,
        [entityIds, MAX_AUDIT + 1],
      );
      return {
        kind: 'caliper.provenance/model-version',
        generatedAt: new Date().toISOString(),
        model: { id: model.id, name: model.name, projectId: model.projectId, projectSlug: project?.slug ?? '' },
        version: {
          id: version.id,
          version: version.version,
          stage: version.currentStage,
          source: version.source,
          artifactDigest: version.artifactDigest,
          registeredAt: iso(version.creationTime) as string,
          registeredBy,
          files: files.map((f) => ({ path: f.path, size: Number(f.size), sha256: f.sha256 })),
          validation: validation
            ? {
                status: validation.status,
                sha256: validation.sha256,
                opset: validation.opset,
                taskType: validation.taskType,
                validatedAt: iso(validation.validatedAt),
              }
            : null,
        },
        run,
        datasets,
        requests,
        deployments,
        audit: audit.slice(0, MAX_AUDIT),
        auditTruncated: audit.length > MAX_AUDIT,
      };
    });
  }

  private async username(m: EntityManager, id: string): Promise<string | null> {
    const [u] = (await m.query(`SELECT username FROM users WHERE id = $1`, [id])) as { username: string }[];
    return u?.username ?? null;
  }

  private async run(m: EntityManager, runId: string): Promise<VersionProvenance['run']> {
    const [r] = (await m.query(
      `SELECT r.uuid, r.name, e.name AS experiment, r.status, r.start_time AS "startTime", r.end_time AS "endTime", u.username AS "user",
         r.git_repo AS "gitRepo", r.git_commit AS "gitCommit", r.image_digest AS "imageDigest"
       FROM runs r JOIN experiments e ON e.id = r.experiment_id LEFT JOIN users u ON u.id = r.user_id WHERE r.id = $1`,
      [runId],
    )) as {
      uuid: string;
      name: string;
      experiment: string;
      status: string;
      startTime: string | null;
      endTime: string | null;
      user: string | null;
      gitRepo: string | null;
      gitCommit: string | null;
      imageDigest: string | null;
    }[];
    if (!r) return null;
    const params = (await m.query(`SELECT key, value FROM run_params WHERE run_id = $1 ORDER BY key LIMIT $2`, [
      runId,
      MAX_PARAMS + 1,
    ])) as {
      key: string;
      value: string;
    }[];
    const tags = (await m.query(
      `SELECT key, value FROM run_tags WHERE run_id = $1 AND key IN ('mlflow.source.git.commit', 'caliper.executor', 'caliper.executor_job_id', 'slurm.job_id')`,
      [runId],
    )) as { key: string; value: string }[];
    const tag = (k: string) => tags.find((t) => t.key === k)?.value ?? null;
    const executorKind = tag('caliper.executor') ?? (tag('slurm.job_id') ? 'slurm' : null);
    const jobId = tag('caliper.executor_job_id') ?? tag('slurm.job_id');
    return {
      runId: r.uuid,
      name: r.name,
      experiment: r.experiment,
      status: r.status,
      startTime: r.startTime === null ? null : iso(Number(r.startTime)),
      endTime: r.endTime === null ? null : iso(Number(r.endTime)),
      user: r.user,
      gitRepo: r.gitRepo,
      gitCommit: r.gitCommit ?? tag('mlflow.source.git.commit'),
      imageDigest: r.imageDigest,
      executor: executorKind && jobId ? { kind: executorKind, jobId } : null,
      params: params.slice(0, MAX_PARAMS),
      paramsTruncated: params.length > MAX_PARAMS,
    };
  }

  private async datasets(m: EntityManager, runId: string): Promise<VersionProvenance['datasets']> {
    return (
      (await m.query(
        `SELECT i.dataset_version_id AS "datasetVersionId", i.name, i.digest, d.name AS dataset, dv.number, dv.manifest_sha256 AS "manifestSha256",
           dv.sealed_at AS "sealedAt", su.username AS "sealedBy", dv.item_count AS "itemCount"
         FROM run_inputs i LEFT JOIN dataset_versions dv ON dv.id = i.dataset_version_id LEFT JOIN datasets d ON d.id = dv.dataset_id
         LEFT JOIN users su ON su.id = dv.sealed_by
         WHERE i.run_id = $1 AND i.kind = 'dataset' ORDER BY i.id LIMIT 100`,
        [runId],
      )) as (VersionProvenance['datasets'][number] & { sealedAt: Date | null })[]
    ).map((d) => ({ ...d, sealedAt: iso(d.sealedAt) }));
  }

  private async requests(m: EntityManager, versionId: string): Promise<VersionProvenance['requests']> {
    const rows = (await this.promotion.requestsOfVersions([versionId])).slice(0, MAX_REQUESTS);
    const ids = rows.map((r) => r.id);
    const signatures = await this.promotion.signaturesOf(ids, m);
    const evaluations = await this.promotion.evaluationsOfRequests(ids, m);
    const users = new Map<string, string | null>();
    for (const r of rows) if (!users.has(r.requestedBy)) users.set(r.requestedBy, await this.username(m, r.requestedBy));
    return rows.map((r) => {
      const e = evaluations.find((x) => x.requestId === r.id);
      return {
        id: r.id,
        kind: r.kind,
        from: r.fromStage,
        to: r.targetStage,
        status: r.status,
        reason: r.reason,
        requestedBy: users.get(r.requestedBy) ?? r.requestedBy,
        requestedAt: iso(r.requestedAt) as string,
        decidedAt: iso(r.decidedAt),
        decisionReason: r.decisionReason,
        contentSha256: r.contentSha256,
        gates: r.gates.map((g) => ({ gate: g.gate, status: g.status, detail: g.detail })),
        evaluation: e
          ? {
              status: e.status,
              datasetVersionId: e.datasetVersionId,
              manifestSha256: e.manifestSha256,
              modelSha256: e.modelSha256,
              itemCount: e.itemCount,
              metrics: e.metrics,
              finishedAt: iso(e.finishedAt),
            }
          : null,
        signatures: signatures
          .filter((s) => s.requestId === r.id)
          .map((s) => ({
            printedName: s.printedName,
            username: s.username,
            role: s.role,
            meaning: s.meaning,
            decision: s.decision,
            reason: s.reason,
            signedAt: iso(s.signedAt) as string,
            contentSha256: s.contentSha256,
          })),
      };
    });
  }
}
