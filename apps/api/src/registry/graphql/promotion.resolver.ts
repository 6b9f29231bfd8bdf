/**
 * Signed promotion over GraphQL (issue 14): a model's policies, requests, deployments; a request
 * with its gates, evaluation evidence and signatures; the caller's pending signatures; and the
 * mutations to set a policy (project.update), request (promotion.request), sign
 * (promotion.sign, password re-entered) and cancel. A request id is resolved once by the guard's
 * locator (its model's project) and re-checked by the service.
 */

import type { DeploymentRow, EvaluationRow, PromotionRequestRow, SignatureRow } from '@caliper/persistence';
import { PromotionRepository, RegistryRepository } from '@caliper/persistence';
import { projectIdAt, SIGNED_IN } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import DataLoader from 'dataloader';
import { DataSource } from 'typeorm';
import type { ProjectLocator } from '../../auth/locators';
import { projectOfIdAt, Requires } from '../../auth/locators';
import { GqlContext, principalOf } from '../../graphql/context';
import { LoaderFactory, RequestLoaders } from '../../graphql/loaders';
import { PromotionService } from '../promotion.service';
import { ProvenanceService, VersionProvenance } from '../provenance.service';
import { GraphQLJSON } from 'graphql-scalars';
import { ModelStageGql, ModelVersionGql, RegisteredModelGql } from './registry.types';
import {
  CancelPromotionInput,
  DeploymentGql,
  ModelEvaluationGql,
  PromotionPolicyGql,
  PromotionRequestGql,
  PromotionStatusGql,
  PromotionTargetGql,
  RequestPromotionInput,
  SetPromotionPolicyInput,
  SignatureDecisionGql,
  SignatureGql,
  SignatureMeaningGql,
  SignPromotionInput,
} from './promotion.types';

declare module '../../graphql/loaders' {
  interface Loaders {
    promotionRequestProject: DataLoader<string, string | null>;
  }
}

@Injectable()
@RequestLoaders()
export class PromotionLoaders implements LoaderFactory {
  constructor(private readonly ds: DataSource) {}

  create() {
    return {
      promotionRequestProject: new DataLoader<string, string | null>(async (ids) => {
        const rows: { id: string; projectId: string }[] = await this.ds.query(
          `SELECT r.id, rm.project_id AS "projectId" FROM promotion_requests r JOIN registered_models rm ON rm.id = r.registered_model_id WHERE r.id = ANY($1::uuid[])`,
          [ids],
        );
        return ids.map((id) => rows.find((r) => r.id === id)?.projectId ?? null);
      }),
    };
  }
}

/** The project of the promotion request named at `path`; an unknown id and one of an unreadable project get the same NOT_FOUND. */
export const projectOfPromotionRequest = (path: string): ProjectLocator =>
  projectOfIdAt(path, 'Promotion request', (l, id) => l.promotionRequestProject.load(id));

const toSignatureGql = (s: SignatureRow): SignatureGql => ({
  id: s.id,
  printedName: s.printedName,
  username: s.username,
  role: s.role,
  meaning: s.meaning as SignatureMeaningGql,
  decision: s.decision as SignatureDecisionGql,
  reason: s.reason,
  signedAt: s.signedAt,
  contentSha256: s.contentSha256,
});

const toEvaluationGql = (e: EvaluationRow): ModelEvaluationGql => ({
  id: e.id,
  status: e.status,
  datasetVersionId: e.datasetVersionId,
  metrics: e.metrics,
  criteria: e.results?.criteria ?? e.criteria.map((c) => ({ ...c, value: null, passed: false })),
  results: e.results,
  itemCount: e.itemCount,
  modelSha256: e.modelSha256,
  manifestSha256: e.manifestSha256,
  reason: e.reason,
  startedAt: e.startedAt,
  finishedAt: e.finishedAt,
});

/** Request rows with their model, version and requester, in as many queries as there are kinds of row. */
@Injectable()
export class PromotionViews {
  constructor(
    private readonly ds: DataSource,
    private readonly registry: RegistryRepository,
  ) {}

