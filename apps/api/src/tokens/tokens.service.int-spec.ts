/**
 * TokensService on its real repositories and a fresh database (medium test): a token carries no
 * role beyond its owner's in the project, a run-scoped token names a run of that project, only
 * sha256(secret) is stored, issuing and revoking are audited in their transaction, and revoking is
 * for the owner or a member manager, once.
 */
import { hashTokenSecret, parseApiToken } from '@caliper/domain';
import type { ExperimentEntity, ProjectEntity, UserEntity } from '@caliper/persistence';
import type { Principal } from '@caliper/server-kit';
import { AUDIT_REFUSED, Medium, sessionPrincipal, startMedium, tokenPrincipal, unauditablePrincipal } from '../testing/medium';
import { TokensModule } from './tokens.module';
import { TokensService } from './tokens.service';

const DAY = 86_400_000;

describe('TokensService (medium: real repositories, real database)', () => {
  let md: Medium;
  let tokens: TokensService;
  let project: ProjectEntity;
  let other: ProjectEntity;
  let experiment: ExperimentEntity;
  let researcher: UserEntity;
  let asResearcher: Principal;
  let pi: UserEntity;
  let asPi: Principal;

  const tokenRow = (id: string) =>
    md.query<{ user_id: string; roles: string[]; run_id: string | null; secret_hash: string; revoked_at: Date | null }>(
      `SELECT user_id, roles, run_id, secret_hash, revoked_at FROM api_tokens WHERE id = $1`,
      [id],
    );

  beforeAll(async () => {
    md = await startMedium(TokensModule);
    tokens = md.get(TokensService);
    project = await md.newProject();
    other = await md.newProject();
    experiment = await md.newExperiment(project.id);
    researcher = await md.newUser();
    await md.addMember(project.id, researcher, ['researcher', 'viewer']);
    asResearcher = sessionPrincipal(researcher, [[project.id, 'token.create']]);
    pi = await md.newUser();
    await md.addMember(project.id, pi, ['pi']);
    asPi = sessionPrincipal(pi, [[project.id, 'token.create', 'member.manage']]);
  }, 60000);
  afterAll(() => md?.close());

  describe('create', () => {
    it('issues a token shown once: only sha256(secret) is stored, roles sorted, 90 days by default, audited without the secret', async () => {
      const t0 = Date.now();
      const { token, entity } = await tokens.create(asResearcher, {
        projectId: project.id,
        name: 'training',
        roles: ['viewer', 'researcher'],
      });
      const parsed = parseApiToken(token)!;
      expect(parsed.id).toBe(entity.id);
      expect(entity).toMatchObject({
        userId: researcher.id,
        projectId: project.id,
        name: 'training',
        roles: ['researcher', 'viewer'],
        runId: null,
      });
      expect(entity.expiresAt.getTime() - t0).toBeGreaterThanOrEqual(90 * DAY);
      expect(entity.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(90 * DAY);
      expect(await tokenRow(entity.id)).toEqual([
        {
          user_id: researcher.id,
          roles: ['researcher', 'viewer'],
          run_id: null,
          secret_hash: hashTokenSecret(parsed.secret),
          revoked_at: null,
        },
      ]);
      const events = await md.auditRows({ entityId: entity.id });
      expect(events).toMatchObject([
        {
          action: 'token.created',
          entityType: 'api_token',
          projectId: project.id,
          actorId: researcher.id,
          after: { name: 'training', ownerId: researcher.id, roles: ['researcher', 'viewer'], runId: null, revokedAt: null },
        },
      ]);
      expect(JSON.stringify(events)).not.toContain(parsed.secret);
    });

    it('honours expiresInDays', async () => {
      const { entity } = await tokens.create(asResearcher, { projectId: project.id, name: 'short', roles: ['viewer'], expiresInDays: 1 });
      expect(Math.abs(entity.expiresAt.getTime() - (Date.now() + DAY))).toBeLessThan(60_000);
    });

    it.each([
      [
        'a role the owner lacks',
        { roles: ['researcher', 'pi'] },
        'roles',
        'A token cannot carry roles its owner does not hold in this project: pi.',
      ],
      [
        'roles in a project the owner is not a member of',
        { projectIdOf: 'other', roles: ['viewer'] },
        'roles',
        'A token cannot carry roles its owner does not hold in this project: viewer.',
      ],
      [
        'a run id that is not one',
        { roles: ['researcher'], runId: 'not-a-run' },
        'runId',
        'runId: "not-a-run" is not a run id (32 hexadecimal characters, as MLflow\'s run_id).',
      ],
      [
        'a run that does not exist',
        { roles: ['researcher'], runId: 'f'.repeat(32) },
        'runId',
        `runId: no run ${'f'.repeat(32)} in this project.`,
      ],
    ] as const)('refuses %s as BAD_USER_INPUT on the field, writing nothing', async (_what, input, field, message) => {
      const before = await md.counts('api_tokens', 'audit_events');
      const projectId = 'projectIdOf' in input ? other.id : project.id;
      await expect(
        tokens.create(asResearcher, { projectId, name: 'refused', roles: [...input.roles], runId: 'runId' in input ? input.runId : null }),
      ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message, details: { field } });
      expect(await md.counts('api_tokens', 'audit_events')).toEqual(before);
    });

    it('limits a token to one run of the project, and refuses a run of another project as if it did not exist', async () => {
      const run = await md.newRun(experiment, researcher);
      const { entity } = await tokens.create(asResearcher, {
        projectId: project.id,
        name: 'one run',
        roles: ['researcher'],
        runId: run.uuid,
      });
      expect(entity.runId).toBe(run.uuid);
      expect((await md.auditRows({ entityId: entity.id }))[0]?.after).toMatchObject({ runId: run.uuid });

      const elsewhere = await md.newRun(await md.newExperiment(other.id), researcher);
      const before = await md.counts('api_tokens', 'audit_events');
      await expect(
        tokens.create(asResearcher, { projectId: project.id, name: 'wrong run', roles: ['researcher'], runId: elsewhere.uuid }),
      ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: `runId: no run ${elsewhere.uuid} in this project.` });
      expect(await md.counts('api_tokens', 'audit_events')).toEqual(before);
    });

    it('refuses to issue a token with a token', async () => {
      const viaToken = tokenPrincipal(researcher, { projectId: project.id, roles: ['researcher'] });
      await expect(tokens.create(viaToken, { projectId: project.id, name: 'nested', roles: ['viewer'] })).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: 'You do not have permission to create API tokens with an API token; sign in instead.',
      });
    });

    it('leaves no token behind when its audit event is refused', async () => {
      const before = await md.counts('api_tokens', 'audit_events');
      await expect(
        tokens.create(unauditablePrincipal(researcher), { projectId: project.id, name: 'unaudited', roles: ['viewer'] }),
      ).rejects.toMatchObject(AUDIT_REFUSED);
      expect(await md.counts('api_tokens', 'audit_events')).toEqual(before);
    });

    it("issues a service account's token only for a member manager, within the account's own roles", async () => {
      const bot = await md.newUser({ kind: 'service' });
      await md.addMember(project.id, bot, ['researcher']);
      await expect(
        tokens.create(asResearcher, { projectId: project.id, name: 'bot', roles: ['researcher'], serviceAccount: bot.username }),
      ).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: 'You do not have permission to issue tokens to service accounts in this project.',
      });
      // The account's roles bound the token, not the issuer's (a PI cannot hand a bot the PI role).
      await expect(
        tokens.create(asPi, { projectId: project.id, name: 'bot', roles: ['pi'], serviceAccount: bot.username }),
      ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'roles' } });
      const { entity } = await tokens.create(asPi, {
        projectId: project.id,
        name: 'bot',
        roles: ['researcher'],
        serviceAccount: bot.username,
      });
      expect(entity.userId).toBe(bot.id);
      expect((await md.auditRows({ entityId: entity.id }))[0]).toMatchObject({ actorId: pi.id, after: { ownerId: bot.id } });

      const human = await md.newUser();
      await expect(
        tokens.create(asPi, { projectId: project.id, name: 'not a bot', roles: ['viewer'], serviceAccount: human.username }),
      ).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        message: `"${human.username}" is not an active service account.`,
        details: { field: 'serviceAccount' },
      });
    });
  });

  describe('revoke', () => {
    it('lets the owner revoke once: revoked_at set, one token.revoked event with before and after; again is a no-op', async () => {
      const { entity } = await tokens.create(asResearcher, { projectId: project.id, name: 'to revoke', roles: ['viewer'] });
      const revoked = await tokens.revoke(asResearcher, entity.id);
      expect(revoked.revokedAt).toBeInstanceOf(Date);
      expect((await tokenRow(entity.id))[0]?.revoked_at).toEqual(revoked.revokedAt);
      const again = await tokens.revoke(asResearcher, entity.id);
      expect(again.revokedAt).toEqual(revoked.revokedAt);
      const events = await md.auditRows({ entityId: entity.id, action: 'token.revoked' });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ before: { revokedAt: null }, after: { revokedAt: revoked.revokedAt!.toISOString() } });
    });

    it("refuses another member's token to a non-manager, and lets a member manager revoke it", async () => {
      const { entity } = await tokens.create(asResearcher, { projectId: project.id, name: 'theirs', roles: ['viewer'] });
      const colleague = await md.newUser();
      await md.addMember(project.id, colleague, ['researcher']);
      await expect(tokens.revoke(sessionPrincipal(colleague), entity.id)).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: "You do not have permission to revoke another member's token.",
      });
      expect((await tokenRow(entity.id))[0]?.revoked_at).toBeNull();
      await tokens.revoke(asPi, entity.id);
      expect((await tokenRow(entity.id))[0]?.revoked_at).toBeInstanceOf(Date);
      expect(await md.auditRows({ entityId: entity.id, action: 'token.revoked' })).toMatchObject([{ actorId: pi.id }]);
    });

    it('refuses an unknown token as not found', async () => {
      await expect(tokens.revoke(asPi, '0123456789abcdef')).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: 'API token 0123456789abcdef was not found.',
      });
    });

    it('keeps the token valid when the revocation cannot be audited', async () => {
      const { entity } = await tokens.create(asResearcher, { projectId: project.id, name: 'kept', roles: ['viewer'] });
      await expect(tokens.revoke(unauditablePrincipal(researcher), entity.id)).rejects.toMatchObject(AUDIT_REFUSED);
      expect((await tokenRow(entity.id))[0]?.revoked_at).toBeNull();
    });

    // The "already revoked?" check reads the token in the transaction under a row lock: before, it
    // read outside it, and concurrent revokes (a double click, a retried request) each appended a
    // token.revoked event whose `before` claimed the token was still valid.
    it('records one revocation when several revoke the same token at once', async () => {
      const counts: number[] = [];
      for (let i = 0; i < 4; i++) {
        const { entity } = await tokens.create(asResearcher, { projectId: project.id, name: `double click ${i}`, roles: ['viewer'] });
        const revoked = await Promise.all([1, 2, 3].map(() => tokens.revoke(asResearcher, entity.id)));
        expect(new Set(revoked.map((t) => t.revokedAt?.toISOString())).size).toBe(1);
        counts.push((await md.auditRows({ entityId: entity.id, action: 'token.revoked' })).length);
      }
      expect(counts).toEqual([1, 1, 1, 1]);
    });
  });

  it("lists a project's tokens, or one owner's", async () => {
    const all = await tokens.listFor(project.id);
    const mine = await tokens.listFor(project.id, researcher.id);
    expect(all.length).toBeGreaterThan(mine.length);
    expect(new Set(mine.map((t) => t.userId))).toEqual(new Set([researcher.id]));
    expect(all.every((t) => t.projectId === project.id)).toBe(true);
    expect(await tokens.listFor(other.id)).toEqual([]);
  });
});
