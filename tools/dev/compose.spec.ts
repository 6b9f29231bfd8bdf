/** docker-compose.yml cannot run here (no engine): parse it and check it against the code and .env.example. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configSchema } from '@caliper/config';

const ROOT = path.resolve(__dirname, '../..');
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');

describe('docker-compose.yml', () => {
  it('has the production services on the pinned images', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'minio', 'orthanc', 'migrate', 'api']));
    expect(compose.services.postgres.image).toBe('postgres:15');
    expect(readFileSync(path.join(ROOT, 'apps/api/Dockerfile'), 'utf8')).toMatch(/FROM node:20-bookworm-slim/);
    expect(readFileSync(path.join(ROOT, 'apps/api/Dockerfile'), 'utf8')).toMatch(/^USER node$/m);
  });

  it('gives the API only variables the config knows, binds 0.0.0.0, and validates', () => {
    const env = compose.services.api.environment as Record<string, string>;
    const known = Object.keys(configSchema.shape);
    for (const key of Object.keys(env)) expect(known).toContain(key);
    expect(env.HOST).toBe('0.0.0.0');
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[^}]+\}/g, 'x')]));
    expect(configSchema.safeParse(resolved).success).toBe(true);
  });

  it('.env.example lists every configuration variable and nothing else', () => {
    const listed = [...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(Object.keys(configSchema.shape).sort());
  });
});
