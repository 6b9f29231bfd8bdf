import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { WEB_SECURITY_HEADERS } from '../main';
import { startTestApi, TestApi } from '../testing/api-harness';

const ROOT = path.resolve(__dirname, '../../../..');
const APP_JS = `export const built = ${JSON.stringify('x'.repeat(2000))};\n`;

/** GET with this Accept-Encoding, the body as sent (fetch would decode it). */
function get(base: string, p: string, acceptEncoding: string): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${p}`, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}
const WEB = path.join(ROOT, 'apps/web');
const template = readFileSync(path.join(WEB, 'nginx.conf.template'), 'utf8');

/** The headers an nginx file sets with add_header, by name (lowercase). */
function addedHeaders(text: string): Map<string, string> {
  const out = new Map<string, string>();
  // The name always participates, and so does one of the three spellings of the value.
  for (const [, name = '', , doubleQuoted, singleQuoted, bare] of text.matchAll(
    /add_header\s+([A-Za-z-]+)\s+("([^"]*)"|'([^']*)'|(\S+?))(\s+always)?\s*;/g,
  ))
    out.set(name.toLowerCase(), doubleQuoted ?? singleQuoted ?? bare ?? '');
  return out;
}

/** What a block holds directly, with `include`d files inlined (nested blocks removed). */
function ownDirectives(body: string): string {
  let own = body;
  for (;;) {
    const stripped = own.replace(/\{[^{}]*\}/g, ';');
    if (stripped === own) break;
    own = stripped;
  }
  return own.replace(/include\s+(\S+)\s*;/g, (_, file: string) => {
    const name = path.basename(file);
    return readFileSync(path.join(WEB, name), 'utf8');
  });
}

/** The server block's own directives and each location's, in the order written. */
function parse(text: string): { server: string; locations: { path: string; body: string }[] } {
  const withoutComments = text.replace(/#.*$/gm, '');
  const server = withoutComments.slice(
    withoutComments.indexOf('{', withoutComments.indexOf('server')) + 1,
    withoutComments.lastIndexOf('}'),
  );
  const locations = [...server.matchAll(/location\s+([^\s{]+)\s*\{([^{}]*)\}/g)].map(([, path = '', body = '']) => ({ path, body }));
  return { server: ownDirectives(server), locations: locations.map((l) => ({ ...l, body: ownDirectives(l.body) })) };
}

describe('security headers of the web app', () => {
  const conf = parse(template);
  const expected = new Map(Object.entries(WEB_SECURITY_HEADERS).map(([k, v]) => [k.toLowerCase(), v]));

  it('are the same set in nginx as the API sends, with a Content-Security-Policy that allows only this origin', () => {
    expect(Object.fromEntries(addedHeaders(conf.server))).toEqual(Object.fromEntries(expected));
    const csp = WEB_SECURITY_HEADERS['Content-Security-Policy'];
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(WEB_SECURITY_HEADERS['X-Frame-Options']).toBe('DENY');
    expect(WEB_SECURITY_HEADERS['X-Content-Type-Options']).toBe('nosniff');
  });

  it('are repeated in every nginx location that adds a header of its own (add_header there drops the server-level ones)', () => {
    const withOwn = conf.locations.filter((l) => /add_header/.test(l.body));
    expect(withOwn.map((l) => l.path)).toEqual(expect.arrayContaining(['/assets/', '/']));
    for (const l of withOwn) {
      const got = addedHeaders(l.body);
      for (const [name, value] of expected)
        expect({ location: l.path, name, value: got.get(name) }).toEqual({ location: l.path, name, value });
    }
  });

  it('reach the nginx image: the included snippet is copied where the template includes it from', () => {
    const dockerfile = readFileSync(path.join(WEB, 'Dockerfile'), 'utf8');
    const included = [...template.matchAll(/include\s+(\S+)\s*;/g)].map(([, file = '']) => file);
    for (const file of new Set(included)) expect(dockerfile.split('\n')).toContain(`COPY apps/web/${path.basename(file)} ${file}`);
  });

  it('forwards the Host with its port to the API (cross-site checks compare it with Origin)', () => {
    for (const l of conf.locations.filter((x) => /proxy_pass/.test(x.body))) expect(l.body).toMatch(/proxy_set_header Host \$http_host;/);
  });

  describe('sent by the API when it serves the web build (WEB_DIST_DIR)', () => {
    let api: TestApi;
    let dist: string;

    beforeAll(async () => {
      dist = mkdtempSync(path.join(tmpdir(), 'caliper-web-headers-'));
      mkdirSync(path.join(dist, 'assets'));
      writeFileSync(
        path.join(dist, 'index.html'),
        '<!doctype html><title>Caliper</title><div id="root"></div><script type="module" src="/assets/app.js"></script>',
      );
      writeFileSync(path.join(dist, 'assets/app.js'), APP_JS);
      // The copies the web build writes beside each script (apps/web/vite.config.ts), told apart by their bytes.
      writeFileSync(path.join(dist, 'assets/app.js.br'), brotliCompressSync(APP_JS));
      writeFileSync(path.join(dist, 'assets/app.js.gz'), gzipSync(APP_JS));
      writeFileSync(path.join(dist, 'assets/plain.js'), APP_JS);
      api = await startTestApi({ WEB_DIST_DIR: dist });
    }, 60000);
    afterAll(async () => {
      await api.close();
      rmSync(dist, { recursive: true, force: true });
    });

    it.each(['/', '/projects/liver/runs', '/assets/app.js', '/api/v1/auth/me', '/api/v1/no-such-route'])('on %s', async (p) => {
      const res = await fetch(`${api.base}${p}`);
      for (const [name, value] of Object.entries(WEB_SECURITY_HEADERS))
        expect({ path: p, name, value: res.headers.get(name) }).toEqual({ path: p, name, value });
    });

    it('lets a browser keep the hashed assets a year, and asks it to check the page itself every time', async () => {
      const asset = await get(api.base, '/assets/plain.js', 'identity');
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.body.toString()).toBe(APP_JS);
      expect((await get(api.base, '/runs/abc', 'identity')).headers['cache-control']).toBe('no-cache');
    });

    it("sends an asset's Brotli or gzip copy to a browser that accepts it, else the file as built", async () => {
      const br = await get(api.base, '/assets/app.js', 'gzip, deflate, br');
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers['content-type']).toMatch(/javascript/);
      expect(br.headers['vary']).toMatch(/Accept-Encoding/i);
      expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(brotliDecompressSync(br.body).toString()).toBe(APP_JS);
      for (const p of Object.keys(WEB_SECURITY_HEADERS)) expect(br.headers[p.toLowerCase()]).toBeDefined();

      const gz = await get(api.base, '/assets/app.js', 'gzip');
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.body).toString()).toBe(APP_JS);

      for (const [file, accepts] of [
        ['app.js', 'identity'],
        ['app.js', 'br;q=0, gzip;q=0'],
        ['plain.js', 'gzip, br'],
      ] as const) {
        const plain = await get(api.base, `/assets/${file}`, accepts);
        expect({ file, accepts, encoding: plain.headers['content-encoding'], body: plain.body.toString() }).toEqual({
          file,
          accepts,
          encoding: undefined,
          body: APP_JS,
        });
        expect(plain.headers['content-type']).toMatch(/javascript/);
      }
    });
  });
});
