/**
 * Vite config for the web app. In development the dev server proxies /graphql and /api to the API
 * so the session cookie stays same-origin; in production the API serves apps/web/dist itself
 * (WEB_DIST_DIR), so the app never needs to know the API's address.
 */
import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const apiUrl = process.env.CALIPER_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: __dirname,
  plugins: [react()],
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
