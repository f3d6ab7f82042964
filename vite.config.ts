import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin, type Rolldown, type UserConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA, type ManifestOptions } from 'vite-plugin-pwa';
import { sdkDedupe } from './scripts/sdk-dedupe.ts';
import { clientMetadataDocument } from './src/protocol/sign-in.ts';

/**
 * Three builds into one `dist/`, chosen with `--mode`, run by `npm run build` in this order:
 * - `worker`: the hub, to the FIXED name `/nexus-hub.js`, because every page must construct the
 *   SharedWorker with the same URL to share one hub; this build empties `dist/`;
 * - `client`: the library AI client pages import, to the fixed name `/nexus-client.js`;
 * - `app` (default): the dashboard (index.html), hashed assets, the web app manifest and, LAST,
 *   the service worker. The app build goes last because the service worker's precache list is
 *   made from what is in `dist/` when it finishes: built earlier, it would miss the hub and the
 *   client library, and the app would start offline without its hub.
 * The client build is a single file. The worker build is `nexus-hub.js`, which only imports
 * `hub/hub-<hash>.js` (everything the hub needs to start), plus chunks in `hub/` that the hub
 * loads when first asked for (the connection doctor, config import and export; see
 * src/hub/on-demand.ts). scripts/bundle-check.mjs and bench/sizes.ts measure what a start loads
 * and the chunks loaded on demand, each on its own.
 */
/**
 * DESIGN.md: the app runs with `script-src 'self'` (no eval: Ajv and anything like it stay out).
 * Sent as a header by `vite preview` (so `npm start` and the e2e tests run under it, the hub worker
 * and the service worker included: a worker takes its policy from its own script's response) and
 * repeated as a <meta> in index.html for static hosts that send no header. README.md, "Security
 * headers for production", says what each directive is for.
 */
export const CONTENT_SECURITY_POLICY = "script-src 'self'; object-src 'none'; base-uri 'self'";

/** The accent colour of the dashboard and the icons (public/icons, scripts/make-icons.mjs). */
const THEME_COLOR = '#0b57d0';

/** What makes Nexus installable (Chromium asks for name, icons, start_url and display). */
const MANIFEST: Partial<ManifestOptions> = {
  id: '/',
  name: 'Nexus',
  short_name: 'Nexus',
  description: 'Your MCP servers, shared with the AI clients on this site.',
  start_url: '/',
  scope: '/',
  display: 'standalone',
  theme_color: THEME_COLOR,
  background_color: '#ffffff',
  lang: 'en',
  icons: [
    { src: '/icons/nexus-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
    { src: '/icons/nexus-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
    {
      src: '/icons/nexus-maskable-192.png',
      sizes: '192x192',
      type: 'image/png',
      purpose: 'maskable',
    },
    {
      src: '/icons/nexus-maskable-512.png',
      sizes: '512x512',
      type: 'image/png',
      purpose: 'maskable',
    },
  ],
};

/**
 * The service worker (Workbox `generateSW`): precaches the app shell, the hub worker and the
 * client library, so the dashboard and its hub start offline after one visit.
 */
function serviceWorker(): Plugin[] {
  return VitePWA({
    // The page registers the worker itself, with workbox-window (src/ui/app-update.svelte.ts), to
    // show the "new version" prompt. No injected registration: 'inline' would be an inline
    // script, which `script-src 'self'` forbids, and 'script' would register a second time.
    injectRegister: false,
    // A new version installs in the background and then WAITS (no skipWaiting) until the person
    // presses Reload in the prompt, which posts SKIP_WAITING: a running dashboard never has its
    // code swapped under it, and the hub it talks to stays the version it was built with.
    registerType: 'prompt',
    manifest: MANIFEST,
    includeAssets: ['favicon.svg'],
    workbox: {
      // index.html, assets/*, nexus-hub.js, nexus-client.js (not source maps, not
      // nexus-defaults.json: a deployment writes that after the build, and the hub reads it once).
      globPatterns: ['**/*.{js,css,html}'],
      // Shows the hub's notifications and opens the dashboard on a click (src/worker/notify.ts).
      importScripts: ['nexus-notify-sw.js'],
      skipWaiting: false,
      // The FIRST install takes control of the open page at once (nothing older is running), so
      // the page and its hub are served by the worker from the first visit on.
      clientsClaim: true,
      cleanupOutdatedCaches: true,
      // Only the dashboard's own address falls back to index.html (`/?…` included). Other
      // same-origin pages (client pages, a future /embed.html) are not turned into the dashboard.
      navigateFallback: 'index.html',
      navigateFallbackAllowlist: [/^\/(?:index\.html)?(?:\?.*)?$/],
    },
  });
}

/**
 * The app build's service worker precaches what `dist/` holds when it finishes, so the hub and the
 * client library must be built first; stop with a clear message instead of shipping a worker that
 * cannot start the hub offline.
 */
/**
 * Nexus's Client ID Metadata Document (`oauth/client-metadata.json`) for a deployment that says
 * where it is served: `NEXUS_PUBLIC_URL=https://nexus.example.com/ npm run build`. Its URL is
 * Nexus's client id at authorization servers that accept such documents; the hub offers it only
 * when it finds this file (src/hub/upstream/auth/metadata-document.ts). Without the variable
 * no file is written and Nexus registers dynamically where it can.
 */
function clientMetadata(): Plugin {
  return {
    name: 'nexus-client-metadata',
    generateBundle() {
      const url = process.env.NEXUS_PUBLIC_URL;
      if (!url) return;
      const appUrl = url.endsWith('/') ? url : `${url}/`;
      this.emitFile({
        type: 'asset',
        fileName: 'oauth/client-metadata.json',
        source: `${JSON.stringify(clientMetadataDocument(appUrl), null, 2)}\n`,
      });
    },
  };
}

/**
 * The policy as a `<meta>` in every page as well (for a host that sends no header), from the one
 * constant the preview server sends as a header: the pages never carry a copy to keep in step.
 */
function cspMeta(): Plugin {
  return {
    name: 'nexus-csp-meta',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
        injectTo: 'head-prepend',
      },
    ],
  };
}

