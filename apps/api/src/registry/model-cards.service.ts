/**
 * Model cards (issue 14, item 2): one card per model version, read by anyone who can read the
 * project (an absent card reads as the empty card, every section missing), edited by members who
 * may register models until the first promotion signature locks it, and exported as Markdown and
 * PDF with the version's identity and its signatures. A draft from the source run (its logged
 * dataset versions, its last metric values, the previous version's card) is offered, never saved.
 * Every edit is audited with the card before and after, in the edit's transaction.
 */
import { actorOf, Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, EMPTY_MODEL_CARD, missingCardSections, ModelCard, requireModelCard } from '@caliper/domain';
import {
  AccountsRepository,
  AuditRepository,
  MetricsRepository,
  ModelCardRow,
  ModelVersionEntity,
  PromotionRepository,
  RegistryRepository,
  TrackingRepository,
} from '@caliper/persistence';
import { sealedVersions } from '../tracking/dataset-links';
import { CardDocument, renderCardMarkdown, renderCardPdf } from './model-cards.export';
import { ModelRef } from './registry.types';
import { assertMayEdit, RegistryReads } from './registry-reads';

export interface CardView {
  versionId: string;
  version: number;
  card: ModelCard;
  /** Whether a card was ever saved for the version (false: the empty card). */
  saved: boolean;
  missingSections: string[];
  lockedAt: Date | null;
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** The contexts MLflow clients log validation inputs under (mlflow.data.context). */
const VALIDATION_CONTEXTS = new Set(['validation', 'val', 'eval', 'evaluation', 'test']);

const lockedMessage = (version: number, lockedAt: Date | null) =>
  `Version ${version}'s model card was signed on ${lockedAt ? lockedAt.toISOString().slice(0, 10) : 'an earlier date'} and cannot change; register a new version to change it.`;

/** The model_cards trigger's refusal (insufficient_privilege), when an edit raced the first signature. */
const isLockedByTrigger = (e: unknown) => {
  const driver = (e as { driverError?: { code?: string; message?: string } }).driverError;
  return driver?.code === '42501' && /model card .* is signed/.test(driver.message ?? '');
};

@Injectable()
export class ModelCardsService {
  constructor(
    private readonly ds: DataSource,
    private readonly reads: RegistryReads,
    private readonly registry: RegistryRepository,
    private readonly promotion: PromotionRepository,
    private readonly accounts: AccountsRepository,
    private readonly tracking: TrackingRepository,
    private readonly metrics: MetricsRepository,
    private readonly audit: AuditRepository,
  ) {}

  /** The card of a version the caller was already allowed to read (GraphQL field of ModelVersion). */
  async cardOfVersion(versionId: string): Promise<CardView> {
    const [version] = await this.registry.findVersionsByIds([versionId]);
    if (!version) throw new DomainError('NOT_FOUND', `Model version ${versionId} was not found.`);
    return this.view(version, await this.promotion.card(version.id));
  }

  async cardOf(ref: ModelRef, version: number): Promise<CardView> {
    const v = await this.reads.versionOf(await this.reads.model(ref), version);
    return this.view(v, await this.promotion.card(v.id));
  }

  private async view(version: ModelVersionEntity, row: ModelCardRow | null): Promise<CardView> {
    const card = row?.content ?? EMPTY_MODEL_CARD;
    const [isFirst, users] = await Promise.all([
      this.isFirstVersion(version),
      row?.updatedBy ? this.accounts.findUsersByIds([row.updatedBy]) : Promise.resolve([]),
    ]);
    return {
      versionId: version.id,
      version: version.version,
      card,
      saved: row !== null,
      missingSections: missingCardSections(row ? card : null, isFirst),
      lockedAt: row?.lockedAt ?? null,
      updatedAt: row && row.updatedBy ? row.updatedAt : null,
      updatedBy: users[0]?.displayName ?? null,
    };
  }

  /** A first version has nothing to state changes from. */
  private async isFirstVersion(version: ModelVersionEntity): Promise<boolean> {
    return !(await this.registry.versionsOf([version.registeredModelId])).some((v) => v.version < version.version);
  }