  async requests(rows: readonly PromotionRequestRow[]): Promise<PromotionRequestGql[]> {
    if (!rows.length) return [];
    const models = await this.registry.findModelsByIds([...new Set(rows.map((r) => r.registeredModelId))]);
    const versions = await this.registry.findVersionsByIds([...new Set(rows.map((r) => r.modelVersionId))]);
    const users: { id: string; username: string; displayName: string }[] = await this.ds.query(
      `SELECT id, username, display_name AS "displayName" FROM users WHERE id = ANY($1::uuid[])`,
      [[...new Set(rows.map((r) => r.requestedBy))]],
    );
    return rows.map((r) => {
      const model = models.find((m) => m.id === r.registeredModelId);
      const version = versions.find((v) => v.id === r.modelVersionId);
      const user = users.find((u) => u.id === r.requestedBy);
      return {
        id: r.id,
        projectId: model?.projectId ?? '',
        registeredModelId: r.registeredModelId,
        modelName: model?.name ?? '',
        modelVersionId: r.modelVersionId,
        version: version?.version ?? 0,
        fromStage: r.fromStage as ModelStageGql,
        targetStage: r.targetStage as PromotionTargetGql,
        kind: r.kind,
        reason: r.reason,
        requestedBy: user ?? { id: r.requestedBy, username: '?', displayName: '?' },
        requestedAt: r.requestedAt,
        status: r.status as PromotionStatusGql,
        requiredRoles: r.policy.requiredRoles,
        requiredSignatures: r.policy.requiredSignatures,
        gates: r.gates,
        contentSha256: r.contentSha256,
        decidedAt: r.decidedAt,
        decisionReason: r.decisionReason,
        deploymentId: r.deploymentId,
      };
    });
  }

  async deployments(rows: readonly DeploymentRow[]): Promise<DeploymentGql[]> {
    const versions = await this.registry.findVersionsByIds([...new Set(rows.map((d) => d.modelVersionId))]);
    return rows.map((d) => ({
      id: d.id,
      modelVersionId: d.modelVersionId,
      version: versions.find((v) => v.id === d.modelVersionId)?.version ?? 0,
      promotionRequestId: d.promotionRequestId,
      site: d.site,
      mode: d.mode,
      status: d.status,
      modelSha256: d.modelSha256,
      startedAt: d.startedAt,
      endedAt: d.endedAt,
      endedReason: d.endedReason,
    }));
  }
}

@Resolver(() => PromotionRequestGql)
export class PromotionResolver {
  constructor(
    private readonly service: PromotionService,
    private readonly views: PromotionViews,
    private readonly promotion: PromotionRepository,
  ) {}

  @Query(() => PromotionRequestGql, { description: 'A promotion request with its gates, evidence and signatures' })
  @Requires('project.read', projectOfPromotionRequest('id'))
  async promotionRequest(@Args('id', { type: () => ID }) id: string): Promise<PromotionRequestGql> {
    return (await this.views.requests([await this.service.get(id)]))[0] as PromotionRequestGql;
  }

  @Query(() => [PromotionRequestGql], {
    description: 'Requests awaiting a signature you could give (not your own, a role you hold still missing), oldest first',
  })
  @Requires(SIGNED_IN)
  async myPendingSignatures(
    @Args('first', { type: () => Int, defaultValue: 50, description: 'At most 200' }) first: number,
    @Context() ctx: GqlContext,
  ): Promise<PromotionRequestGql[]> {
    return this.views.requests(await this.service.pendingFor(principalOf(ctx), Math.max(1, Math.min(first, 200))));
  }

  @Mutation(() => [PromotionPolicyGql], {
    description: "Sets a model's gates and required signatures for one stage (project.update: the PI)",
  })
  @Requires('project.update', projectIdAt('input.projectId'))
  async setPromotionPolicy(@Args('input') input: SetPromotionPolicyInput, @Context() ctx: GqlContext): Promise<PromotionPolicyGql[]> {
    const { projectId, modelName, ...policy } = input;
    return (await this.service.setPolicy(
      principalOf(ctx),
      { projectId, name: modelName },
      {
        ...policy,
        testDatasetVersionId: policy.testDatasetVersionId ?? null,
        acceptance: policy.acceptance.map((c) => ({ metric: c.metric, op: c.op, threshold: c.threshold })),
      },
    )) as PromotionPolicyGql[];
  }

  @Mutation(() => PromotionRequestGql, {
    description:
      'Opens a promotion request (promotion.request: the PI). Refused when ONNX validation or the model card gate fails; the evaluation gate runs in the worker',
  })
  @Requires('promotion.request', projectIdAt('input.projectId'))
  async requestPromotion(@Args('input') input: RequestPromotionInput, @Context() ctx: GqlContext): Promise<PromotionRequestGql> {
    const row = await this.service.request(
      principalOf(ctx),
      { projectId: input.projectId, name: input.modelName },
      input.version,
      input.target,
      {
        reason: input.reason,
        rollback: input.rollback,
      },
    );
    return (await this.views.requests([row]))[0] as PromotionRequestGql;
  }

