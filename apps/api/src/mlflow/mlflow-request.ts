/** What an MLflow handler needs from the HTTP request: the caller and the one canonical reading of its arguments. */
import type { Principal, RequestWithPrincipal } from '@caliper/server-kit';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { TrackingError } from '@caliper/domain';
import type { WireArgs } from './mlflow-wire';

/** Arguments MLflow defines as repeated fields: the only ones a query string may repeat. */
const LIST_ARGS = new Set(['experiment_ids', 'run_ids', 'order_by', 'stages']);

const refused = (message: string) => new TrackingError('INVALID_PARAMETER', message);

const canonical = new WeakMap<object, Readonly<WireArgs>>();

/**
 * MLflow sends GET arguments in the query string and POST/PATCH/DELETE arguments as a JSON
 * body. The guard (which finds the project) and the handler (which acts) both read this one
 * object, built once per request, so they can never see different identifiers. Anything that
 * could be read two ways is refused instead of being given a meaning: an argument in both the
 * query string and the body, a query argument repeated where MLflow expects one value, a body
 * that is not a JSON object, and run_id with a different run_uuid. (Arrays where one value is
 * expected are refused by mlflow-wire's readers.)
 */
export function mlflowArgs(req: Request): Readonly<WireArgs> {
  const done = canonical.get(req);
  if (done) return done;
  const query = (req.query ?? {}) as WireArgs;
  const rawBody: unknown = req.body;
  const hasBody =
    rawBody !== undefined &&
    rawBody !== null &&
    !(typeof rawBody === 'object' && !Array.isArray(rawBody) && Object.keys(rawBody).length === 0);
  if (hasBody && (typeof rawBody !== 'object' || Array.isArray(rawBody)))
    throw refused(`The request body must be a JSON object of the call's parameters.`);
  const body = (hasBody ? rawBody : {}) as WireArgs;
  const args: WireArgs = {};
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value) && !LIST_ARGS.has(key))
      throw refused(`Parameter '${key}' was given more than once in the query string; give it once.`);
    args[key] = value;
  }
  for (const [key, value] of Object.entries(body)) {
    if (key in args) throw refused(`Parameter '${key}' was given both in the query string and in the body; give it once.`);
    args[key] = value;
  }
  const present = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (present(args.run_id) && present(args.run_uuid) && args.run_id !== args.run_uuid) {
    throw refused(`Parameters 'run_id' and 'run_uuid' name different runs; send one run id (run_uuid is the deprecated name of run_id).`);
  }
  const frozen = Object.freeze(args);
  canonical.set(req, frozen);
  return frozen;
}

/** The handler's view of mlflowArgs: the very object the guard read. */
export const MlflowArgs = createParamDecorator((_: unknown, ctx: ExecutionContext): Readonly<WireArgs> =>
  mlflowArgs(ctx.switchToHttp().getRequest<Request>()),
);

/** The principal the guard established (every MLflow route is guarded, so it is always set). */
export const Caller = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal!,
);