  /**
   * Replaces the card of an unsigned version (model.register in the project; a token limited to a
   * run may not). A signed card is refused here and, should an edit race the first signature, by
   * the table's trigger: both answer the same INVALID_STATE.
   */
  async updateCard(principal: Principal, ref: ModelRef, version: number, input: unknown): Promise<CardView> {
    assertMayEdit(principal, ref.projectId);
    const card = requireModelCard(input);
    const model = await this.reads.model(ref);
    const v = await this.reads.versionOf(model, version);
    try {
      await this.ds.transaction(async (m) => {
        const before = await this.promotion.lockCard(m, v.id);
        if (before?.lockedAt) throw new DomainError('INVALID_STATE', lockedMessage(v.version, before.lockedAt));
        await this.promotion.saveCard(m, v.id, card, principal.user.id);
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'model_card.updated',
          entityType: 'model_version',
          entityId: v.id,
          projectId: ref.projectId,
          before: before ? { model: model.name, version: v.version, card: before.content } : null,
          after: { model: model.name, version: v.version, card },
        });
      });
    } catch (e) {
      if (isLockedByTrigger(e))
        throw new DomainError('INVALID_STATE', lockedMessage(v.version, (await this.promotion.card(v.id))?.lockedAt ?? null));
      throw e;
    }
    return this.view(v, await this.promotion.card(v.id));
  }

  /**
   * A draft for the card, from what Caliper already knows: the source run's dataset inputs (sealed
   * versions by name, number and manifest digest; validation contexts to validationData), the run's
   * last value of each metric, and the previous version's card for the prose sections, with a
   * starting line for the changes. Sections with nothing to offer keep the saved card's text.
   */
  async suggestedCard(versionId: string): Promise<ModelCard> {
    const [version] = await this.registry.findVersionsByIds([versionId]);
    if (!version) throw new DomainError('NOT_FOUND', `Model version ${versionId} was not found.`);
    const [current, models, versions] = await Promise.all([
      this.promotion.card(version.id),
      this.registry.findModelsByIds([version.registeredModelId]),
      this.registry.versionsOf([version.registeredModelId]),
    ]);
    const previous = versions.filter((v) => v.version < version.version).sort((a, b) => b.version - a.version)[0] ?? null;
    const previousCard = previous ? ((await this.promotion.card(previous.id))?.content ?? null) : null;
    const base = current?.content ?? EMPTY_MODEL_CARD;
    const draft: ModelCard = {
      ...base,
      intendedUse: base.intendedUse || previousCard?.intendedUse || '',
      outOfScopeUse: base.outOfScopeUse || previousCard?.outOfScopeUse || '',
      limitations: base.limitations || previousCard?.limitations || '',
    };
    if (version.runId) {
      const projectId = models[0]!.projectId;
      const [inputs, latest] = await Promise.all([this.tracking.inputsOf([version.runId]), this.metrics.latestOf([version.runId])]);
      const datasets = inputs.filter((i) => i.kind === 'dataset');
      const sealed = await sealedVersions(this.ds.manager, projectId, {
        ids: datasets.flatMap((i) => (i.datasetVersionId ? [i.datasetVersionId] : [])),
        digests: [],
      });
      const training: string[] = [];
      const validation: string[] = [];
      for (const i of datasets) {
        const v = sealed.find((s) => s.id === i.datasetVersionId);
        const label = v
          ? `${v.datasetName} v${v.number} (sha256 ${v.manifestSha256})`
          : `${i.name} (digest ${i.digest}; not a sealed Caliper dataset version)`;
        const context = contextOf(i.descriptor);
        (context && VALIDATION_CONTEXTS.has(context) ? validation : training).push(label);
      }
      // Within the card's limits, so a run with many inputs or long names still gets a draft.
      if (training.length) draft.trainingData = [...new Set(training)].slice(0, 50).map((d) => d.slice(0, 500));
      if (validation.length) draft.validationData = [...new Set(validation)].slice(0, 50).map((d) => d.slice(0, 500));
      if (latest.length) {
        const thresholds = new Map(base.metrics.map((m) => [m.name, m.threshold]));
        draft.metrics = latest
          .filter((m) => Number.isFinite(m.value))
          .slice(0, 100)
          .map((m) => ({ name: m.key.slice(0, 200), value: m.value, threshold: thresholds.get(m.key) ?? null }));
      }
    }
    if (!base.changes.trim() && previous) {
      const lines = [`Since version ${previous.version}:`];
      const before = new Map((previousCard?.metrics ?? []).map((m) => [m.name, m.value]));
      for (const m of draft.metrics) {
        const was = before.get(m.name);
        if (was !== undefined && was !== null && m.value !== null && was !== m.value) lines.push(`- ${m.name}: ${was} -> ${m.value}`);
      }
      const newData = draft.trainingData.filter((d) => !(previousCard?.trainingData ?? []).includes(d));
      if (previousCard && newData.length) lines.push(`- training data now includes ${newData.join(', ')}`);
      draft.changes = lines.join('\n').slice(0, 10_000);
    }
    return requireModelCard(draft);
  }

  /** Everything the exports print about a version's card, signatures included. */
  async document(ref: ModelRef, version: number): Promise<CardDocument> {
    const v = await this.reads.versionOf(await this.reads.model(ref), version);
    const [view, versionView, validation, requests] = await Promise.all([
      this.view(v, await this.promotion.card(v.id)),
      this.reads.versionView(v),
      this.registry.findValidation(v.id),
      this.promotion.requestsOfVersions([v.id]),
    ]);
    const signatures = await this.promotion.signaturesOf(requests.map((r) => r.id));
    const stageOf = new Map(requests.map((r) => [r.id, r.targetStage]));
    return {
      modelName: versionView.model.name,
      version: v.version,
      stage: v.currentStage,
      artifactDigest: v.artifactDigest,
      onnxSha256: validation?.sha256 ?? null,
      source: v.source,
      runId: versionView.runUuid,
      card: view.card,
      missingSections: view.missingSections,
      lockedAt: view.lockedAt,
      updatedAt: view.updatedAt,
      updatedBy: view.updatedBy,
      signatures: signatures.map((s) => ({
        printedName: s.printedName,
        role: s.role,
        meaning: s.meaning,
        decision: s.decision,
        reason: s.reason,
        signedAt: s.signedAt,
        targetStage: stageOf.get(s.requestId) ?? '',
      })),
      generatedAt: new Date(),
    };
  }

  async markdown(ref: ModelRef, version: number): Promise<{ doc: CardDocument; body: string }> {
    const doc = await this.document(ref, version);
    return { doc, body: renderCardMarkdown(doc) };
  }

  async pdf(ref: ModelRef, version: number): Promise<{ doc: CardDocument; body: Buffer }> {
    const doc = await this.document(ref, version);
    return { doc, body: await renderCardPdf(doc) };
  }
}

/** mlflow.data.context from an input's descriptor tags ({key, value} pairs), lower-cased. */
function contextOf(descriptor: Record<string, unknown>): string | null {
  const tags = descriptor.tags;
  if (!Array.isArray(tags)) return null;
  const found = tags.find(
    (t): t is { key: string; value: string } => !!t && typeof t === 'object' && (t as { key?: unknown }).key === 'mlflow.data.context',
  );
  return typeof found?.value === 'string' ? found.value.toLowerCase() : null;
}