function requireWorkerBuilds(): Plugin {
  let outDir = '';
  return {
    name: 'nexus-require-worker-builds',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    buildStart() {
      const missing = ['nexus-hub.js', 'nexus-client.js'].filter(
        (name) => !existsSync(resolve(outDir, name)),
      );
      if (missing.length > 0) {
        this.error(
          `${missing.join(' and ')} missing from ${outDir}: the app build comes last, because its ` +
            'service worker precaches them. Run "npm run build" (worker, client, then app).',
        );
      }
    },
  };
}

function single(
  entry: string,
  fileName: string,
  emptyOutDir: boolean,
  output: Rolldown.OutputOptions = {},
): UserConfig {
  return {
    publicDir: false,
    build: {
      outDir: 'dist',
      emptyOutDir,
      target: 'es2022',
      sourcemap: true,
      minify: true,
      // Vite keeps whitespace in ES library builds (for consumers' pure annotations); these files
      // are served as they are, no bundler reads them again, so minify them fully and drop the
      // `/* @__PURE__ */` annotations too (legal comments stay).
      rolldownOptions: {
        output: {
          minify: true,
          comments: { legal: true, annotation: false, jsdoc: false },
          ...output,
        },
      },
      lib: { entry, formats: ['es'], fileName: () => fileName },
    },
  };
}

export default defineConfig(({ mode }) => {
  if (mode === 'worker') {
    return {
      ...single('src/worker/hub-worker.ts', 'nexus-hub.js', true, {
        chunkFileNames: 'hub/[name]-[hash].js',
        // Everything a start needs goes into ONE chunk that nexus-hub.js imports, so the chunks
        // loaded on demand import from it, never from nexus-hub.js itself: a page may start the
        // worker from another URL for the same file (`workerUrl: '/nexus-hub.js?v=2'`), and an
        // import of `../nexus-hub.js` would then run a second hub in the same worker.
        codeSplitting: { groups: [{ name: 'hub', tags: ['$initial'] }] },
      }),
      // The hub uses both SDK packages, which each bundle the SDK's internals: keep one copy.
      plugins: [sdkDedupe()],
    };
  }
  if (mode === 'client') return single('src/client/index.ts', 'nexus-client.js', false);
  return {
    plugins: [svelte(), cspMeta(), requireWorkerBuilds(), serviceWorker(), clientMetadata()],
    // Emptying here would delete the hub and client builds made just before (see above).
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      sourcemap: true,
      // Two pages share code now, and Vite would put its modulepreload polyfill (for browsers
      // without `<link rel="modulepreload">`, older than every one the app supports) in a chunk
      // of its own: one more request before the dashboard starts.
      modulePreload: { polyfill: false },
      // The dashboard, and the page an authorization server sends the person back to
      // (src/protocol/sign-in.ts): `/oauth/callback`, which Vite's preview and static hosts with
      // clean URLs serve from `oauth/callback.html`.
      rolldownOptions: {
        input: {
          main: resolve(import.meta.dirname, 'index.html'),
          callback: resolve(import.meta.dirname, 'oauth/callback.html'),
        },
      },
    },
    preview: {
      host: '127.0.0.1',
      port: 4173,
      strictPort: true,
      headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
    },
    server: { host: '127.0.0.1', port: 5173 },
  };
});
