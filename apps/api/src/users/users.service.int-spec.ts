/**
 * UsersService on its real repositories and a fresh database (medium test): the first admin is
 * created once however many replicas start together; accounts are created with an argon2id hash
 * (never audited), usernames are never reused, passwords follow the length rule, and deactivation,
 * reactivation, global roles and password resets are audited in their transaction. Refused calls
 * and refused audit events leave every table as it was.
 */
import { randomBytes } from 'node:crypto';
import { AccountsRepository, type UserEntity } from '@caliper/persistence';
import { AuthService, type Principal, verifyPassword } from '@caliper/server-kit';
import { defined } from '../testing/defined';
import { AUDIT_REFUSED, Medium, sessionPrincipal, startMedium, tokenPrincipal, unauditablePrincipal } from '../testing/medium';
import { UsersModule } from './users.module';
import { UsersService } from './users.service';

const TABLES = ['users', 'user_credentials', 'sessions', 'api_tokens', 'audit_events'];
const PASSWORD = 'correct horse battery';

describe('UsersService (medium: real repositories, real database)', () => {
  let md: Medium;
  let users: UsersService;
  let admin: UserEntity;
  let asAdmin: Principal;
  let n = 0;
  const username = () => `medium-user-${process.pid}-${++n}`;

  const hashOf = async (user: { id: string }) =>
    (await md.query<{ password_hash: string }>(`SELECT password_hash FROM user_credentials WHERE user_id = $1`, [user.id]))[0]
      ?.password_hash ?? null;
  const newSession = (user: { id: string }) =>
    md.ds.transaction((m) =>
      md.get(AccountsRepository).createSession(m, {
        userId: user.id,
        secretHash: randomBytes(32).toString('hex'),
        expiresAt: new Date(Date.now() + 3_600_000),
        ip: null,
      }),
    );
  const sessionRevoked = async (id: string) =>
    defined((await md.query<{ revoked_at: Date | null }>(`SELECT revoked_at FROM sessions WHERE id = $1`, [id]))[0], `session ${id}`)
      .revoked_at !== null;

  beforeAll(async () => {
    md = await startMedium(UsersModule);
    users = md.get(UsersService);
  }, 60000);
  afterAll(() => md?.close());

  it('creates the first system admin once when replicas start together', async () => {
    const results = await Promise.all([1, 2, 3].map(() => users.ensureFirstAdmin('first-admin', PASSWORD)));
    expect([...results].sort()).toEqual(['created', 'exists', 'exists']);
    expect(await users.ensureFirstAdmin('another-admin', PASSWORD)).toBe('exists');
    const admins = await md.query<{ username: string }>(`SELECT username FROM users WHERE global_role = 'system_admin'`);
    expect(admins).toEqual([{ username: 'first-admin' }]);
    admin = (await users.list()).find((u) => u.username === 'first-admin')!;
    asAdmin = sessionPrincipal(admin);
    expect(await md.auditRows({ entityId: admin.id })).toMatchObject([
      {
        action: 'user.created',
        actorId: null,
        actorLabel: 'system:bootstrap',
        after: { username: 'first-admin', globalRole: 'system_admin' },
      },
    ]);
    expect(await verifyPassword(await hashOf(admin), PASSWORD)).toBe(true);
  });

  describe('create', () => {
    it('creates an active account with an argon2id hash, audited without any credential', async () => {
      const name = username();
      const user = await users.create(
        { actorId: admin.id, actorLabel: admin.username },
        {
          username: name,
          displayName: 'Dr. Medium',
          email: 'medium@example.org',
          password: PASSWORD,
        },
      );
      expect(user).toMatchObject({ username: name, displayName: 'Dr. Medium', kind: 'human', globalRole: null, isActive: true });
      const hash = await hashOf(user);
      expect(hash).toMatch(/^\$argon2id\$/);
      expect(await verifyPassword(hash, PASSWORD)).toBe(true);
      const events = await md.auditRows({ entityId: user.id });
      expect(events).toMatchObject([
        {
          action: 'user.created',
          entityType: 'user',
          actorId: admin.id,
          after: {
            username: name,
            displayName: 'Dr. Medium',
            email: 'medium@example.org',
            kind: 'human',
            globalRole: null,
            isActive: true,
          },
        },
      ]);
      expect(JSON.stringify(events)).not.toContain(PASSWORD);
      expect(JSON.stringify(events)).not.toContain(hash!);
    });

    it.each([
      [
        'a username that breaks the rule',
        { username: 'Has Spaces' },
        'username',
        'username: must be 2-63 lowercase letters, digits, ".", "_" or "-"',
      ],
      ['a short password', { password: 'short' }, 'password', 'password: must be at least 12 characters'],
      ['a very long password', { password: 'x'.repeat(257) }, 'password', 'password: must be at most 256 characters'],
    ])('refuses %s naming the field, writing nothing', async (_what, override, field, message) => {
      const before = await md.counts(...TABLES);
      await expect(
        users.create(
          { actorId: admin.id, actorLabel: admin.username },
          { username: username(), displayName: 'x', password: PASSWORD, ...override },
        ),
      ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message, details: { field } });
      expect(await md.counts(...TABLES)).toEqual(before);
    });

    it('never reuses a username, not even a deactivated one', async () => {
      const gone = await md.newUser({ active: false });
      const before = await md.counts(...TABLES);
      await expect(
        users.create({ actorId: admin.id, actorLabel: admin.username }, { username: gone.username, displayName: 'x', password: PASSWORD }),
      ).rejects.toMatchObject({
        code: 'CONFLICT',
        message: `The username "${gone.username}" is taken (usernames are never reused, even after deactivation).`,
      });
      expect(await md.counts(...TABLES)).toEqual(before);
    });

    it('leaves no account or credential behind when its audit event is refused', async () => {
      const before = await md.counts(...TABLES);
      const actor = unauditablePrincipal(admin).user;
      await expect(
        users.create({ actorId: actor.id, actorLabel: actor.username }, { username: username(), displayName: 'x', password: PASSWORD }),
      ).rejects.toMatchObject(AUDIT_REFUSED);
      expect(await md.counts(...TABLES)).toEqual(before);
    });
  });

  describe('deactivate and reactivate', () => {
    it('deactivates with the reason in the log and ends the sessions; a second time is a CONFLICT', async () => {
      const user = await md.newUser();
      const session = await newSession(user);
      const after = await users.deactivate(asAdmin, user.id, 'left the hospital');
      expect(after.isActive).toBe(false);
      expect(after.deactivatedAt).toBeInstanceOf(Date);
      expect(await sessionRevoked(session.id)).toBe(true);
      expect(await md.auditRows({ entityId: user.id })).toMatchObject([
        {
          action: 'user.deactivated',
          actorId: admin.id,
          before: { isActive: true },
          after: { isActive: false },
          reason: 'left the hospital',
        },
      ]);
      const before = await md.counts(...TABLES);
      await expect(users.deactivate(asAdmin, user.id, 'again')).rejects.toMatchObject({
        code: 'CONFLICT',
        message: `User ${user.username} is already deactivated.`,
      });
      expect(await md.counts(...TABLES)).toEqual(before);

      const back = await users.reactivate(asAdmin, user.id, 'returned');
      expect(back.isActive).toBe(true);
      await expect(users.reactivate(asAdmin, user.id, 'again')).rejects.toMatchObject({
        code: 'CONFLICT',
        message: `User ${user.username} is active.`,
      });
      expect((await md.auditRows({ entityId: user.id })).map((e) => [e.action, e.reason])).toEqual([
        ['user.deactivated', 'left the hospital'],
        ['user.reactivated', 'returned'],
      ]);
    });

    it('refuses to deactivate oneself, and an unknown user', async () => {
      await expect(users.deactivate(asAdmin, admin.id, 'oops')).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        message: 'You cannot deactivate your own account; ask another system admin.',
        details: { field: 'userId' },
      });
      const id = '00000000-0000-4000-8000-000000000000';
      await expect(users.deactivate(asAdmin, id, 'x')).rejects.toMatchObject({ code: 'NOT_FOUND', message: `User ${id} was not found.` });
      expect((await md.query<{ is_active: boolean }>(`SELECT is_active FROM users WHERE id = $1`, [admin.id]))[0]?.is_active).toBe(true);
    });

    it('keeps the account active and its sessions open when the deactivation cannot be audited', async () => {
      const user = await md.newUser();
      const session = await newSession(user);
      await expect(users.deactivate(unauditablePrincipal(admin), user.id, 'x')).rejects.toMatchObject(AUDIT_REFUSED);
      expect((await md.query<{ is_active: boolean }>(`SELECT is_active FROM users WHERE id = $1`, [user.id]))[0]?.is_active).toBe(true);
      expect(await sessionRevoked(session.id)).toBe(false);
    });

    // The "already deactivated?" check reads the user under a row lock: without it, concurrent
    // deactivations of one account each passed it and each appended a user.deactivated event.
    it('records one deactivation when two admins deactivate the same account at once', async () => {
      const second = sessionPrincipal(await md.newUser({ globalRole: 'system_admin' }));
      const counts: number[] = [];
      for (let i = 0; i < 4; i++) {
        const user = await md.newUser();
        const outcomes = await Promise.allSettled([users.deactivate(asAdmin, user.id, 'a'), users.deactivate(second, user.id, 'b')]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        counts.push((await md.auditRows({ entityId: user.id, action: 'user.deactivated' })).length);
      }
      expect(counts).toEqual([1, 1, 1, 1]);
    });
  });

  describe('global roles', () => {
    it('changes a global role with before, after and reason; the same role again is a no-op; never one’s own', async () => {
      const user = await md.newUser();
      const after = await users.setGlobalRole(asAdmin, user.id, 'auditor', 'quarterly audit');
      expect(after.globalRole).toBe('auditor');
      await users.setGlobalRole(asAdmin, user.id, 'auditor', 'again');
      expect(await md.auditRows({ entityId: user.id })).toMatchObject([
        { action: 'user.global_role_changed', before: { globalRole: null }, after: { globalRole: 'auditor' }, reason: 'quarterly audit' },
      ]);
      await expect(users.setGlobalRole(asAdmin, admin.id, null, 'x')).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        details: { field: 'userId' },
      });
      expect((await md.query<{ global_role: string }>(`SELECT global_role FROM users WHERE id = $1`, [admin.id]))[0]?.global_role).toBe(
        'system_admin',
      );
    });
  });

  describe('passwords', () => {
    it('resets a password: the new one works, sessions end, every token is revoked, each audited in one go', async () => {
      const project = await md.newProject();
      const user = await users.create(
        { actorId: admin.id, actorLabel: admin.username },
        { username: username(), displayName: 'x', password: PASSWORD },
      );
      await md.addMember(project.id, user, ['researcher']);
      const session = await newSession(user);
      await md.query(
        `INSERT INTO api_tokens (id, user_id, project_id, name, roles, secret_hash, expires_at)
         VALUES ('aaaaaaaaaaaaaaa1', $1, $2, 'one', '{researcher}', 'h1', now() + interval '1 day'),
                ('aaaaaaaaaaaaaaa2', $1, $2, 'two', '{researcher}', 'h2', now() + interval '1 day')`,
        [user.id, project.id],
      );

      await users.resetPassword(asAdmin, user.id, 'a brand new passphrase');
      expect(await verifyPassword(await hashOf(user), 'a brand new passphrase')).toBe(true);
      expect(await verifyPassword(await hashOf(user), PASSWORD)).toBe(false);
      expect(await sessionRevoked(session.id)).toBe(true);
      expect(await md.query(`SELECT id FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL`, [user.id])).toEqual([]);
      const reset = await md.auditRows({ entityId: user.id, action: 'user.password_reset' });
      expect(reset).toHaveLength(1);
      expect(reset[0]?.after).toEqual({
        username: user.username,
        sessionsEnded: true,
        revokedTokens: expect.arrayContaining(['aaaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaaa2']),
      });
      const revoked = await md.auditRows({ action: 'token.revoked', projectId: project.id });
      expect(revoked.map((e) => [e.entityId, e.reason]).sort()).toEqual([
        ['aaaaaaaaaaaaaaa1', 'password reset by an administrator'],
        ['aaaaaaaaaaaaaaa2', 'password reset by an administrator'],
      ]);
      expect(JSON.stringify([...reset, ...revoked])).not.toContain('a brand new passphrase');
    });

    it('refuses a short new password, changing nothing', async () => {
      const user = await users.create(
        { actorId: admin.id, actorLabel: admin.username },
        { username: username(), displayName: 'x', password: PASSWORD },
      );
      const hash = await hashOf(user);
      const before = await md.counts(...TABLES);
      await expect(users.resetPassword(asAdmin, user.id, 'too short')).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        message: 'newPassword: must be at least 12 characters',
      });
      expect(await md.counts(...TABLES)).toEqual(before);
      expect(await hashOf(user)).toBe(hash);
    });

    it('keeps the old password and sessions when the reset cannot be audited', async () => {
      const user = await users.create(
        { actorId: admin.id, actorLabel: admin.username },
        { username: username(), displayName: 'x', password: PASSWORD },
      );
      const session = await newSession(user);
      await expect(users.resetPassword(unauditablePrincipal(admin), user.id, 'a brand new passphrase')).rejects.toMatchObject(
        AUDIT_REFUSED,
      );
      expect(await verifyPassword(await hashOf(user), PASSWORD)).toBe(true);
      expect(await sessionRevoked(session.id)).toBe(false);
    });

    it('changes one’s own password after re-authenticating, ending the other sessions but not this one', async () => {
      const auth = md.get(AuthService);
      const reauth = (u: Principal['user'], pw: string) => auth.reauthenticate(u, pw, '127.0.0.1');
      const user = await users.create(
        { actorId: admin.id, actorLabel: admin.username },
        { username: username(), displayName: 'x', password: PASSWORD },
      );
      const current = await newSession(user);
      const otherSession = await newSession(user);
      const me: Principal = { ...sessionPrincipal(user), sessionId: current.id } as Principal;

      await expect(users.changeOwnPassword(me, 'not the password', 'a brand new passphrase', reauth)).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        message: 'currentPassword: the current password is not correct.',
        details: { field: 'currentPassword' },
      });
      expect(await verifyPassword(await hashOf(user), PASSWORD)).toBe(true);

      const viaToken = tokenPrincipal(user, { projectId: (await md.newProject()).id, roles: ['viewer'] });
      await expect(users.changeOwnPassword(viaToken, PASSWORD, 'a brand new passphrase', reauth)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });

      await users.changeOwnPassword(me, PASSWORD, 'a brand new passphrase', reauth);
      expect(await verifyPassword(await hashOf(user), 'a brand new passphrase')).toBe(true);
      expect([await sessionRevoked(current.id), await sessionRevoked(otherSession.id)]).toEqual([false, true]);
      expect((await md.auditRows({ entityId: user.id })).map((e) => [e.action, e.actorId])).toEqual([
        ['user.created', admin.id],
        ['user.password_changed', user.id],
      ]);
    });
  });
});
