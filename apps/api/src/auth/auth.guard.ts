/**
 * The global guard: authenticates every call and enforces the handler's declared requirement
 * (see access.decorators.ts). Public handlers are the explicit exception; undeclared ones are refused.
 */
import { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlContextType, GqlExecutionContext } from '@nestjs/graphql';
import { PERMISSION_PHRASES } from '@caliper/domain';
import type { Request } from 'express';
import { AppError, forbidden, unauthenticated } from '../common/app-error';
import type { Loaders } from '../graphql/loaders';
import { PUBLIC_KEY, Requirement, REQUIRES_KEY, SIGNED_IN } from './access.decorators';
import { AccessService } from './access.service';
import { AuthService } from './auth.service';
import type { RequestWithPrincipal } from './principal';

export interface RequestContext {
  req: RequestWithPrincipal;
  loaders: Loaders;
}

export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly access: AccessService,
    private readonly loadersFor: (req: RequestWithPrincipal) => Loaders,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    let req: RequestWithPrincipal;
    let args: Record<string, unknown>;
    let context: RequestContext | undefined;
    if (ctx.getType<GqlContextType>() === 'graphql') {
      const gql = GqlExecutionContext.create(ctx);
      context = gql.getContext<RequestContext>();
      req = context.req;
      args = gql.getArgs();
    } else {
      const http = ctx.switchToHttp().getRequest<Request & RequestWithPrincipal>();
      req = http;
      args = { ...(http.query as Record<string, unknown>), ...http.params, body: http.body };
    }

    req.principal ??= (await this.auth.authenticate(req)) ?? undefined;
    const principal = req.principal;
    if (!principal) throw unauthenticated();

    const requirement = this.reflector.get<Requirement | undefined>(REQUIRES_KEY, ctx.getHandler());
    if (!requirement) throw new AppError('FORBIDDEN', 'This operation declares no access rule, so it is refused.');
    if (requirement.permission === SIGNED_IN) return true;

    const loaders = context?.loaders ?? this.loadersFor(req);
    const projectId = requirement.projectOf ? await requirement.projectOf(args, loaders, principal) : null;
    const roles = projectId ? (principal.method === 'token' && principal.token.projectId !== projectId ? [] : await loaders.myRoles.load(projectId)) : [];
    if (!this.access.allowsWithRoles(principal, requirement.permission, projectId, roles)) {
      throw forbidden(PERMISSION_PHRASES[requirement.permission]);
    }
    return true;
  }
}
