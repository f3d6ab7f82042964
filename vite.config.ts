import { defineConfig, type UserConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * Three builds into one `dist/`, chosen with `--mode`:
 * - `app` (default): the dashboard (index.html), hashed assets;
 * - `worker`: the hub, to the FIXED name `/nexus-hub.js`, because every page must construct the
 *   SharedWorker with the same URL to share one hub;
 * - `client`: the library AI client pages import, to the fixed name `/nexus-client.js`.
 * The worker and client builds are single files with no shared chunks, so each stands alone
 * (and the bundle check can measure each one).
 */
/**
 * DESIGN.md: the app runs with `script-src 'self'` (no eval: Ajv and anything like it stay out).
 * Sent as a header by `vite preview` (so `npm start` and the e2e tests run under it, the hub worker
 * included: a worker takes its policy from its own script's response) and repeated as a <meta> in
 * index.html for static hosts that send no header.
 */
export const CONTENT_SECURITY_POLICY = "script-src 'self'; object-src 'none'; base-uri 'self'";

function single(entry: string, fileName: string): UserConfig {
  return {
    publicDir: false,
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      sourcemap: true,
      minify: true,
      // Vite keeps whitespace in ES library builds (for consumers' pure annotations); these files
      // are served as they are, so minify them fully.
      rolldownOptions: { output: { minify: true } },
      lib: { entry, formats: ['es'], fileName: () => fileName },
    },
  };
}

export default defineConfig(({ mode }) => {
  if (mode === 'worker') return single('src/worker/hub-worker.ts', 'nexus-hub.js');
  if (mode === 'client') return single('src/client/index.ts', 'nexus-client.js');
  return {
    plugins: [svelte()],
    build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
    preview: {
      host: '127.0.0.1',
      port: 4173,
      strictPort: true,
      headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
    },
    server: { host: '127.0.0.1', port: 5173 },
  };
});
