/**
 * Every action an audit event is written with, as `<entity>.<what happened>` in snake_case, so a
 * misspelt or new action is a compile error at the write, not a row nobody can filter on. Reading
 * stays string-typed: rows written before this list (or by a later version) are still events.
 */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.logout',
  'auth.login_failed',
  'user.created',
  'user.deactivated',
  'user.reactivated',
  'user.global_role_changed',
  'user.password_reset',
  'user.password_changed',
  'user.default_project_set',
  'token.created',
  'token.revoked',
  'project.created',
  'project.updated',
  'member.added',
  'member.roles_changed',
  'member.removed',
  'view.created',
  'view.updated',
  'view.deleted',
  'experiment.created',
  'experiment.renamed',
  'experiment.deleted',
  'experiment.restored',
  'run.created',
  'run.renamed',
  'run.deleted',
  'run.restored',
  'run.inputs_logged',
  // A status change is written as `run.<new status>`, one per RunStatus.
  'run.queued',
  'run.starting',
  'run.running',
  'run.finished',
  'run.failed',
  'run.killed',
  'run.lost',
  'artifact.written',
  'artifact.deleted',
  'registered_model.created',
  'registered_model.renamed',
  'registered_model.updated',
  'registered_model.deleted',
  'registered_model.tag_set',
  'registered_model.tag_deleted',
  'model_version.registered',
  'model_version.updated',
  'model_version.deleted',
  'model_version.tag_set',
  'model_version.tag_deleted',
  'model_version.stage_changed',
  'model_version.validated',
  'alias.set',
  'alias.deleted',
  'alias_rule.set',
  // Signed promotion (issue 14)
  'promotion_policy.set',
  'model_card.updated',
  'promotion.requested',
  'promotion.gates_passed',
  'promotion.gates_failed',
  'promotion.signed',
  'promotion.rejected',
  'promotion.approved',
  'promotion.cancelled',
  'promotion.deployment_failed',
  'evaluation.finished',
  'deployment.started',
  'deployment.ended',
  'model_version.integrity_failed',
  // Webhooks on registry events (issue 14, item 5)
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.redelivered',
  // Run templates (issue 15)
  'run_template.created',
  'run_template.version_added',
  'run.launched',
  'run.submitted',
  'run.cancel_requested',
  'run.sweep_launched',
  'audit.break_acknowledged',
] as const;

/** The core's actions (accounts, projects, tracking, registry, audit). */
export type CoreAuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * A feature's own actions, declared in its own folder, never added to the list above:
 *
 *     declare module '@caliper/domain' {
 *       interface FeatureAuditActions { 'note.added': true; 'note.removed': true }
 *     }
 *     export const NOTE_AUDIT_ACTIONS = defineAuditActions(['note.added', 'note.removed']);
 *
 * The interface makes the names compile at the write; `defineAuditActions` registers them at
 * runtime (checked like the core's) so the audit page and the tests can list every action.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- augmented by features (declaration merging)
export interface FeatureAuditActions {}

export type AuditAction = CoreAuditAction | (keyof FeatureAuditActions & string);

const AUDIT_ACTION_SHAPE = /^[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*$/;
const featureActions = new Set<string>();

/** Why an action name is refused (shape, or already taken), or null when it may be registered. */
export function auditActionProblem(action: string, taken: ReadonlySet<string>): string | null {
  if (!AUDIT_ACTION_SHAPE.test(action)) return `audit action "${action}" is not <entity>.<what_happened> in snake_case`;
  if (taken.has(action)) return `audit action "${action}" is already defined`;
  return null;
}

/** Registers a feature's actions (see FeatureAuditActions); refuses a misnamed or repeated one at startup. */
export function defineAuditActions<const A extends readonly (keyof FeatureAuditActions & string)[]>(actions: A): A {
  const taken = new Set<string>([...AUDIT_ACTIONS, ...featureActions]);
  for (const action of actions) {
    const problem = auditActionProblem(action, taken);
    if (problem) throw new Error(problem);
    taken.add(action);
  }
  for (const action of actions) featureActions.add(action);
  return actions;
}

/** Every action this process can write: the core's, then each feature's in registration order. */
export function knownAuditActions(): string[] {
  return [...AUDIT_ACTIONS, ...featureActions];
}
