/**
 * Onboarding (issue 12): a project is created with its PI in one transaction (the creator, or the
 * person named; recorded in project.created), and the pickers that name people — the new
 * project's PI, a project's new member — search active accounts by username or display name,
 * answer usernames and display names only, and are open only to those who may use them.
 */
import { Client } from 'pg';
import { ADMIN, Auth, errorCode, errorMessage, gql, gqlOk, login, newUser, startTestApi, TestApi } from '../testing/api-harness';

const CREATE = `mutation($i: CreateProjectInput!) { createProject(input: $i) { id slug } }`;
const MEMBERS = `query($s: String!) { project(slug: $s) { members { roles user { username } } } }`;
const MEMBER_CANDIDATES = `query($i: MemberCandidatesInput!) { memberCandidates(input: $i) { username displayName } }`;
const PI_CANDIDATES = `query($i: PiCandidatesInput!) { piCandidates(input: $i) { username displayName } }`;

describe('project onboarding: the PI at creation, and the people pickers', () => {
  let api: TestApi;
  let admin: Auth;
  const tag = String(process.pid);
  const people: Record<string, { id: string; username: string }> = {};

  async function account(key: string, username: string, displayName: string, kind: 'HUMAN' | 'SERVICE' = 'HUMAN') {
    const r = await gqlOk<{ createUser: { id: string } }>(api, admin, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
      i: { username, displayName, password: `password-of-${username}`, kind },
    });
    people[key] = { id: r.createUser.id, username };
  }
  async function sql<T>(text: string, params: unknown[]): Promise<T[]> {
    const pg = new Client({ connectionString: api.db.ownerUrl });
    await pg.connect();
    try {
      return (await pg.query(text, params)).rows as T[];
    } finally {
      await pg.end();
    }
  }
  const auditOf = (projectId: string) =>
    sql<{ action: string; after: unknown }>(`SELECT action, after FROM audit_events WHERE project_id = $1 ORDER BY seq`, [projectId]);

  beforeAll(async () => {
    api = await startTestApi();
    admin = await login(api, ADMIN.username, ADMIN.password);
    await account('marta', `marta.kowalska-${tag}`, 'Dr Marta Kowalska');
    await account('marek', `marek.nowak-${tag}`, 'Marek Nowak');
    await account('kowal', `zz-${tag}`, 'Anna Kowalczyk');
    await account('robot', `kowal-ci-${tag}`, 'Kowal CI robot', 'SERVICE');
    await account('gone', `kowalski-${tag}`, 'Jan Kowalski');
    await gqlOk(api, admin, `mutation($i: DeactivateUserInput!) { deactivateUser(input: $i) { id } }`, {
      i: { userId: people.gone!.id, reason: 'left the lab' },
    });
    await account('percent', `pct-${tag}`, '100% sure');
  }, 60_000);
  afterAll(() => api?.close());

  it('makes the named person the PI in the same transaction, and records it in project.created', async () => {
    const { createProject } = await gqlOk<{ createProject: { id: string; slug: string } }>(api, admin, CREATE, {
      i: { slug: `liver-${tag}`, name: 'Liver', piUsername: people.marta!.username },
    });
    const members = await gqlOk<{ project: { members: unknown[] } }>(api, admin, MEMBERS, { s: createProject.slug });
    expect(members.project.members).toEqual([{ roles: ['PI'], user: { username: people.marta!.username } }]);
    const [user] = await sql<{ default_project_id: string }>(`SELECT default_project_id FROM users WHERE id = $1`, [people.marta!.id]);
    expect(user!.default_project_id).toBe(createProject.id);
    expect(await auditOf(createProject.id)).toEqual([
      {
        action: 'project.created',
        after: { slug: `liver-${tag}`, name: 'Liver', description: '', pi: { username: people.marta!.username, roles: ['pi'] } },
      },
      { action: 'experiment.created', after: { name: 'Default' } },
    ]);
    // The PI can manage members at once: the picker answers them.
    const marta = await login(api, people.marta!.username, `password-of-${people.marta!.username}`);
    expect(
      (await gqlOk<{ memberCandidates: unknown[] }>(api, marta, MEMBER_CANDIDATES, { i: { projectId: createProject.id, search: 'marek' } }))
        .memberCandidates,
    ).toEqual([{ username: people.marek!.username, displayName: 'Marek Nowak' }]);
  });

  it('creates the project without members when no PI is named (as scripts did)', async () => {
    const { createProject } = await gqlOk<{ createProject: { slug: string } }>(api, admin, CREATE, {
      i: { slug: `bare-${tag}`, name: 'Bare' },
    });
    expect((await gqlOk<{ project: { members: unknown[] } }>(api, admin, MEMBERS, { s: createProject.slug })).project.members).toEqual([]);
  });

  it('refuses a PI who does not exist, is deactivated or is a service account, naming the field, and creates nothing', async () => {
    const cases: [string, string, RegExp][] = [
      [`nobody-${tag}`, 'NOT_FOUND', /No user is called "nobody-\d+": pick the PI from the suggestions/],
      [people.gone!.username, 'BAD_USER_INPUT', /is deactivated and cannot lead a project/],
      [people.robot!.username, 'BAD_USER_INPUT', /is a service account; a project's PI is a person/],
    ];
    for (const [piUsername, code, message] of cases) {
      const r = await gql(api, admin, CREATE, { i: { slug: `refused-${tag}`, name: 'Refused', piUsername } });
      expect([errorCode(r), r.errors?.[0]?.extensions?.field]).toEqual([code, 'piUsername']);
      expect(errorMessage(r)).toMatch(message);
    }
    expect(await sql(`SELECT id FROM projects WHERE slug = $1`, [`refused-${tag}`])).toEqual([]);
  });

  it('suggests active people by the start of the username or part of the display name, best first, bounded', async () => {
    const search = async (s: string, first?: number) =>
      (await gqlOk<{ piCandidates: { username: string; displayName: string }[] }>(api, admin, PI_CANDIDATES, { i: { search: s, first } }))
        .piCandidates;
    // "kowal": usernames starting with it first (the service account and the deactivated one are left out), then display names.
    expect(await search('KOWAL')).toEqual([
      { username: people.marta!.username, displayName: 'Dr Marta Kowalska' },
      { username: people.kowal!.username, displayName: 'Anna Kowalczyk' },
    ]);
    expect(await search('kowal', 1)).toEqual([{ username: people.marta!.username, displayName: 'Dr Marta Kowalska' }]);
    // LIKE's wildcards match themselves.
    expect(await search('%')).toEqual([{ username: people.percent!.username, displayName: '100% sure' }]);
    expect(await search('_')).toEqual([]);
    for (const [input, field] of [
      [{ search: '' }, 'search'],
      [{ search: 'x'.repeat(64) }, 'search'],
      [{ search: 'a', first: 21 }, 'first'],
      [{ search: 'a', first: 0 }, 'first'],
    ] as const) {
      const r = await gql(api, admin, PI_CANDIDATES, { i: input });
      expect(errorCode(r)).toBe('BAD_USER_INPUT');
      expect(errorMessage(r)).toMatch(new RegExp(field));
    }
  });

  it('offers as members only active accounts not in the project yet, and only to those who manage its members', async () => {
    const { createProject } = await gqlOk<{ createProject: { id: string } }>(api, admin, CREATE, {
      i: { slug: `pickers-${tag}`, name: 'Pickers', piUsername: people.marek!.username },
    });
    const projectId = createProject.id;
    const candidates = async (auth: Auth, search: string) =>
      gql<{ memberCandidates: unknown[] }>(api, auth, MEMBER_CANDIDATES, { i: { projectId, search } });
    // Service accounts may be members; the PI (a member already) and the deactivated account are not offered.
    expect((await candidates(admin, 'kowal')).data?.memberCandidates).toEqual([
      { username: people.robot!.username, displayName: 'Kowal CI robot' },
      { username: people.marta!.username, displayName: 'Dr Marta Kowalska' },
      { username: people.kowal!.username, displayName: 'Anna Kowalczyk' },
    ]);
    expect((await candidates(admin, 'marek')).data?.memberCandidates).toEqual([]);
    const marek = await login(api, people.marek!.username, `password-of-${people.marek!.username}`);
    expect((await candidates(marek, 'marta')).data?.memberCandidates).toEqual([
      { username: people.marta!.username, displayName: 'Dr Marta Kowalska' },
    ]);

    const researcher = await newUser(api, admin, { projectId, roles: ['RESEARCHER'] });
    const asResearcher = await login(api, researcher.username, researcher.password);
    expect(errorCode(await candidates(asResearcher, 'marta'))).toBe('FORBIDDEN');
    expect(errorCode(await gql(api, asResearcher, PI_CANDIDATES, { i: { search: 'marta' } }))).toBe('FORBIDDEN');
    expect(errorCode(await gql(api, marek, PI_CANDIDATES, { i: { search: 'marta' } }))).toBe('FORBIDDEN');
    expect(errorCode(await candidates(null, 'marta'))).toBe('UNAUTHENTICATED');
    // A PI of another project cannot search through this one.
    const { createProject: other } = await gqlOk<{ createProject: { id: string } }>(api, admin, CREATE, {
      i: { slug: `other-${tag}`, name: 'Other', piUsername: people.marta!.username },
    });
    const marta = await login(api, people.marta!.username, `password-of-${people.marta!.username}`);
    expect(errorCode(await candidates(marta, 'kowal'))).toBe('FORBIDDEN');
    expect(
      (await gqlOk<{ memberCandidates: unknown[] }>(api, marta, MEMBER_CANDIDATES, { i: { projectId: other.id, search: 'marek' } }))
        .memberCandidates,
    ).toEqual([{ username: people.marek!.username, displayName: 'Marek Nowak' }]);
  });
});
