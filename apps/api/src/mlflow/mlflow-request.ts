/** What an MLflow handler needs from the HTTP request: the caller, per-request loaders and the arguments. */
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal, RequestWithPrincipal } from '../auth/principal';
import type { WireArgs } from './mlflow-wire';

/**
 * MLflow sends GET arguments in the query string and POST/PATCH/DELETE arguments as a JSON
 * body; handlers read one merged object either way (the body wins).
 */
export const MlflowArgs = createParamDecorator((_: unknown, ctx: ExecutionContext): WireArgs => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const body = req.body && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as WireArgs) : {};
  return { ...(req.query as WireArgs), ...body };
});

/** The principal the guard established (every MLflow route is guarded, so it is always set). */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal!);
