/**
 * The audit log's filters: the values the filter form edits and the address keeps (one query
 * parameter each), and the API filter they stand for.
 */
import type { AuditEventFilter } from '../gql/graphql';

export const KNOWN_ACTIONS = [
  'auth.login',
  'auth.logout',
  'auth.login_failed',
  'project.created',
  'project.updated',
  'member.added',
  'member.roles_changed',
  'member.removed',
  'user.created',
  'user.deactivated',
  'token.created',
  'token.revoked',
];

export const KNOWN_ENTITY_TYPES = ['api_token', 'project', 'project_member', 'session', 'user'];

export const FILTER_KEYS = ['actor', 'action', 'entityType', 'entityId', 'project', 'from', 'to'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type FilterValues = Record<FilterKey, string>;

/** A datetime-local value ("2026-11-27T03:41") is the user's local time; the API wants an instant. */
function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function readFilters(params: URLSearchParams): FilterValues {
  return Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k) ?? ''])) as FilterValues;
}

export function toApiFilter(values: FilterValues): AuditEventFilter {
  return {
    actor: values.actor.trim() || undefined,
    action: values.action.trim() || undefined,
    entityType: values.entityType.trim() || undefined,
    entityId: values.entityId.trim() || undefined,
    projectId: values.project || undefined,
    from: localToIso(values.from),
    to: localToIso(values.to),
  };
}
