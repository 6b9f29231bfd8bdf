import { projectIdAt } from '@caliper/server-kit';
import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { badInput } from '@caliper/domain';
import { AuditService } from './audit.service';
import { AuditChainStatusGql, AuditEventConnectionGql, AuditEventFilter } from './audit.types';
import { Requires } from '../auth/locators';

const MAX_PAGE = 200;

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Query(() => AuditEventConnectionGql, {
    description: 'Newest first. Needs audit.read: globally for all events, or in the project named by filter.projectId',
  })
  @Requires('audit.read', projectIdAt('filter.projectId'))
  async auditEvents(
    @Args('filter', { type: () => AuditEventFilter, nullable: true }) filter: AuditEventFilter | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) firstArg: number | null,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ): Promise<AuditEventConnectionGql> {
    const first = firstArg ?? 50;
    if (first < 1 || first > MAX_PAGE) throw badInput('first', `must be between 1 and ${MAX_PAGE}`);
    if (after != null && !/^[1-9][0-9]{0,18}$/.test(after)) throw badInput('after', 'must be a cursor from pageInfo.endCursor');
    const rows = await this.audit.search({ ...(filter ?? {}), beforeSeq: after ? Number(after) : null, limit: first + 1 });
    const page = rows.slice(0, first);
    const lastOnPage = page.at(-1);
    return {
      edges: page.map((e) => ({
        cursor: String(e.seq),
        node: { ...e, seq: String(e.seq) },
      })),
      pageInfo: { hasNextPage: rows.length > first, endCursor: lastOnPage ? String(lastOnPage.seq) : null },
    };
  }

  @Query(() => AuditChainStatusGql, {
    description:
      'Walks the whole chain, reports every break, and checks it against the checkpoints in object storage and those the database recorded',
  })
  @Requires('audit.read')
  async auditChainStatus(): Promise<AuditChainStatusGql> {
    const report = await this.audit.verify();
    return {
      ok: report.ok,
      checkedEvents: report.checkedEvents,
      lastSeq: report.checkedEvents ? String(report.lastSeq) : null,
      lastHash: report.checkedEvents ? report.lastHash : null,
      brokenAtSeq: report.firstBrokenSeq === null ? null : String(report.firstBrokenSeq),
      problem: report.problem,
      breaks: report.breaks.map((b) => ({
        ...b,
        seq: String(b.seq),
        acknowledged: b.acknowledged ? { ...b.acknowledged, seq: String(b.acknowledged.seq) } : null,
      })),
      unacknowledgedBreaks: report.unacknowledgedBreaks,
      checkpointsChecked: report.checkpointsChecked,
      checkpointsFound: report.checkpointsFound ?? 0,
      checkpointsExpected: report.checkpointsExpected ?? 0,
      verifiedAt: new Date(),
    };
  }
}
