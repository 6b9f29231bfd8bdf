/**
 * Vite config for the web app. In development the dev server proxies /graphql and /api to the API
 * so the session cookie stays same-origin; in production the API serves apps/web/dist itself
 * (WEB_DIST_DIR), so the app never needs to know the API's address.
 */
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

export default defineConfig({
  root: __dirname,
  plugins: [react(), precompress()],
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
