/**
 * The cross-project sweep (issue 10, finding 1): a caller of project A — by API token, and as a
 * user who is a researcher in A and only a viewer of B — sends every MLflow, native and GraphQL
 * call with identifiers of project B's entities duplicated, array-valued, split between query
 * and body, or plain. Each must be refused (400 for ambiguous input, 404/403 otherwise), and
 * B's rows must be exactly as before: a dump of every table that holds B's data is compared.
 */
import { Grants, Principal } from '@caliper/server-kit';
import { Client } from 'pg';
import { ModelVersionsService } from '../registry/model-versions.service';
import { TrackingService } from '../tracking/tracking.service';
import { ADMIN, Auth, gql, gqlOk, login, newProject, newUser, rest, startTestApi, TestApi } from '../testing/api-harness';
import { defined } from '../testing/defined';
import { mlflow, WireJson } from './mlflow-api-helpers';

/** Tables whose rows belong to no single project, each with the reason. Every other table must reach `projects`. */
const NOT_PROJECT_DATA: Record<string, string> = {
  users: 'accounts are global: a user can be a member of many projects',
  user_credentials: "a user's password hash",
  sessions: "a user's sign-in sessions",
  metric_keys: 'metric names, interned once for every project',
  idempotency_records: "a user's retried requests",
  outbox: 'jobs waiting for the queue',
  uploads: 'upload bookkeeping by object key',
  audit_checkpoints: "the whole chain's checkpoints",
  migrations: "TypeORM's list of applied migrations",
};

/** Columns that point at a project's row without a foreign key (kept off the ingest path on purpose). */
const LINKS_WITHOUT_FOREIGN_KEY: { table: string; column: string; references: string }[] = [
  { table: 'metric_points', column: 'run_id', references: 'runs' },
  { table: 'metric_tiers', column: 'run_id', references: 'runs' },
  { table: 'audit_events', column: 'project_id', references: 'projects' },
];

interface Link {
  table: string;
  column: string;
  references: string;
  referencedColumn: string;
}

/**
 * A query per table that holds a project's rows, derived from the catalog: each table reached from
 * `projects` through foreign keys (shortest path; links to users and a table's links to itself are
 * not ownership), plus the links above. A table that is neither reached nor listed as global fails
 * the test, so a feature's new tables are swept without editing this file.
 */
