/**
 * Launching a training run from a template version (issue 15, item 2), and cancelling it. A
 * launch is one transaction: the template version resolved and checked once (run.write in its
 * project), the values checked against its parameters, the run created 'queued' in the
 * experiment (made when missing) with the values as its params, tags naming the template and
 * the executor, its inputs (the sealed dataset version; the initial model version for transfer
 * learning), the run_executions row with the rendered command, and the 'training.submit' job in
 * the outbox. The worker submits it; nothing here talks to a scheduler.
 *
 * Cancel sets the request once and queues 'training.cancel'; a run that has not been submitted
 * yet is marked killed at once by the worker's submit, which sees the request.
 */
import { actorOf, assertGranted, Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  DomainError,
  expandSweep,
  notFound,
  ParameterValue,
  parameterText,
  renderCommand,
  resolveLaunchValues,
  SweepSpec,
} from '@caliper/domain';
import { parseJob } from '@caliper/jobs';
import {
  AuditRepository,
  OutboxRepository,
  QueueEntryRow,
  RunEntity,
  RunExecutionRow,
  RunExecutionsRepository,
  RunTemplateRow,
  RunTemplatesRepository,
  RunTemplateVersionRow,
  TrackingRepository,
} from '@caliper/persistence';
import { DATASET_VERSION_URI, SealedVersionRef, sealedVersions } from '../tracking/dataset-links';
import { TrackingService } from '../tracking/tracking.service';
import { TrainingWorkers } from './training-workers';

export interface SweepCommand {
  templateVersionId: string;
  experimentName?: string | null;
  /** The parent run's name; "<template> <method> sweep" by default. */
  name?: string | null;
  spec: SweepSpec;
}

interface LaunchContext {
  version: RunTemplateVersionRow;
  template: RunTemplateRow;
  dataset: SealedVersionRef | null;
  experimentId: string;
}

export interface LaunchCommand {
  templateVersionId: string;
  /** The experiment the run goes in (created when missing); the template's name by default. */
  experimentName?: string | null;
  runName?: string | null;
  values: readonly { name: string; value: string }[];
}

const TERMINAL = new Set(['finished', 'failed', 'killed', 'lost']);

export interface QueuePage {
  entries: QueueEntryRow[];
  hasNextPage: boolean;
  totalCount: number;
  recentlyEnded: QueueEntryRow[];
}

@Injectable()
export class RunLaunchService {
  constructor(
    private readonly ds: DataSource,
    private readonly templates: RunTemplatesRepository,
    private readonly executions: RunExecutionsRepository,
    private readonly tracking: TrackingRepository,
    private readonly trackingService: TrackingService,
    private readonly outbox: OutboxRepository,
    private readonly audit: AuditRepository,
    private readonly workers: TrainingWorkers,
  ) {}

  async launch(principal: Principal, cmd: LaunchCommand): Promise<{ runUuid: string; experimentId: string; name: string }> {
    const { version, template } = await this.resolve(principal, cmd.templateVersionId);
    const values = resolveLaunchValues(version.parameters, cmd.values);
    return this.ds.transaction(async (m) => {
      const ctx = await this.context(m, principal, version, template, cmd.experimentName);
      const run = await this.launchOne(m, principal, ctx, values, { name: cmd.runName?.trim() || null });
      return { runUuid: run.uuid, experimentId: ctx.experimentId, name: run.name };
    });
  }

