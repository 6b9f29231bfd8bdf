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
import { DataSource } from 'typeorm';
import { DomainError, notFound, parameterText, renderCommand, resolveLaunchValues } from '@caliper/domain';
import { parseJob } from '@caliper/jobs';
import {
  AuditRepository,
  OutboxRepository,
  RunExecutionRow,
  RunExecutionsRepository,
  RunTemplatesRepository,
  TrackingRepository,
} from '@caliper/persistence';
import { DATASET_VERSION_URI, sealedVersions } from '../tracking/dataset-links';
import { TrackingService } from '../tracking/tracking.service';

export interface LaunchCommand {
  templateVersionId: string;
  /** The experiment the run goes in (created when missing); the template's name by default. */
  experimentName?: string | null;
  runName?: string | null;
  values: readonly { name: string; value: string }[];
}

const TERMINAL = new Set(['finished', 'failed', 'killed', 'lost']);

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
  ) {}

  async launch(principal: Principal, cmd: LaunchCommand): Promise<{ runUuid: string; experimentId: string; name: string }> {
    if (principal.method === 'token' && principal.token.runId)
      throw new DomainError('FORBIDDEN', `This API token is limited to run ${principal.token.runId} and cannot launch runs.`);
    const version = await this.templates.version(cmd.templateVersionId);
    if (!version) throw notFound(`Run template version ${cmd.templateVersionId}`);
    assertGranted(principal, 'run.write', version.projectId);
    const values = resolveLaunchValues(version.parameters, cmd.values);
    const template = await this.templates.template(version.templateId);
    const experimentName = cmd.experimentName?.trim() || template!.name;

    return this.ds.transaction(async (m) => {
      // The references again, in this transaction: a model version deleted since the template was written is refused.
      if (version.initialModelVersionId && !(await this.templates.modelVersionRef(m, version.initialModelVersionId)))
        throw new DomainError(
          'INVALID_STATE',
          `The template's initial model version (${version.initialModelVersionLabel}) no longer exists.`,
        );
      const [dataset] = version.datasetVersionId
        ? await sealedVersions(m, version.projectId, { ids: [version.datasetVersionId], digests: [] })
        : [];

      const experiment =
        (await this.tracking.findExperimentByName(version.projectId, experimentName, m)) ??
        (await this.trackingService.createExperiment(principal, version.projectId, experimentName, [], m));
      const run = await this.trackingService.createRun(
        principal,
        {
          experimentId: experiment.id,
          name: cmd.runName?.trim() || null,
          status: 'queued',
          tags: [
            { key: 'caliper.template', value: template!.name },
            { key: 'caliper.template_version', value: String(version.version) },
            { key: 'caliper.template_version_id', value: version.id },
            { key: 'caliper.executor', value: version.executor },
            { key: 'mlflow.source.type', value: 'JOB' },
          ],
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
      await this.executions.create(m, {
        runId: run.id,
        projectId: version.projectId,
        templateVersionId: version.id,
        executor: version.executor,
        values,
        command,
        launchedBy: principal.user.id,
      });
      await this.outbox.enqueue(m, parseJob('training.submit', { v: 1, runUuid: run.uuid }));
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'run.launched',
        entityType: 'run',
        entityId: run.uuid,
        projectId: version.projectId,
        after: { template: template!.name, templateVersion: version.version, executor: version.executor, values, command },
      });
      return { runUuid: run.uuid, experimentId: experiment.id, name: run.name };
    });
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
