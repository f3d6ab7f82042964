/**
 * The built app (`dist/`) served as the e2e tests serve it (tests/fixtures/app-server.ts), plus
 * what only the benchmark needs, from the SAME origin (a SharedWorker and nexus-client.js work
 * only same-origin):
 *
 * - `/bench/index.html`, `/bench/bench.js`: the benchmark's client page (bench/page/bench-page.ts,
 *   bundled here with the SDK, like any AI client page);
 * - `/bench/echo-worker.js`: the floor's bare echo SharedWorker;
 * - `/bench/allow-all-hub.js`: the hub worker with the allow-all test double (rows 9a–9d);
 * - `/nexus-defaults.json`: the servers a fresh hub registers on its first run (`app.defaults`).
 *
 * Pages are served by the app server itself, never by Playwright routes: with a route in place
 * Playwright pauses every request of the context to match it (and turns the HTTP cache off),
 * which would add its own cost to the direct-HTTP rows; and a SharedWorker's requests do not pass
 * through routes at all.
 *
 * Every response carries the app's CSP and is cross-origin isolated (COOP `same-origin`, COEP
 * `require-corp`). The isolation is for the clock only: a page that is not isolated gets
 * `performance.now()` in 100 µs steps, and the floor is about 0.1 ms. Nothing in the hub or the
 * app depends on it: same-origin scripts and CORS fetches (all the hub and the page use) load the
 * same either way.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'vite';
import { startApp, type App } from '../tests/fixtures/app-server.ts';

const root = path.resolve(import.meta.dirname, '..');
export const pageBuildDir = path.join(root, 'bench', 'results', 'page');

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The app as the benchmark drives it: `defaults` is what a fresh hub registers on first run. */
export type BenchApp = App;

/** Bundles the bench page (SDK included, nexus-client.js left to load at run time). */
async function buildPage(): Promise<string> {
  await build({
    root,
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    build: {
      outDir: pageBuildDir,
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      // For --profile, which maps the page's profile back to the SDK's sources.
      sourcemap: true,
      lib: {
        entry: path.join(root, 'bench', 'page', 'bench-page.ts'),
        formats: ['es'],
        fileName: () => 'bench.js',
      },
      rolldownOptions: { external: ['/nexus-client.js'] },
    },
  });
  return readFile(path.join(pageBuildDir, 'bench.js'), 'utf8');
}

/**
 * Builds the hub worker with the allow-all test double (bench/page/allow-all-hub.ts) with the
 * app's own worker build (vite.config.ts, mode `worker`: the same chunking, SDK de-duplication
 * and minification as `nexus-hub.js`), so rows 9 differ from rows 2 in the policy alone. Returns
 * every file it wrote, by the path the bench serves it at (`/bench/…`).
 */
async function buildAllowAllHub(): Promise<Record<string, string>> {
  const outDir = path.join(pageBuildDir, 'allow-all');
  await build({
    root,
    configFile: path.join(root, 'vite.config.ts'),
    mode: 'worker',
    logLevel: 'silent',
    build: {
      outDir,
      emptyOutDir: true,
      sourcemap: false,
      lib: {
        entry: path.join(root, 'bench', 'page', 'allow-all-hub.ts'),
        formats: ['es'],
        fileName: () => 'allow-all-hub.js',
      },
    },
  });
  const files: Record<string, string> = {};
  for (const name of await readdir(outDir, { recursive: true })) {
    if (!name.endsWith('.js')) continue;
    files[`/bench/${name.split(path.sep).join('/')}`] = await readFile(
      path.join(outDir, name),
      'utf8',
    );
  }
  return files;
}

export async function startBenchApp(dist = path.join(root, 'dist')): Promise<BenchApp> {
  // One after the other: both builds write under pageBuildDir, and the page's empties it.
  const script = await buildPage();
  const [allowAllHubFiles, echoWorker] = await Promise.all([
    buildAllowAllHub(),
    readFile(path.join(root, 'bench', 'page', 'echo-worker.js'), 'utf8'),
  ]);
  const page =
    '<!doctype html><meta charset="utf-8"><title>bench</title>' +
    '<script type="module" src="/bench/bench.js"></script>';
  return startApp({
    dist,
    headers: ISOLATION_HEADERS,
    files: {
      '/bench/index.html': { type: 'text/html', body: page },
      '/bench/bench.js': { type: 'text/javascript', body: script },
      '/bench/echo-worker.js': { type: 'text/javascript', body: echoWorker },
      ...Object.fromEntries(
        Object.entries(allowAllHubFiles).map(([at, body]) => [
          at,
          { type: 'text/javascript', body },
        ]),
      ),
    },
  });
}