  @Mutation(() => PromotionRequestGql, {
    description:
      'Signs a request: password re-entered (the sign-in lockout applies), meaning stated; a rejection needs a reason and ends the request',
  })
  @Requires('promotion.sign', projectOfPromotionRequest('input.requestId'))
  async signPromotion(@Args('input') input: SignPromotionInput, @Context() ctx: GqlContext): Promise<PromotionRequestGql> {
    const { request } = await this.service.sign(principalOf(ctx), input.requestId, {
      password: input.password,
      meaning: input.meaning,
      decision: input.decision,
      role: input.role ?? null,
      reason: input.reason ?? null,
      ip: ctx.req.ip ?? 'unknown',
    });
    return (await this.views.requests([request]))[0] as PromotionRequestGql;
  }

  @Mutation(() => PromotionRequestGql, { description: 'Withdraws an undecided request (its requester, or a PI), with a reason' })
  @Requires('project.read', projectOfPromotionRequest('input.requestId'))
  async cancelPromotion(@Args('input') input: CancelPromotionInput, @Context() ctx: GqlContext): Promise<PromotionRequestGql> {
    return (
      await this.views.requests([await this.service.cancel(principalOf(ctx), input.requestId, input.reason)])
    )[0] as PromotionRequestGql;
  }

  @ResolveField(() => [SignatureGql], { description: 'In the order given' })
  async signatures(@Parent() r: PromotionRequestGql): Promise<SignatureGql[]> {
    return (await this.promotion.signaturesOf([r.id])).map(toSignatureGql);
  }

  @ResolveField(() => ModelEvaluationGql, { nullable: true, description: 'The evaluation gate, when the policy has one' })
  async evaluation(@Parent() r: PromotionRequestGql): Promise<ModelEvaluationGql | null> {
    const [e] = await this.promotion.evaluationsOfRequests([r.id]);
    return e ? toEvaluationGql(e) : null;
  }

  @ResolveField(() => [String], { description: 'Required roles that have not signed yet' })
  async missingRoles(@Parent() r: PromotionRequestGql): Promise<string[]> {
    const signed = new Set((await this.promotion.signaturesOf([r.id])).map((s) => s.role));
    return r.requiredRoles.filter((role) => !signed.has(role));
  }
}

@Resolver(() => RegisteredModelGql)
export class ModelPromotionFieldsResolver {
  constructor(
    private readonly service: PromotionService,
    private readonly views: PromotionViews,
    private readonly promotion: PromotionRepository,
  ) {}

  @ResolveField(() => [PromotionPolicyGql], { description: 'Gates and signatures per target stage (configured, or the default)' })
  async promotionPolicies(@Parent() model: RegisteredModelGql): Promise<PromotionPolicyGql[]> {
    return (await this.service.policies(model.id)) as PromotionPolicyGql[];
  }

  @ResolveField(() => [PromotionRequestGql], { description: 'Newest first' })
  async promotionRequests(
    @Parent() model: RegisteredModelGql,
    @Args('first', { type: () => Int, defaultValue: 50, description: 'At most 200' }) first: number,
  ): Promise<PromotionRequestGql[]> {
    return this.views.requests(await this.promotion.requestsOfModel(model.id, Math.max(1, Math.min(first, 200))));
  }

  @ResolveField(() => [DeploymentGql], { description: 'Newest first: the stage history of clinical use' })
  async deployments(
    @Parent() model: RegisteredModelGql,
    @Args('first', { type: () => Int, defaultValue: 50, description: 'At most 200' }) first: number,
  ): Promise<DeploymentGql[]> {
    return this.views.deployments(await this.promotion.deploymentsOfModel(model.id, Math.max(1, Math.min(first, 200))));
  }
}

@Resolver(() => ModelVersionGql)
export class VersionPromotionFieldsResolver {
  constructor(
    private readonly views: PromotionViews,
    private readonly promotion: PromotionRepository,
    private readonly provenanceOf: ProvenanceService,
  ) {}

  @ResolveField(() => GraphQLJSON, {
    description:
      'Where the version came from and who approved it: dataset versions (manifest sha256) → run (params, code commit, image digest, executor) → files and sha256 → evaluation evidence → signatures → deployments, with their audit events (seq, hash). Also at …/versions/:version/provenance.json',
  })
  async provenance(@Parent() v: ModelVersionGql): Promise<VersionProvenance> {
    return this.provenanceOf.ofVersionId(v.id);
  }

  @ResolveField(() => [PromotionRequestGql], { description: "This version's promotion requests, newest first" })
  async promotionRequests(@Parent() v: ModelVersionGql): Promise<PromotionRequestGql[]> {
    return this.views.requests(await this.promotion.requestsOfVersions([v.id]));
  }

  @ResolveField(() => [DeploymentGql], { description: "This version's deployments, newest first" })
  async deployments(@Parent() v: ModelVersionGql): Promise<DeploymentGql[]> {
    return this.views.deployments(await this.promotion.deploymentsOfVersions([v.id]));
  }
}
