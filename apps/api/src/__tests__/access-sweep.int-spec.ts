/**
 * The authorisation sweep: every REST route and every GraphQL root field is enumerated from the
 * running app. Each must be on the public list or answer 401 without credentials; each that
 * needs a permission must answer 403 to every role that lacks it. A new route or field without
 * a sample call here fails this test, so nothing ships unchecked.
 */
import { Requirement, REQUIRES_KEY, SIGNED_IN } from '@caliper/server-kit';
import { Reflector } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { GraphQLObjectType } from 'graphql';
import { Permission, PROJECT_ROLES, projectRolesLacking } from '@caliper/domain';
import { RESOLVERS } from '../graphql/resolvers';
import { TrackingService } from '../tracking/tracking.service';
import { AccessFixture, loadAccessSamples, SampleCall } from '../testing/access-samples';
import { ADMIN, Auth, errorCode, gql, gqlOk, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';

const PUBLIC_REST = ['GET /health/live', 'GET /health/ready', 'GET /metrics', 'POST /api/v1/auth/login'];

const { samples: SAMPLES, setups: SAMPLE_SETUPS, files: SAMPLE_FILES } = loadAccessSamples();

/** The sample call of a root field; a field without one fails the sweep, naming it. */
function sampleCall(field: string, f: AccessFixture): SampleCall {
  const sample = SAMPLES[field];
  if (!sample) throw new Error(`No sample call for the root field ${field}: add one to its feature's *.access-samples.ts`);
  return sample(f);
}

function requirementsByField(reflector: Reflector): Map<string, Requirement | undefined> {
  const out = new Map<string, Requirement | undefined>();
  for (const cls of RESOLVERS) {
    for (const name of Object.getOwnPropertyNames(cls.prototype)) {
      if (name === 'constructor') continue;
      out.set(name, reflector.get<Requirement | undefined>(REQUIRES_KEY, cls.prototype[name as keyof typeof cls.prototype]));
    }
  }
  return out;
}

describe('authorisation sweep over every REST route and GraphQL root field', () => {
  let api: TestApi;
  let admin: Auth;
  let fixture: AccessFixture;
  let rootFields: string[];
  let routes: string[];
  let requirements: Map<string, Requirement | undefined>;
  const sessionsByRoles = new Map<string, Auth>();

  beforeAll(async () => {
    api = await startTestApi();
    admin = await login(api, ADMIN.username, ADMIN.password);
    const slug = 'sweep';
    const projectId = await newProject(api, admin, slug);
    const pi = await newUser(api, admin, { projectId, roles: ['PI'] });
    const piSession = await login(api, pi.username, pi.password);
    const token = await gqlOk<{ createApiToken: { apiToken: { id: string } } }>(
      api,
      piSession,
      `mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "pi-token", roles: [PI] }) { apiToken { id } } }`,
      { p: projectId },
    );
    const defaultExperiment = await api.app.get(TrackingService).defaultExperiment(projectId);
    const run = await api.app
      .get(TrackingService)
      .createRun(
        { method: 'session', sessionId: 'sweep', user: { id: pi.id, username: pi.username, displayName: pi.username, globalRole: null } },
        { experimentId: defaultExperiment.id, name: 'sweep-run' },
      );
    fixture = {
      projectId,
      slug,
      memberId: pi.id,
      tokenId: token.createApiToken.apiToken.id,
      experimentId: defaultExperiment.id,
      runId: run.uuid,
      extra: {},
    };
    for (const setup of SAMPLE_SETUPS) Object.assign(fixture.extra, await setup(api.app, fixture));
    for (const role of PROJECT_ROLES) {
      const u = await newUser(api, admin, { projectId, roles: [role.toUpperCase()] });
      sessionsByRoles.set(role, await login(api, u.username, u.password));
    }
    const auditor = await newUser(api, admin, { globalRole: 'AUDITOR' });
    sessionsByRoles.set('auditor', await login(api, auditor.username, auditor.password));

    const schema = api.app.get(GraphQLSchemaHost).schema;
    rootFields = [schema.getQueryType(), schema.getMutationType()].flatMap((t) => Object.keys((t as GraphQLObjectType).getFields()));
    const router = (
      api.app.getHttpAdapter().getInstance() as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }
    ).router;
    routes = router.stack
      .filter((l) => l.route)
      .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${l.route!.path}`));
    requirements = requirementsByField(api.app.get(Reflector));
  }, 90000);
  afterAll(() => api.close());

  it('found the routes and fields it sweeps', () => {
    expect(routes).toEqual(expect.arrayContaining(['POST /api/v1/auth/login', 'GET /api/v1/auth/me', 'POST /api/v1/auth/logout']));
    expect(rootFields.length).toBeGreaterThanOrEqual(15);
    // Samples come from each feature's folder: one file per feature with root fields.
    expect(SAMPLE_FILES.length).toBeGreaterThanOrEqual(7);
    // A sample for a field the schema no longer has is stale: remove it with the field.
    expect(Object.keys(SAMPLES).filter((f) => !rootFields.includes(f))).toEqual([]);
  });

  it('answers 401 on every non-public REST route without credentials', async () => {
    const guarded = routes.filter((r) => !PUBLIC_REST.includes(r) && !r.endsWith(' /graphql'));
    expect(guarded.length).toBeGreaterThan(0);
    for (const route of guarded) {
      const space = route.indexOf(' ');
      const method = route.slice(0, space);
      const path = route.slice(space + 1);
      const res = await rest(api, method, path, null, method === 'GET' ? undefined : {});
      expect({ route, status: res.status }).toEqual({ route, status: 401 });
    }
  });

  it('has a sample call and a declared requirement for every root field', () => {
    for (const field of rootFields) {
      expect({ field, sample: typeof SAMPLES[field] }).toEqual({ field, sample: 'function' });
      expect({ field, declared: requirements.get(field) !== undefined }).toEqual({ field, declared: true });
    }
  });

  it('answers UNAUTHENTICATED on every root field without credentials', async () => {
    for (const field of rootFields) {
      const { query, variables } = sampleCall(field, fixture);
      expect({ field, code: errorCode(await gql(api, null, query, variables)) }).toEqual({ field, code: 'UNAUTHENTICATED' });
    }
  });

  it('answers FORBIDDEN on every root field to each role that lacks its permission', async () => {
    let checked = 0;
    for (const field of rootFields) {
      const req = requirements.get(field)!;
      if (req.permission === SIGNED_IN) continue;
      const perm = req.permission as Permission;
      const lacking: string[] = projectRolesLacking(perm);
      // Global-only permissions (project.create, user.manage) are lacked by every project role.
      const auditorLacks = !['project.read', 'audit.read'].includes(perm);
      for (const role of [...lacking, ...(auditorLacks ? ['auditor'] : [])]) {
        const { query, variables } = sampleCall(field, fixture);
        const r = await gql(api, sessionsByRoles.get(role)!, query, variables);
        expect({ field, role, code: errorCode(r) }).toEqual({ field, role, code: 'FORBIDDEN' });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('lets each role that holds the permission past the guard', async () => {
    // The reverse check keeps the sweep honest: a guard that refused everyone would pass the test above.
    const project = sampleCall('project', fixture);
    const update = sampleCall('updateProject', fixture);
    const users = sampleCall('users', fixture);
    const r = await gql(api, sessionsByRoles.get('viewer')!, project.query, project.variables);
    expect(r.errors).toBeUndefined();
    const u = await gql(api, sessionsByRoles.get('pi')!, update.query, update.variables);
    expect(u.errors).toBeUndefined();
    const viewerUpdate = await gql(api, sessionsByRoles.get('viewer')!, update.query, update.variables);
    expect(errorCode(viewerUpdate)).toBe('FORBIDDEN');
    // `users` decides in the handler (user.manage or global audit.read): project roles are refused, auditors admitted.
    expect(errorCode(await gql(api, sessionsByRoles.get('pi')!, users.query))).toBe('FORBIDDEN');
    expect((await gql(api, sessionsByRoles.get('auditor')!, users.query)).errors).toBeUndefined();
  });

  it('refuses a token the project it was not scoped to, and a revoked token', async () => {
    const other = await newProject(api, admin, 'sweep-other');
    const researcher = await newUser(api, admin, { projectId: fixture.projectId, roles: ['RESEARCHER'] });
    await gqlOk(
      api,
      admin,
      `mutation($p: ID!, $u: String!) { addProjectMember(input: { projectId: $p, username: $u, roles: [RESEARCHER] }) { roles } }`,
      { p: other, u: researcher.username },
    );
    const session = await login(api, researcher.username, researcher.password);
    const created = await gqlOk<{ createApiToken: { token: string; apiToken: { id: string } } }>(
      api,
      session,
      `mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "x", roles: [RESEARCHER] }) { token apiToken { id } } }`,
      { p: fixture.projectId },
    );
    const bearer = { bearer: created.createApiToken.token };
    expect(errorCode(await gql(api, bearer, `{ project(slug: "sweep-other") { id } }`))).toBe('NOT_FOUND');
    expect(
      errorCode(await gql(api, bearer, `query($p: ID) { auditEvents(filter: { projectId: $p }) { edges { cursor } } }`, { p: other })),
    ).toBe('FORBIDDEN');
    await gqlOk(api, session, `mutation($t: ID!) { revokeApiToken(id: $t) { id } }`, { t: created.createApiToken.apiToken.id });
    expect(errorCode(await gql(api, bearer, `{ project(slug: "sweep") { id } }`))).toBe('UNAUTHENTICATED');
  });
});
