/**
 * API tokens: issued for one project with a role scope no wider than the owner's roles there,
 * shown once, stored as sha256(secret), revocable by their owner or a member manager.
 */
import { AccessService, actorOf, Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, forbidden, generateApiToken, notFound, ProjectRole, tokenRolesProblem } from '@caliper/domain';
import {
  AccountsRepository,
  ApiTokenEntity,
  ApiTokensRepository,
  AuditRepository,
  ProjectsRepository,
  TrackingRepository,
} from '@caliper/persistence';

const DEFAULT_DAYS = 90;
const RUN_ID = /^[0-9a-f]{32}$/;

export function tokenSnapshot(t: ApiTokenEntity) {
  return {
    name: t.name,
    ownerId: t.userId,
    roles: t.roles,
    runId: t.runId,
    expiresAt: t.expiresAt.toISOString(),
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

export interface CreateTokenCommand {
  projectId: string;
  name: string;
  roles: ProjectRole[];
  expiresInDays?: number | null;
  runId?: string | null;
  serviceAccount?: string | null;
}

@Injectable()
export class TokensService {
  constructor(
    private readonly ds: DataSource,
    private readonly tokens: ApiTokensRepository,
    private readonly accounts: AccountsRepository,
    private readonly projects: ProjectsRepository,
    private readonly access: AccessService,
    private readonly audit: AuditRepository,
    private readonly tracking: TrackingRepository,
  ) {}

  async create(principal: Principal, cmd: CreateTokenCommand): Promise<{ token: string; entity: ApiTokenEntity }> {
    if (principal.method === 'token') throw forbidden('create API tokens with an API token; sign in instead');
    let ownerId = principal.user.id;
    if (cmd.serviceAccount) {
      if (!(await this.access.allows(principal, 'member.manage', cmd.projectId)))
        throw forbidden('issue tokens to service accounts in this project');
      const account = await this.accounts.findUserByUsername(cmd.serviceAccount);
      if (!account || account.kind !== 'service' || !account.isActive)
        throw new DomainError('BAD_USER_INPUT', `"${cmd.serviceAccount}" is not an active service account.`, { field: 'serviceAccount' });
      ownerId = account.id;
    }
    const ownerRoles = await this.projects.rolesOf(ownerId, cmd.projectId);
    const rolesProblem = tokenRolesProblem(cmd.roles, ownerRoles);
    if (rolesProblem) throw rolesProblem;
    if (cmd.runId != null && !RUN_ID.test(cmd.runId)) {
      throw new DomainError(
        'BAD_USER_INPUT',
        `runId: "${cmd.runId.slice(0, 40)}" is not a run id (32 hexadecimal characters, as MLflow's run_id).`,
        { field: 'runId' },
      );
    }
    const { id, token, secretHash } = generateApiToken();
    const expiresAt = new Date(Date.now() + (cmd.expiresInDays ?? DEFAULT_DAYS) * 86400_000);
    const entity = await this.ds.transaction(async (m) => {
      if (cmd.runId != null) {
        // A token limited to a run of another project (or to no run at all) would be a token for nothing, or for the wrong project.
        const run = await this.tracking.findRunByUuid(cmd.runId, m);
        if (!run || run.projectId !== cmd.projectId)
          throw new DomainError('BAD_USER_INPUT', `runId: no run ${cmd.runId} in this project.`, { field: 'runId' });
      }
      const t = await this.tokens.create(m, {
        id,
        userId: ownerId,
        projectId: cmd.projectId,
        name: cmd.name,
        roles: [...cmd.roles].sort(),
        runId: cmd.runId ?? null,
        secretHash,
        expiresAt,
      });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'token.created',
        entityType: 'api_token',
        entityId: t.id,
        projectId: t.projectId,
        after: tokenSnapshot(t),
      });
      return t;
    });
    return { token, entity };
  }

  /** Owners revoke their own tokens; member managers revoke any token of the project. */
  async revoke(principal: Principal, id: string): Promise<ApiTokenEntity> {
    return this.ds.transaction(async (m) => {
      // Locked, so concurrent revokes (a double click, a retried request) take turns and only the first records one.
      const existing = await this.tokens.lockById(m, id);
      if (!existing) throw notFound(`API token ${id}`);
      const own = existing.userId === principal.user.id;
      if (!own && !(await this.access.allows(principal, 'member.manage', existing.projectId)))
        throw forbidden("revoke another member's token");
      if (existing.revokedAt) return existing;
      const after = await this.tokens.revoke(m, id);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'token.revoked',
        entityType: 'api_token',
        entityId: id,
        projectId: after.projectId,
        before: tokenSnapshot(existing),
        after: tokenSnapshot(after),
      });
      return after;
    });
  }

  listFor(projectId: string, ownerId?: string): Promise<ApiTokenEntity[]> {
    return this.tokens.listForProject(projectId, ownerId);
  }
}
