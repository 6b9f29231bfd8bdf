/**
 * Default deny: every route and root field must say who may call it. `@Public()` opens a route
 * to anonymous callers (login, health, metrics); `@Requires(permission, projectOf)` names the
 * permission and, for project permissions, how to find the project from the arguments;
 * `@Requires(SIGNED_IN)` admits any signed-in caller (the handler filters what it returns).
 * A handler with neither is refused by the guard, so a forgotten decorator fails closed.
 */
import { badInput } from '@caliper/domain';
import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Permission, ProjectRole } from '@caliper/domain';
import type { ExperimentEntity, RunRef } from '@caliper/persistence';
import type { Request } from 'express';
import type { Principal } from './principal';

/** What the guard itself reads from the request's loaders: the caller's roles per project id. */
export interface GuardLoaders {
  myRoles: { load(projectId: string): Promise<ProjectRole[]> };
}

export const PUBLIC_KEY = 'caliper:public';
export const REQUIRES_KEY = 'caliper:requires';
export const ARGS_READER_KEY = 'caliper:args-reader';
export const SIGNED_IN = 'signed-in' as const;

/**
 * The entities a locator resolved from the request, kept on the request so the handler acts on
 * exactly what the guard checked: every identifier is resolved once and checked once.
 * `notFound` makes the answer for an entity of a project the caller cannot read, so that answer
 * is the same as for an entity that does not exist.
 */
export interface Resolved {
  run?: RunRef;
  experiment?: ExperimentEntity;
  /** A project-qualified name (an experiment's or a registered model's: `slug/name` or a bare name in the caller's project). */
  named?: { projectId: string; name: string };
  notFound?: () => Error;
}

/**
 * Finds the project a call acts on; null means outside any project (global permission). The
 * principal is there for calls whose project depends on the caller (an MLflow client's token
 * fixes the project; a Basic user logs into their default project). What it resolves on the
 * way, it records in `resolved` for the handler.
 */
export type ProjectLocator<L = GuardLoaders> = (
  args: Record<string, unknown>,
  loaders: L,
  principal: Principal,
  resolved: Resolved,
) => Promise<string | null>;

/**
 * How a controller's HTTP arguments are read, when not by the default merge of query, path
 * parameters and body. The guard and the handler then read the one object this returns (it must
 * memoise per request), so they can never see different identifiers.
 */
export type ArgsReader = (req: Request) => Readonly<Record<string, unknown>>;
export const ReadArgs = (reader: ArgsReader) => SetMetadata(ARGS_READER_KEY, reader);

export interface RequestWithResolved {
  resolved?: Resolved;
}

function resolvedOf<K extends 'run' | 'experiment' | 'named'>(key: K) {
  return createParamDecorator((_: unknown, ctx: ExecutionContext): NonNullable<Resolved[K]> => {
    const value = ctx.switchToHttp().getRequest<RequestWithResolved>().resolved?.[key];
    // A handler asking for what its locator does not resolve is a programming error, not input.
    if (!value) throw new Error(`No ${key} was resolved for this request: its @Requires locator must resolve one.`);
    return value as NonNullable<Resolved[K]>;
  });
}

/** The run, experiment or qualified name the guard resolved and checked (HTTP handler parameters). */
export const ResolvedRun = resolvedOf('run');
export const ResolvedExperiment = resolvedOf('experiment');
export const ResolvedName = resolvedOf('named');

export interface Requirement {
  permission: Permission | typeof SIGNED_IN;
  // The guard hands each locator the loaders of the app it runs in.
  projectOf?: ProjectLocator<never>;
}

export const Public = () => SetMetadata(PUBLIC_KEY, true);
export const Requires = <L>(permission: Permission | typeof SIGNED_IN, projectOf?: ProjectLocator<L>) =>
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
    if (typeof v !== 'string' || !UUID_RE.test(v))
      throw badInput(path, `is not a project id (expected a UUID, got ${JSON.stringify(v).slice(0, 60)})`);
    return v;
  };
}
