/**
 * The global guard: authenticates every call and enforces the handler's declared requirement
 * (see access.decorators.ts). Public handlers are the explicit exception; undeclared ones are refused.
 */
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import { DomainError, forbidden, PERMISSION_PHRASES, unauthenticated } from '@caliper/domain';
import type { Request } from 'express';
import { LOADERS_FOR } from '../tokens';
import {
  ARGS_READER_KEY,
  ArgsReader,
  GuardLoaders,
  PUBLIC_KEY,
  RequestWithResolved,
  Requirement,
  REQUIRES_KEY,
  Resolved,
  SIGNED_IN,
} from './access.decorators';
import { AccessService } from './access.service';
import { AuthService } from './auth.service';
import { Grants, RequestWithPrincipal } from './principal';

/** What the guard reads from a GraphQL context: the request and its loaders (apps add their own fields). */
export interface GuardContext {
  req: RequestWithPrincipal;
  loaders: GuardLoaders;
}

/** A request whose authentication already ran, before its body was read, and failed: the guard answers it in the route's error shape. */
export interface RequestWithAuthFailure extends RequestWithPrincipal {
  authFailure?: unknown;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly access: AccessService,
    @Inject(LOADERS_FOR) private readonly loadersFor: (req: RequestWithPrincipal) => GuardLoaders,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    let req: RequestWithPrincipal;
    let args: Record<string, unknown>;
    let context: GuardContext | undefined;
    // What the locator resolves: on an HTTP request it is the handler's too (one field's own for GraphQL).
    const resolved: Resolved = {};
    if (ctx.getType<GqlContextType>() === 'graphql') {
      const gql = GqlExecutionContext.create(ctx);
      context = gql.getContext<GuardContext>();
      req = context.req;
      args = gql.getArgs();
    } else {
      const http = ctx.switchToHttp().getRequest<Request & RequestWithPrincipal & RequestWithResolved>();
      req = http;
      http.resolved = resolved;
      const reader = this.reflector.getAllAndOverride<ArgsReader | undefined>(ARGS_READER_KEY, targets);
      args = reader ? reader(http) : { ...(http.query as Record<string, unknown>), ...http.params, body: http.body };
    }

    if (!req.principal) {
      // Authentication ran before the body was read (early-auth.ts); its failure is answered here, in the route's error shape.
      if ((req as RequestWithAuthFailure).authFailure) throw (req as RequestWithAuthFailure).authFailure;
      const authenticated = await this.auth.authenticate(req);
      if (authenticated) req.principal = { ...authenticated, grants: new Grants() };
    }
    const principal = req.principal;
    if (!principal) throw unauthenticated();

    const requirement = this.reflector.get<Requirement | undefined>(REQUIRES_KEY, ctx.getHandler());
    if (!requirement) throw new DomainError('FORBIDDEN', 'This operation declares no access rule, so it is refused.');
    if (requirement.permission === SIGNED_IN) return true;

    const loaders = context?.loaders ?? this.loadersFor(req);
    const projectId = requirement.projectOf ? await requirement.projectOf(args, loaders as never, principal, resolved) : null;
    const roles = !projectId
      ? []
      : principal.method === 'token'
        ? await this.access.rolesIn(principal, projectId)
        : await loaders.myRoles.load(projectId);
    if (!this.access.allowsWithRoles(principal, requirement.permission, projectId, roles)) {
      // An entity in a project the caller cannot even read answers as if it did not exist, so
      // refusals reveal nothing about other projects' ids.
      if (resolved.notFound && projectId && !this.access.allowsWithRoles(principal, 'project.read', projectId, roles))
        throw resolved.notFound();
      throw forbidden(PERMISSION_PHRASES[requirement.permission]);
    }
    if (projectId) principal.grants?.add(projectId, requirement.permission);
    return true;
  }
}
