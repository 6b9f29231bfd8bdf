/** What every resolver receives: the request (with the principal the guard set), its DataLoaders and its value budget. */
import { unauthenticated } from '@caliper/domain';
import type { Principal, RequestWithPrincipal } from '@caliper/server-kit';
import type { ValueBudget } from './limits';
import type { Loaders } from './loaders';

export interface RequestContext {
  req: RequestWithPrincipal;
  loaders: Loaders;
  /** What the request's series fields may still return (graphql/limits.ts). */
  budget: ValueBudget;
}

export type GqlContext = RequestContext;

/** The principal of a guarded call (the guard has already refused anonymous callers). */
export function principalOf(ctx: GqlContext): Principal {
  const p = ctx.req.principal;
  if (!p) throw unauthenticated();
  return p;
}
