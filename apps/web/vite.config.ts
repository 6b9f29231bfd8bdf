/**
 * Vite config for the web app. In development the dev server proxies /graphql and /api to the API
 * so the session cookie stays same-origin; in production the API serves apps/web/dist itself
 * (WEB_DIST_DIR), so the app never needs to know the API's address.
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const apiUrl = process.env.CALIPER_API_URL ?? 'http://127.0.0.1:3000';

/**
 * Writes a Brotli (.br) and a gzip (.gz) copy beside each built script and style sheet, which the
 * API (apps/api/src/main.ts) and nginx (gzip_static) send to browsers that accept them: a run
 * page's 0.9 MB of scripts is 0.25 MB as Brotli, compressed once here rather than on every answer.
 */
function precompress(): Plugin {
  const br = promisify(brotliCompress);
  const gz = promisify(gzip);
  return {
    name: 'caliper-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const out = options.dir ?? path.join(__dirname, 'dist');
      const files = Object.keys(bundle).filter((f) => /\.(js|css)$/.test(f));
      await Promise.all(
        files.map(async (f) => {
          const data = await readFile(path.join(out, f));
          const params = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length };
          await writeFile(path.join(out, `${f}.br`), await br(data, { params }));
          await writeFile(path.join(out, `${f}.gz`), await gz(data, { level: 9 }));
        }),
      );
    },
  };
}

/**
 * Replaces each `graphql(\`…\`)` call of the app with its document, as GraphQL codegen's client
 * preset generated it (src/gql/graphql.ts), so that the build holds each document once, in the
 * chunk of the code that uses it. Called as written, `graphql()` looks the text up in src/gql/gql.ts,
 * whose map of every operation's text to its document (every document of every page, 190 kB) was
 * in the startup script and evaluated on every first visit (npm run bench:first-visit -- --detail).
 * The result is the same object `graphql()` returns; line breaks are kept so the source map holds.
 */
function inlineGraphqlDocuments(): Plugin {
  const generated = path.join(__dirname, 'src/gql/graphql.ts');
  let documents: Map<string, string> | null = null;
  const load = () => {
    const map = new Map<string, string>();
    for (const m of readFileSync(generated, 'utf8').matchAll(/^export const (\w+) = (\{.*\}) as unknown as DocumentNode</gm))
      map.set(m[1]!, m[2]!);
    return map;
  };
  const call = /\bgraphql\(\s*`([^`]*)`\s*\)/g;
  const importLine = /^import \{ graphql \} from '(?:\.\.?\/)+gql';$/m;
  return {
    name: 'caliper-inline-graphql-documents',
    apply: 'build',
    enforce: 'pre',
    buildStart() {
      documents = load();
    },
    transform(code, id) {
      if (!/\/src\/(?!gql\/).*\.tsx?$/.test(id) || !importLine.test(code)) return null;
      const docs = (documents ??= load());
      const out = code.replace(call, (whole, text: string) => {
        const def = /^\s*(?:#[^\n]*\n\s*)*(query|mutation|subscription|fragment)\s+(\w+)/.exec(text);
        if (!def) throw new Error(`${id}: a graphql() document without a named operation or fragment: ${text.slice(0, 80)}`);
        const name = def[1] === 'fragment' ? `${def[2]}FragmentDoc` : `${def[2]}Document`;
        const doc = docs.get(name);
        if (!doc) throw new Error(`${id}: ${name} is not in src/gql/graphql.ts (run npx nx run web:codegen)`);
        return `(${doc}${'\n'.repeat(whole.split('\n').length - 1)})`;
      });
      if (/\bgraphql\(/.test(out)) throw new Error(`${id}: a graphql() call the build could not replace with its document`);
      return { code: out.replace(importLine, ''), map: null };
    },
  };
}

export default defineConfig({
  root: __dirname,
  plugins: [inlineGraphqlDocuments(), react(), precompress()],
  server: {
    host: '127.0.0.1',
    port: Number(process.env.WEB_PORT ?? 5173),
    proxy: {
      '/graphql': { target: apiUrl, changeOrigin: false },
      '/api': { target: apiUrl, changeOrigin: false },
    },
  },
  build: {
    outDir: path.join(__dirname, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      output: {
        // Libraries change less often than the app: separate chunks stay cached across releases.
        manualChunks(id) {
          if (id.includes('node_modules/@apollo/') || id.includes('node_modules/graphql/')) return 'apollo';
          if (id.includes('node_modules/react') || id.includes('node_modules/scheduler')) return 'react';
          return undefined;
        },
      },
    },
  },
});
