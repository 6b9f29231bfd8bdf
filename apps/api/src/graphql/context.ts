/** What every resolver receives: the request (with the principal the guard set) and its DataLoaders. */
import { unauthenticated } from '@caliper/domain';
import type { Principal } from '../auth/principal';
import type { RequestContext } from '../auth/auth.guard';

export type GqlContext = RequestContext;

/** The principal of a guarded call (the guard has already refused anonymous callers). */
export function principalOf(ctx: GqlContext): Principal {
  const p = ctx.req.principal;
  if (!p) throw unauthenticated();
  return p;
}
