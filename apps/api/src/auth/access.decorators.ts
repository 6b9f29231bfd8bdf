/**
 * Default deny: every route and root field must say who may call it. `@Public()` opens a route
 * to anonymous callers (login, health, metrics); `@Requires(permission, projectOf)` names the
 * permission and, for project permissions, how to find the project from the arguments;
 * `@Requires(SIGNED_IN)` admits any signed-in caller (the handler filters what it returns).
 * A handler with neither is refused by the guard, so a forgotten decorator fails closed.
 */
import { SetMetadata } from '@nestjs/common';
import type { Permission } from '@caliper/domain';
import { badInput } from '../common/app-error';
import type { Loaders } from '../graphql/loaders';
import type { Principal } from './principal';

export const PUBLIC_KEY = 'caliper:public';
export const REQUIRES_KEY = 'caliper:requires';
export const SIGNED_IN = 'signed-in' as const;

/**
 * Finds the project a call acts on; null means outside any project (global permission). The
 * principal is there for calls whose project depends on the caller (an MLflow client's token
 * fixes the project; a Basic user logs into their default project).
 */
export type ProjectLocator = (args: Record<string, unknown>, loaders: Loaders, principal: Principal) => Promise<string | null>;

export interface Requirement {
  permission: Permission | typeof SIGNED_IN;
  projectOf?: ProjectLocator;
}

export const Public = () => SetMetadata(PUBLIC_KEY, true);
export const Requires = (permission: Permission | typeof SIGNED_IN, projectOf?: ProjectLocator) =>
  SetMetadata(REQUIRES_KEY, { permission, projectOf } satisfies Requirement);

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads a value at a dotted path of the arguments, e.g. `input.projectId`. */
export function argAt(args: Record<string, unknown>, path: string): unknown {
  let v: unknown = args;
  for (const key of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/**
 * The project id at a dotted path. A value that cannot be a project id is refused as bad input
 * naming the argument (it names no project, so saying so reveals nothing); an absent one locates
 * nothing and leaves the check to global permissions.
 */
export function projectIdAt(path: string): ProjectLocator {
  return async (args) => {
    const v = argAt(args, path);
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || !UUID_RE.test(v)) throw badInput(path, `is not a project id (expected a UUID, got ${JSON.stringify(v).slice(0, 60)})`);
    return v;
  };
}