async function projectRowQueries(db: Client): Promise<{ queries: Record<string, string>; unclassified: string[] }> {
  const { rows: fks } = await db.query<Link>(
    `SELECT c.conrelid::regclass::text AS table, a.attname AS column, c.confrelid::regclass::text AS references, ra.attname AS "referencedColumn"
       FROM pg_constraint c
       JOIN pg_namespace n ON n.oid = c.connamespace AND n.nspname = 'public'
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
      WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND c.conrelid <> c.confrelid AND c.confrelid <> 'users'::regclass
      ORDER BY 1, 2`,
  );
  const links: Link[] = [...fks, ...LINKS_WITHOUT_FOREIGN_KEY.map((l) => ({ ...l, referencedColumn: 'id' }))];
  const queries: Record<string, string> = { projects: `SELECT * FROM projects WHERE id = $1` };
  // path[table] = the links from the table up to projects.
  const paths = new Map<string, Link[]>([['projects', []]]);
  for (let frontier = ['projects']; frontier.length > 0;) {
    const next: string[] = [];
    for (const link of links) {
      if (!frontier.includes(link.references) || paths.has(link.table)) continue;
      const path = [link, ...(paths.get(link.references) ?? [])];
      paths.set(link.table, path);
      next.push(link.table);
      const joins = path
        .slice(0, -1)
        .map((l, i) => `JOIN ${l.references} t${i + 1} ON t${i + 1}.${l.referencedColumn} = t${i}.${l.column}`);
      const last = path[path.length - 1]!;
      queries[link.table] = [`SELECT t0.* FROM ${link.table} t0`, ...joins, `WHERE t${path.length - 1}.${last.column} = $1`].join(' ');
    }
    frontier = next;
  }
  const { rows: tables } = await db.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`);
  const unclassified = tables.map((t) => t.name).filter((t) => !paths.has(t) && !(t in NOT_PROJECT_DATA));
  return { queries, unclassified };
}

async function dumpProject(db: Client, projectId: string): Promise<Record<string, string[]>> {
  const { queries } = await projectRowQueries(db);
  const out: Record<string, string[]> = {};
  for (const [table, sql] of Object.entries(queries)) {
    const { rows } = await db.query(sql, [projectId]);
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/** An MLflow call with the query string and the JSON body given separately (as an attacker would). */
async function raw(
  api: TestApi,
  auth: Auth,
  method: string,
  path: string,
  query: string,
  body?: unknown,
): Promise<{ status: number; body: WireJson }> {
  const res = await rest(api, method, `/api/2.0/mlflow/${path}${query ? `?${query}` : ''}`, auth, body);
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as WireJson) : {} };
}

describe('cross-project sweep: identifiers of another project are resolved once and refused', () => {
  let api: TestApi;
  let db: Client;
  let projectB: string;
  /** A researcher of A who is only a viewer of B: their token is scoped to A. */
  let callers: { name: string; auth: Auth }[];
  const a = { project: '', experiment: '', run: '', model: 'model-a' };
  const b = { experiment: '', run: '', model: 'model-b', qualifiedModel: 'proj-b/model-b' };

  beforeAll(async () => {
    api = await startTestApi();
    db = new Client({ connectionString: api.db.ownerUrl });
    await db.connect();
    const admin = await login(api, ADMIN.username, ADMIN.password);
    const projectA = await newProject(api, admin, 'proj-a');
    projectB = await newProject(api, admin, 'proj-b');
    a.project = projectA;
    const user = await newUser(api, admin, { projectId: projectA, roles: ['RESEARCHER'] });
    await gqlOk(api, admin, `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { roles } }`, {
      i: { projectId: projectB, username: user.username, roles: ['VIEWER'] },
    });
    const ownerB = await newUser(api, admin, { projectId: projectB, roles: ['RESEARCHER'] });
    const session = await login(api, user.username, user.password);
    await gqlOk(api, session, `mutation($p: ID!) { setDefaultProject(projectId: $p) { id } }`, { p: projectA });
    const tokenA = (
      await gqlOk<{ createApiToken: { token: string } }>(
        api,
        session,
        `mutation($p: ID!) { createApiToken(input: { projectId: $p, name: "a", roles: [RESEARCHER] }) { token } }`,
        { p: projectA },
      )
    ).createApiToken.token;
    callers = [
      { name: 'token of A', auth: { bearer: tokenA } },
      { name: 'Basic user (researcher of A, viewer of B)', auth: { basic: [user.username, user.password] } },
      { name: 'session (researcher of A, viewer of B)', auth: session },
    ];
    const mine: Auth = { bearer: tokenA };
    const theirs: Auth = { basic: [ownerB.username, ownerB.password] };

    a.experiment = (await mlflow(api, mine, 'POST', 'experiments/create', { name: 'exp-a' })).body.experiment_id;
    a.run = (await mlflow(api, mine, 'POST', 'runs/create', { experiment_id: a.experiment })).body.run.info.run_id;
    expect((await mlflow(api, mine, 'POST', 'registered-models/create', { name: a.model })).status).toBe(200);

    b.experiment = (await mlflow(api, theirs, 'POST', 'experiments/create', { name: 'proj-b/exp-b' })).body.experiment_id;
    b.run = (await mlflow(api, theirs, 'POST', 'runs/create', { experiment_id: b.experiment })).body.run.info.run_id;
    const logged = await mlflow(api, theirs, 'POST', 'runs/log-batch', {
      run_id: b.run,
      metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 1 }],
      params: [{ key: 'lr', value: '0.1' }],
      tags: [{ key: 'owner', value: 'b' }],
    });
    expect(logged.status).toBe(200);
    expect((await mlflow(api, theirs, 'POST', 'registered-models/create', { name: b.qualifiedModel })).status).toBe(200);
    expect((await rest(api, 'PUT', `/api/v1/runs/${b.run}/artifacts/model/model.onnx`, theirs, 'onnx-bytes')).status).toBe(200);
    const source = `mlflow-artifacts:/${b.experiment}/${b.run}/artifacts/model`;
    expect((await mlflow(api, theirs, 'POST', 'model-versions/create', { name: b.qualifiedModel, source, run_id: b.run })).status).toBe(
      200,
    );
  });

  afterAll(async () => {
    await db?.end();
    await api?.close();
  });

  it("finds every table holding a project's rows from the catalog and leaves none unclassified", async () => {
    const { queries, unclassified } = await projectRowQueries(db);
    expect(unclassified).toEqual([]);
    expect(Object.keys(queries)).toEqual(
      expect.arrayContaining(['experiments', 'runs', 'run_params', 'metric_points', 'metric_tiers', 'model_version_tags', 'audit_events']),
    );
    expect(queries.model_version_tags).toMatch(/JOIN model_versions t1 .* JOIN registered_models t2 .* WHERE t2\.project_id = \$1/);
    // A new table with no route to a project and no reason to be global is reported.
    await db.query(`CREATE TABLE sweep_orphan (id int)`);
    try {
      expect((await projectRowQueries(db)).unclassified).toEqual(['sweep_orphan']);
    } finally {
      await db.query(`DROP TABLE sweep_orphan`);
    }
  });

  it("leaves every row of B unchanged while each caller of A tries every route with B's ids", async () => {
    const before = await dumpProject(db, projectB);
    expect(before.runs).toHaveLength(1);
    expect(before.metric_points).toHaveLength(1);
    expect(before.model_versions).toHaveLength(1);

    const ambiguous = { status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.any(String) } };
    const refusedOrAbsent = (r: { status: number; body: WireJson }) => {
      expect([403, 404]).toContain(r.status);
      expect(['PERMISSION_DENIED', 'RESOURCE_DOES_NOT_EXIST']).toContain(r.body.error_code);
    };
    const metric = { key: 'x', value: 1, timestamp: 1, step: 0 };

    for (const { name, auth } of callers) {
      const at = (label: string) => `${name}: ${label}`;
      // Repeated query arguments, arrays where one id is expected, query/body conflicts.
      const attempts: [string, Promise<{ status: number; body: WireJson }>][] = [
        ['runs/get twice', raw(api, auth, 'GET', 'runs/get', `run_id=${a.run}&run_id=${b.run}`)],
        ['log-batch array', raw(api, auth, 'POST', 'runs/log-batch', '', { run_id: [a.run, b.run], metrics: [metric] })],
        ['set-tag query vs body', raw(api, auth, 'POST', 'runs/set-tag', `run_id=${b.run}`, { run_uuid: a.run, key: 'k', value: 'v' })],
        [
          'set-tag run_id vs run_uuid',
          raw(api, auth, 'POST', 'runs/set-tag', '', { run_id: a.run, run_uuid: b.run, key: 'k', value: 'v' }),
        ],
        ['update query and body', raw(api, auth, 'POST', 'runs/update', `run_id=${b.run}`, { run_id: a.run, status: 'KILLED' })],
        ['log-metric array run_uuid', raw(api, auth, 'POST', 'runs/log-metric', '', { run_uuid: [a.run, b.run], ...metric })],
        ['experiments/delete array', raw(api, auth, 'POST', 'experiments/delete', '', { experiment_id: [a.experiment, b.experiment] })],
        ['experiments/get twice', raw(api, auth, 'GET', 'experiments/get', `experiment_id=${a.experiment}&experiment_id=${b.experiment}`)],
        [
          'experiments/update query vs body',
          raw(api, auth, 'POST', 'experiments/update', `experiment_id=${b.experiment}`, { experiment_id: a.experiment, new_name: 'x' }),
        ],
        ['get-history twice', raw(api, auth, 'GET', 'metrics/get-history', `run_id=${a.run}&run_id=${b.run}&metric_key=loss`)],
        [
          'model-versions/create query vs body',
          raw(api, auth, 'POST', 'model-versions/create', `name=${a.model}`, { name: [b.qualifiedModel], source: 's3://x/evil' }),
        ],
        [
          'model-versions/create name array',
          raw(api, auth, 'POST', 'model-versions/create', '', { name: [a.model, b.qualifiedModel], source: 's3://x/evil' }),
        ],
        [
          'transition-stage array',
          raw(api, auth, 'POST', 'model-versions/transition-stage', '', {
            name: [a.model, b.qualifiedModel],
            version: '1',
            stage: 'Production',
          }),
        ],
        [
          'transition-stage version array',
          raw(api, auth, 'POST', 'model-versions/transition-stage', '', { name: a.model, version: ['1', '2'], stage: 'Production' }),
        ],
        [
          'registered-models/get twice',
          raw(api, auth, 'GET', 'registered-models/get', `name=${a.model}&name=${encodeURIComponent(b.qualifiedModel)}`),
        ],
        [
          'model-versions/set-tag array',
          raw(api, auth, 'POST', 'model-versions/set-tag', '', {
            name: [a.model, b.qualifiedModel],
            version: '1',
            key: 'validated',
            value: 'true',
          }),
        ],
        [
          'registered-models/search filter twice',
          raw(
            api,
            auth,
            'GET',
            'registered-models/search',
            `filter=${encodeURIComponent("name = 'model-a'")}&filter=${encodeURIComponent("name = 'proj-b/model-b'")}`,
          ),
        ],
        ['body that is a list', raw(api, auth, 'POST', 'runs/log-batch', '', [{ run_id: b.run }])],
      ];
      for (const [label, call] of attempts) expect([at(label), await call]).toEqual([at(label), ambiguous]);

      // Plain writes to B's entities: a viewer of B is refused (403), a token of A finds nothing (404).
      const writes: [string, Promise<{ status: number; body: WireJson }>][] = [
        ['log-batch', mlflow(api, auth, 'POST', 'runs/log-batch', { run_id: b.run, metrics: [metric] })],
        ['log-metric', mlflow(api, auth, 'POST', 'runs/log-metric', { run_id: b.run, run_uuid: b.run, ...metric })],
        ['set-tag', mlflow(api, auth, 'POST', 'runs/set-tag', { run_id: b.run, key: 'k', value: 'v' })],
        ['log-parameter', mlflow(api, auth, 'POST', 'runs/log-parameter', { run_id: b.run, key: 'lr', value: '9' })],
        ['update', mlflow(api, auth, 'POST', 'runs/update', { run_id: b.run, status: 'KILLED' })],
        ['delete run', mlflow(api, auth, 'POST', 'runs/delete', { run_id: b.run })],
        ['create run', mlflow(api, auth, 'POST', 'runs/create', { experiment_id: b.experiment })],
        ['create run via query', raw(api, auth, 'POST', 'runs/create', `experiment_id=${b.experiment}`, {})],
        ['delete experiment', mlflow(api, auth, 'POST', 'experiments/delete', { experiment_id: b.experiment })],
        ['rename experiment', mlflow(api, auth, 'POST', 'experiments/update', { experiment_id: b.experiment, new_name: 'mine' })],
        [
          'experiment tag',
          mlflow(api, auth, 'POST', 'experiments/set-experiment-tag', { experiment_id: b.experiment, key: 'k', value: 'v' }),
        ],
        ['create experiment in B', mlflow(api, auth, 'POST', 'experiments/create', { name: 'proj-b/planted' })],
        ['model version in B', mlflow(api, auth, 'POST', 'model-versions/create', { name: b.qualifiedModel, source: 's3://x/evil' })],
        [
          'transition in B',
          mlflow(api, auth, 'POST', 'model-versions/transition-stage', { name: b.qualifiedModel, version: '1', stage: 'Production' }),
        ],
        [
          'version tag in B',
          mlflow(api, auth, 'POST', 'model-versions/set-tag', { name: b.qualifiedModel, version: '1', key: 'validated', value: 'true' }),
        ],
        ['model tag in B', mlflow(api, auth, 'POST', 'registered-models/set-tag', { name: b.qualifiedModel, key: 'k', value: 'v' })],
        ['alias in B', mlflow(api, auth, 'POST', 'registered-models/alias', { name: b.qualifiedModel, alias: 'champion', version: '1' })],
      ];
      for (const [label, call] of writes) {
        const r = await call;
        expect([at(label), r.status]).toEqual([at(label), expect.any(Number)]);
        refusedOrAbsent(r);
      }

      // Native routes name the run in the path; a conflicting query argument must not change that.
      for (const [method, path, body] of [
        ['POST', `/api/v1/runs/${b.run}/batch`, { metrics: [metric] }],
        ['POST', `/api/v1/runs/${a.run}/batch?runId=${b.run}`, { metrics: [] }],
        ['PATCH', `/api/v1/runs/${b.run}`, { status: 'KILLED' }],
        ['POST', `/api/v1/runs/${b.run}/heartbeat`, {}],
        ['POST', `/api/v1/runs/${b.run}/logs`, { lines: [{ line: 'planted' }] }],
        ['PUT', `/api/v1/runs/${b.run}/artifacts/planted.txt`, 'planted'],
        ['POST', `/api/v1/projects/proj-b/runs`, {}],
      ] as [string, string, unknown][]) {
        const res = await rest(api, method, path, auth, body);
        const fine = path.startsWith(`/api/v1/runs/${a.run}/`) ? [200, 201, 204] : [403, 404];
        expect([at(`${method} ${path}`), fine.includes(res.status)]).toEqual([at(`${method} ${path}`), true]);
      }
    }

    // GraphQL: typed arguments cannot be lists where one id is expected, and B's entities are out of reach of A's token.
    const token = defined(callers[0], 'the caller with the token of A').auth;
    const listAsId = await gql(api, token, 'query($r: String!) { run(runId: $r) { runId } }', { r: [a.run, b.run] });
    expect(listAsId.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const aliased = await gql(
      api,
      token,
      'query($a: String!, $b: String!) { mine: run(runId: $a) { runId } theirs: run(runId: $b) { runId } }',
      { a: a.run, b: b.run },
    );
    expect(aliased.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([['NOT_FOUND', `Run ${b.run} was not found.`]]);
    const absent = await gql(api, token, 'query($b: String!) { run(runId: $b) { runId } }', { b: 'f'.repeat(32) });
    expect(absent.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const series = await gql(
      api,
      token,
      'query($p: ID!, $r: String!) { metricSeries(projectId: $p, runIds: [$r], keys: ["loss"]) { bucketCount } }',
      { p: projectB, r: b.run },
    );
    expect(series.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Registry: B's models are out of reach of A's token, and no caller of A registers into B or from B's run.
    const modelReads: [string, string, Record<string, unknown>][] = [
      ['registeredModels', 'query($p: ID!) { registeredModels(projectId: $p) { edges { node { name } } } }', { p: projectB }],
      [
        'registeredModel',
        'query($p: ID!, $n: String!) { registeredModel(projectId: $p, name: $n) { id versions { id } } }',
        { p: projectB, n: b.model },
      ],
      [
        'modelVersion',
        'query($p: ID!, $n: String!) { modelVersion(projectId: $p, name: $n, version: 1) { id validation { status } } }',
        { p: projectB, n: b.model },
      ],
    ];
    for (const [label, query, variables] of modelReads) {
      const r = await gql(api, token, query, variables);
      expect([label, r.errors?.[0]?.extensions?.code]).toEqual([label, 'FORBIDDEN']);
    }
    const register = `mutation($i: RegisterModelVersionInput!) { registerModelVersion(input: $i) { id } }`;
    const spec = { taskType: 'SEGMENTATION', postprocessing: { labels: ['background', 'lesion'] } };
    for (const { name, auth } of callers) {
      const intoB = await gql(api, auth, register, {
        i: { projectId: projectB, modelName: b.model, runId: b.run, artifactPath: 'model', ...spec },
      });
      expect([name, 'into B', intoB.errors?.[0]?.extensions?.code]).toEqual([name, 'into B', 'FORBIDDEN']);
      const fromB = await gql(api, auth, register, {
        i: { projectId: a.project, modelName: 'planted', runId: b.run, artifactPath: 'model', ...spec },
      });
      expect([name, 'from B', fromB.errors?.[0]?.message]).toEqual([name, 'from B', expect.stringMatching(/belongs to another project/)]);
    }

    expect(await dumpProject(db, projectB)).toEqual(before);
  });

  it("lets the same callers still act on A's own entities (the refusals above are not blanket)", async () => {
    for (const { auth } of callers) {
      expect(
        (await mlflow(api, auth, 'POST', 'runs/log-metric', { run_id: a.run, run_uuid: a.run, key: 'ok', value: 1, timestamp: 1, step: 0 }))
          .status,
      ).toBe(200);
      expect((await mlflow(api, auth, 'GET', 'runs/get', { run_id: a.run })).status).toBe(200);
      // A viewer of B still reads B (the token of A does not).
      const read = await mlflow(api, auth, 'GET', 'runs/get', { run_id: b.run });
      expect(read.status).toBe('bearer' in (auth as object) ? 404 : 200);
    }
  });

  it('services refuse an entity outside the projects the guard granted, whatever a transport resolved', async () => {
    const grants = new Grants();
    const projectA = (await db.query(`SELECT project_id FROM runs WHERE uuid = $1`, [a.run])).rows[0].project_id as string;
    grants.add(projectA, 'run.write');
    grants.add(projectA, 'model.register');
    const user = (await db.query(`SELECT id, username FROM users WHERE username = 'admin'`)).rows[0] as { id: string; username: string };
    const who: Principal = {
      method: 'session',
      sessionId: 's',
      user: { id: user.id, username: user.username, displayName: user.username, globalRole: null },
      grants,
    };
    const tracking = api.app.get(TrackingService);
    const registry = api.app.get(ModelVersionsService);
    const before = await dumpProject(db, projectB);
    await expect(tracking.logBatch(who, b.run, { metrics: [{ key: 'x', value: 1, timestamp: 1, step: 0 }] })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(tracking.setRunLifecycle(who, b.run, 'deleted')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(tracking.setExperimentLifecycle(who, b.experiment, 'deleted')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      registry.setVersionTag(who, { projectId: projectB, name: b.model }, 1, { key: 'validated', value: 'true' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // The same principal may write where it was granted.
    await expect(tracking.logBatch(who, a.run, { metrics: [{ key: 'granted', value: 1, timestamp: 1, step: 0 }] })).resolves.toEqual({
      pointsWritten: 1,
    });
    expect(await dumpProject(db, projectB)).toEqual(before);
  });
});