  /**
   * A sweep (issue 15, item 5): the runs expandSweep makes of the spec (each run's values checked as
   * a launch checks them), launched in one transaction as children of a parent run that stands for
   * the sweep (MLflow's nested runs: the compare page and any MLflow client group them). The first
   * `maxConcurrent` are queued for submission; the worker's sync queues the next as each ends.
   */
  async launchSweep(
    principal: Principal,
    cmd: SweepCommand,
  ): Promise<{ sweepId: string; parentRunUuid: string; runUuids: string[]; experimentId: string }> {
    const { version, template } = await this.resolve(principal, cmd.templateVersionId);
    const combos = expandSweep(version.parameters, cmd.spec);
    const valuesOf = combos.map((c) => resolveLaunchValues(version.parameters, c));
    return this.ds.transaction(async (m) => {
      const ctx = await this.context(m, principal, version, template, cmd.experimentName);
      const label = cmd.name?.trim() || `${template.name} ${cmd.spec.method} sweep`;
      const parent = await this.trackingService.createRun(
        principal,
        {
          experimentId: ctx.experimentId,
          name: label,
          status: 'running',
          tags: [...this.tags(version, template), { key: 'caliper.sweep_method', value: cmd.spec.method }],
        },
        m,
      );
      const sweepId = await this.executions.createSweep(m, {
        projectId: version.projectId,
        templateVersionId: version.id,
        parentRunId: parent.id,
        spec: cmd.spec,
        maxConcurrent: cmd.spec.maxConcurrent,
        runCount: combos.length,
        createdBy: principal.user.id,
      });
      await this.tracking.upsertTags(m, parent.id, [{ key: 'caliper.sweep', value: sweepId }]);
      const runUuids: string[] = [];
      for (const [i, values] of valuesOf.entries()) {
        const run = await this.launchOne(m, principal, ctx, values, {
          name: `${label} #${i + 1}`,
          parentRunUuid: parent.uuid,
          sweepId,
          submitQueued: i < cmd.spec.maxConcurrent,
        });
        runUuids.push(run.uuid);
      }
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'run.sweep_launched',
        entityType: 'run',
        entityId: parent.uuid,
        projectId: version.projectId,
        after: {
          sweepId,
          template: template.name,
          templateVersion: version.version,
          spec: JSON.parse(JSON.stringify(cmd.spec)),
          runs: runUuids,
        },
      });
      return { sweepId, parentRunUuid: parent.uuid, runUuids, experimentId: ctx.experimentId };
    });
  }

  /** The template version, checked once: run.write in its project, and not through a token limited to a run. */
  private async resolve(
    principal: Principal,
    templateVersionId: string,
  ): Promise<{ version: RunTemplateVersionRow; template: RunTemplateRow }> {
    if (principal.method === 'token' && principal.token.runId)
      throw new DomainError('FORBIDDEN', `This API token is limited to run ${principal.token.runId} and cannot launch runs.`);
    const version = await this.templates.version(templateVersionId);
    if (!version) throw notFound(`Run template version ${templateVersionId}`);
    assertGranted(principal, 'run.write', version.projectId);
    const template = (await this.templates.template(version.templateId))!;
    await this.workers.assertAvailable(version.executor, template.name);
    return { version, template };
  }

  /** In the launch's transaction: the references again (a model version deleted since is refused), the dataset version, the experiment. */
  private async context(
    m: EntityManager,
    principal: Principal,
    version: RunTemplateVersionRow,
    template: RunTemplateRow,
    experimentName: string | null | undefined,
  ): Promise<LaunchContext> {
    if (version.initialModelVersionId && !(await this.templates.modelVersionRef(m, version.initialModelVersionId)))
      throw new DomainError(
        'INVALID_STATE',
        `The template's initial model version (${version.initialModelVersionLabel}) no longer exists.`,
      );
    const [dataset] = version.datasetVersionId
      ? await sealedVersions(m, version.projectId, { ids: [version.datasetVersionId], digests: [] })
      : [];
    const name = experimentName?.trim() || template.name;
    const experiment =
      (await this.tracking.findExperimentByName(version.projectId, name, m)) ??
      (await this.trackingService.createExperiment(principal, version.projectId, name, [], m));
    return { version, template, dataset: dataset ?? null, experimentId: experiment.id };
  }

  private tags(version: RunTemplateVersionRow, template: RunTemplateRow) {
    return [
      { key: 'caliper.template', value: template.name },
      { key: 'caliper.template_version', value: String(version.version) },
      { key: 'caliper.template_version_id', value: version.id },
      { key: 'caliper.executor', value: version.executor },
      { key: 'mlflow.source.type', value: 'JOB' },
    ];
  }

  /** One queued run with its params, tags, inputs, execution row, submit job (unless it waits for a sweep slot) and audit event. */
  private async launchOne(
    m: EntityManager,
    principal: Principal,
    ctx: LaunchContext,
    values: Record<string, ParameterValue>,
    opts: { name: string | null; parentRunUuid?: string; sweepId?: string; submitQueued?: boolean },
  ): Promise<RunEntity> {
    const { version, template, dataset } = ctx;
    const run = await this.trackingService.createRun(
      principal,
      {
        experimentId: ctx.experimentId,
        name: opts.name,
        status: 'queued',
        parentRunUuid: opts.parentRunUuid ?? null,
        tags: [...this.tags(version, template), ...(opts.sweepId ? [{ key: 'caliper.sweep', value: opts.sweepId }] : [])],
      },
      m,
    );
    await this.tracking.insertParams(
      m,
      run.id,
      Object.entries(values).map(([key, value]) => ({ key, value: parameterText(value) })),
    );
    const inputs = [];
    if (dataset)
      inputs.push({
        kind: 'dataset' as const,
        name: `${dataset.datasetName} v${dataset.number}`,
        digest: dataset.manifestSha256,
        descriptor: {
          source_type: 'caliper',
          source: `${DATASET_VERSION_URI}${dataset.id}`,
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
        },
        datasetVersionId: dataset.id,
      });
    if (version.initialModelVersionId)
      inputs.push({
        kind: 'model' as const,
        name: version.initialModelVersionLabel ?? version.initialModelVersionId,
        digest: version.initialModelVersionId,
        descriptor: {
          source_type: 'caliper',
          source: `caliper://model-versions/${version.initialModelVersionId}`,
          role: 'initial weights',
        },
      });
    await this.tracking.addInputs(m, run.id, inputs);
    const command = renderCommand(version.command, values, { runId: run.uuid });
    const submitQueued = opts.submitQueued ?? true;
    await this.executions.create(m, {
      runId: run.id,
      projectId: version.projectId,
      templateVersionId: version.id,
      executor: version.executor,
      values,
      command,
      launchedBy: principal.user.id,
      sweepId: opts.sweepId ?? null,
      submitQueued,
    });
    if (submitQueued) await this.outbox.enqueue(m, parseJob('training.submit', { v: 1, runUuid: run.uuid }));
    await this.audit.append(m, {
      ...actorOf(principal),
      action: 'run.launched',
      entityType: 'run',
      entityId: run.uuid,
      projectId: version.projectId,
      after: {
        template: template.name,
        templateVersion: version.version,
        executor: version.executor,
        values,
        command,
        ...(opts.sweepId ? { sweepId: opts.sweepId } : {}),
      },
    });
    return run;
  }

  /** Stops a sweep: every run of it not ended yet gets a cancel request, and the parent run is killed. Returns the runs asked to stop. */
  async cancelSweep(principal: Principal, parentRunUuid: string): Promise<{ sweepId: string; cancelled: string[] }> {
    return this.ds.transaction(async (m) => {
      const parent = await this.tracking.lockRun(m, parentRunUuid);
      const sweep = parent ? await this.executions.sweepOfParent(m, parent.id) : null;
      if (!parent || !sweep) throw notFound(`Sweep with parent run ${parentRunUuid}`);
      assertGranted(principal, 'run.write', sweep.projectId);
      if (TERMINAL.has(parent.status))
        throw new DomainError('INVALID_STATE', `The sweep of run ${parentRunUuid} has already ended (${parent.status}).`);
      const cancelled: string[] = [];
      for (const child of await this.executions.openChildren(m, sweep.id)) {
        if (await this.executions.requestCancel(m, child.runId, principal.user.id)) {
          await this.outbox.enqueue(m, parseJob('training.cancel', { v: 1, runUuid: child.runUuid }));
          cancelled.push(child.runUuid);
        }
      }
      await this.tracking.updateRun(m, parent.id, { status: 'killed', endTime: Date.now() });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'run.killed',
        entityType: 'run',
        entityId: parentRunUuid,
        projectId: sweep.projectId,
        before: { status: parent.status },
        after: { status: 'killed', sweepId: sweep.id, cancelledRuns: cancelled },
      });
      return { sweepId: sweep.id, cancelled };
    });
  }

  /**
   * A page of the project's training queue (its launched runs not ended yet, in launch order, after
   * the run with internal id `afterRunId`) and the `recentlyEnded` launches that ended last.
   */
  async queue(
    principal: Principal,
    projectId: string,
    opts: { first: number; afterRunId: string | null; recentlyEnded: number },
  ): Promise<QueuePage> {
    assertGranted(principal, 'project.read', projectId);
    const [rows, totalCount, recentlyEnded] = await Promise.all([
      this.executions.queue(projectId, opts.afterRunId, opts.first + 1),
      this.executions.queueCount(projectId),
      opts.recentlyEnded > 0 ? this.executions.recentlyEnded(projectId, opts.recentlyEnded) : Promise.resolve([]),
    ]);
    return { entries: rows.slice(0, opts.first), hasNextPage: rows.length > opts.first, totalCount, recentlyEnded };
  }

  /** Asks the worker to stop a launched run; a run that already ended is refused, a repeated request changes nothing. */
  async cancel(principal: Principal, runUuid: string): Promise<RunExecutionRow> {
    return this.ds.transaction(async (m) => {
      const e = await this.executions.lock(m, runUuid);
      if (!e) throw notFound(`Launched run ${runUuid}`);
      assertGranted(principal, 'run.write', e.projectId);
      // A lost run whose job may still run (its heartbeats stopped) can still be cancelled.
      if (e.endedAt || (TERMINAL.has(e.runStatus) && e.runStatus !== 'lost'))
        throw new DomainError('INVALID_STATE', `Run ${runUuid} has already ended (${e.runStatus}).`);
      if (await this.executions.requestCancel(m, e.runId, principal.user.id)) {
        await this.outbox.enqueue(m, parseJob('training.cancel', { v: 1, runUuid }));
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'run.cancel_requested',
          entityType: 'run',
          entityId: runUuid,
          projectId: e.projectId,
          after: { executor: e.executor, externalId: e.externalId },
        });
      }
      return (await this.executions.lock(m, runUuid))!;
    });
  }
}
