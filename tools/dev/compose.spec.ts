/** docker-compose.yml cannot run here (no engine): parse it and check it against the code and .env.example. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configSchema } from '@caliper/config';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the worker's V8 flags, checked against its image
import { WORKER_NODE_FLAGS } from '../../apps/worker/src/node-flags';

const ROOT = path.resolve(__dirname, '../..');
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const dockerfile = (app: string) => readFileSync(path.join(ROOT, `apps/${app}/Dockerfile`), 'utf8');
/** The compose environment as the app sees it: `${X:-default}` gives its default, any other `${X...}` a placeholder. */
const resolvedEnv = (service: string) =>
  Object.fromEntries(
    Object.entries(compose.services[service].environment as Record<string, string>).map(([k, v]) => [
      k,
      String(v)
        .replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1')
        .replace(/\$\{[^}]+\}/g, 'x'),
    ]),
  );

describe('docker-compose.yml', () => {
  it('has the production services on the pinned images', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'minio', 'orthanc', 'migrate', 'api', 'worker', 'inference', 'web']),
    );
    expect(compose.services.postgres.image).toBe('postgres:15');
    // The Node major the repository pins (package.json's `node` dev dependency and engines) is the images' too.
    const pinned = (
      JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
    ).devDependencies.node!.split('.')[0];
    for (const app of ['api', 'worker', 'inference', 'web'])
      expect({ app, from: dockerfile(app).match(/^FROM node:(\d+)-bookworm-slim/m)?.[1] }).toEqual({ app, from: pinned });
    expect(readFileSync(path.join(ROOT, 'apps/api/Dockerfile'), 'utf8')).toMatch(/^USER node$/m);
  });

  it('gives the API only variables the config knows, binds 0.0.0.0, and validates', () => {
    const env = resolvedEnv('api');
    const known = Object.keys(configSchema.shape);
    for (const key of Object.keys(env)) expect(known).toContain(key);
    expect(env.HOST).toBe('0.0.0.0');
    expect(configSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''))).success).toBe(true);
  });

  it.each([
    ['worker', 'WORKER_PORT', 3001],
    ['inference', 'INFERENCE_PORT', 3002],
  ])('runs the %s from its own image: only known variables, 0.0.0.0, after migrate', (service, portVar, port) => {
    const svc = compose.services[service];
    expect(svc.build.dockerfile).toBe(`apps/${service}/Dockerfile`);
    const env = resolvedEnv(service);
    const known = Object.keys(configSchema.shape);
    for (const key of Object.keys(env)) expect(known).toContain(key);
    expect(env.HOST).toBe('0.0.0.0');
    expect(Number(env[portVar])).toBe(port);
    expect(configSchema.safeParse(env).success).toBe(true);
    expect(svc.depends_on.migrate.condition).toBe('service_completed_successfully');
  });

  it.each(['worker', 'inference'])('builds the %s image in two stages on node:22-bookworm-slim, as the non-root node user', (app) => {
    const text = dockerfile(app);
    expect(text.match(/^FROM node:22-bookworm-slim/gm)).toHaveLength(2);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^ENV .*HOST=0\.0\.0\.0/m);
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(text)?.[1] ?? '[]') as string[];
    // The image runs the ahead-of-time build (tools/build/server.ts) of a source file that exists.
    const entry = cmd.at(-1) ?? '';
    // The worker with its V8 flags (apps/worker/src/node-flags.ts), as npm start runs it.
    if (app === 'worker') expect(cmd.slice(0, -1)).toEqual(['node', ...WORKER_NODE_FLAGS]);
    expect(entry).toMatch(/^dist\/server\/.*\.js$/);
    expect(existsSync(path.join(ROOT, entry.replace(/^dist\/server\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    expect(text).toMatch(/^RUN node -r \.\/tools\/register\.js tools\/build\/server\.ts$/m);
    // Every library's manifest reaches `npm ci`, so each @caliper/* import resolves in the image.
    const manifests = ['migrations', ...readdirSync(path.join(ROOT, 'libs')).map((l) => `libs/${l}`)].filter((d) =>
      existsSync(path.join(ROOT, d, 'package.json')),
    );
    for (const dir of [...manifests, `apps/${app}`]) expect(text).toContain(`COPY ${dir}/package.json ${dir}/`);
  });

  it('keeps the database owner credentials out of every long-running service', () => {
    expect(compose.services.migrate.environment.DATABASE_OWNER_URL).toMatch(/^postgres:\/\/postgres:/);
    for (const service of ['api', 'worker', 'inference', 'web']) {
      const env = (compose.services[service].environment ?? {}) as Record<string, string>;
      const owner = 'DATABASE_OWNER_URL' in env || Object.values(env).some((v) => String(v).includes('POSTGRES_PASSWORD'));
      expect({ service, owner }).toEqual({ service, owner: false });
    }
  });

  it('runs Orthanc with its DICOMweb plugin for the API, DICOM published, HTTP on the compose network only', () => {
    const orthanc = compose.services.orthanc;
    expect(orthanc.image).toMatch(/^orthancteam\/orthanc:\d+\.\d+\.\d+$/);
    expect(orthanc.environment).toMatchObject({
      DICOM_WEB_PLUGIN_ENABLED: 'true',
      ORTHANC__DICOM_WEB__ENABLE: 'true',
      ORTHANC__DICOM_WEB__ROOT: '/dicom-web/',
      ORTHANC__DICOM_AET: 'CALIPER',
    });
    // Without HTTP authentication only because nothing outside the compose network reaches 8042.
    expect(orthanc.environment.ORTHANC__AUTHENTICATION_ENABLED).toBe('false');
    expect(orthanc.ports).toEqual(['4242:4242']);
    expect(orthanc.expose).toEqual(['8042']);
    expect(orthanc.volumes).toEqual(['orthancdata:/var/lib/orthanc/db']);
    expect(compose.volumes).toHaveProperty('orthancdata');
    // The API's PACS is that service's DICOMweb root.
    const pacs = new URL(resolvedEnv('api').PACS_DICOMWEB_URL ?? '');
    expect(pacs.hostname).toBe('orthanc');
    expect(orthanc.expose).toContain(pacs.port);
    expect(`${pacs.pathname}/`).toBe(orthanc.environment.ORTHANC__DICOM_WEB__ROOT);
  });

  it('pins every image to a version', () => {
    for (const [name, svc] of Object.entries(compose.services as Record<string, { image?: string }>)) {
      if (svc.image) expect({ name, image: svc.image }).toEqual({ name, image: expect.not.stringMatching(/:latest$|^[^:]+$/) });
    }
  });

  it('serves the web app from its image on port 8080 next to the API', () => {
    expect(compose.services.web.build.dockerfile).toBe('apps/web/Dockerfile');
    expect(compose.services.web.ports).toEqual(['8080:8080']);
    expect(compose.services.web.depends_on).toHaveProperty('api');
  });

  it('.env.example lists every configuration variable and nothing else', () => {
    const listed = [...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(Object.keys(configSchema.shape).sort());
  });
});
