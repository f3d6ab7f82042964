#!/usr/bin/env node
// Checks the built bundles against DESIGN.md's CSP and layering decisions:
// - no browser bundle contains Ajv (it compiles validators with `new Function`, which the app's
//   `script-src 'self'` CSP forbids), cross-spawn, or Node built-ins;
// - the hub worker (dist/nexus-hub.js, the hub/ chunk it imports and the hub/ chunks it loads on
//   demand) carries the SDK's internals once, not once per SDK package; every chunk it imports
//   exists; the sizes of what a start loads and of what loads on demand are printed;
// - dist/nexus-client.js contains no SDK or zod code and stays under 5 KiB gzipped;
// - the app's pages (dist/index.html, dist/oauth/callback.html) have no inline <script> (the
//   policy forbids it; vite-plugin-pwa's `injectRegister: 'inline'` would add one);
// - the service worker (dist/sw.js) precaches everything the app needs to start offline: the
//   page, its assets, the web app manifest and its icons, AND the hub worker's files and
//   nexus-client.js (made by separate builds, which is why the app build, and with it the
//   worker, comes last).
//
// Usage: node scripts/bundle-check.mjs [distDir]   (default: dist; or NEXUS_DIST_DIR)
// Markers are strings that survive minification (string literals, property names) and were
// checked against the SDK 2.4 dist files in node_modules; see each list for where they come from.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chunkGraph } from './bundle-graph.mjs';

const CLIENT_GZIP_LIMIT = 5 * 1024;
const REQUIRED = ['nexus-hub.js', 'nexus-client.js', 'sw.js', 'manifest.webmanifest'];

/** Ajv, as inlined by the SDK's ajvProvider chunk (none occur in its cfWorker provider, zod or the
 * SDK core). `new Function(` is deliberately not a marker: zod probes for eval support with it. */
const AJV = [
  { what: 'Ajv (strictTypes option)', text: 'strictTypes' },
  { what: 'Ajv (code generator)', text: 'CodeGen: name must be a valid identifier' },
  { what: 'Ajv (schema registry)', text: 'schema with key or id' },
  { what: 'ajv-formats', text: 'ajv-formats' },
];

/** cross-spawn: its module name and the property names of its exports. */
const CROSS_SPAWN = [
  { what: 'cross-spawn', text: 'cross-spawn' },
  { what: 'cross-spawn (ENOENT hook)', text: 'verifyENOENTSync' },
];

// An import or require of a Node built-in, by `node:` prefix or bare name (`fs`, `fs/promises`).
const builtinNames = builtinModules
  .filter((name) => !name.startsWith('_'))
  .map((name) => name.replace(/[/\\^$*+?.()|[\]{}-]/g, '\\$&'))
  .join('|');
const NODE_IMPORT = new RegExp(
  String.raw`(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s*)(["'\x60])(node:[\w/]+|(?:${builtinNames})(?:/[\w/]+)?)\1`,
  'g',
);
const NODE = [
  { what: 'Node process.binding', text: 'process.binding(' },
  // Vite's stub for a Node module it had to drop from a browser build: the code would throw.
  {
    what: "Vite's browser-external stub (a Node module was imported)",
    text: '__vite-browser-external',
  },
  {
    what: "Vite's browser-external stub (a Node module was imported)",
    text: 'has been externalized for browser compatibility',
  },
];

/** SDK implementation code (Protocol, errors) and zod; strings a client library would not write
 * itself. Method names such as "notifications/cancelled" are NOT markers: nexus-client may use them. */
const SDK = [
  { what: 'SDK Protocol (setRequestHandler)', text: 'setRequestHandler: handler is required' },
  { what: 'SDK Protocol (timeouts)', text: 'Maximum total timeout exceeded' },
  { what: 'SDK errors (brand registry)', text: 'mcp.sdk.errorBrands' },
  { what: 'zod', text: '$ZodType' },
  { what: 'zod', text: 'ZodError' },
];

/** Strings that occur once in the SDK's internals: twice in the hub means it carries both the
 * client package's and the server package's copy, which scripts/sdk-dedupe.ts merges into one. */
const SDK_ONCE = [
  { what: 'SDK errors (brand registry)', text: 'mcp.sdk.errorBrands' },
  { what: 'SDK Protocol (setRequestHandler)', text: 'setRequestHandler: handler is required' },
  { what: "SDK JSON Schema validator (cfWorker's URL)", text: 'https://github.com/cfworker' },
];

/** Module paths in a bundle's source map. A minified build drops comments and mangles names, and
 * Vite replaces a Node module in a browser build with an empty stub, which no string marker can
 * see; the source map still lists every module that went in. */
const SOURCES = [
  { what: 'Ajv', pattern: /\/node_modules\/ajv(-formats)?\/|\/ajvProvider-[^/]*$/ },
  { what: 'cross-spawn', pattern: /\/node_modules\/cross-spawn\// },
  { what: "the SDK's Node shim", pattern: /\/shimsNode\.m?js$/ },
  {
    what: 'a Node built-in (Vite replaced it with an empty stub)',
    pattern: /__vite-browser-external/,
  },
];
const CLIENT_SOURCES = [
  { what: 'the MCP SDK', pattern: /\/node_modules\/@modelcontextprotocol\// },
  { what: 'zod', pattern: /\/node_modules\/zod\// },
];

/** Parts of the hub that only some requests need, which the worker loads on demand: a start
 * must not carry them (src/hub/admin/on-demand.ts, src/worker/serve.ts). */
const HUB_ON_DEMAND_SOURCES = [
  { what: 'the admin room (the dashboard service)', pattern: /\/src\/hub\/admin\/service\.ts$/ },
  {
    what: "the admin room (the consent's dashboard side)",
    pattern: /\/src\/hub\/admin\/consent-admin\.ts$/,
  },
  {
    what: 'the admin API over comlink',
    pattern: /\/src\/worker\/admin\.ts$|\/node_modules\/comlink\//,
  },
  { what: 'the connection doctor', pattern: /\/src\/hub\/doctor\/doctor\.ts$/ },
  { what: 'config import and export', pattern: /\/src\/hub\/registry\/config-format\.ts$/ },
];

function findSources(path, patterns) {
  const mapPath = `${path}.map`;
  if (!existsSync(mapPath)) return [];
  let sources;
  try {
    sources = JSON.parse(readFileSync(mapPath, 'utf8')).sources ?? [];
  } catch {
    return [`${mapPath} is not valid JSON`];
  }
  const found = [];
  for (const { what, pattern } of patterns) {
    const hit = sources.find((source) => pattern.test(source));
    if (hit) found.push(`${what} (source map lists ${hit.replace(/^(\.\.\/)+/, '')})`);
  }
  return found;
}

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function jsFiles(dir) {
  return filesUnder(dir).filter((path) => path.endsWith('.js') || path.endsWith('.mjs'));
}

/** Which markers occur in `source`, each with a short excerpt so a person can find it. */
function findMarkers(source, markers) {
  const found = [];
  for (const { what, text } of markers) {
    const at = source.indexOf(text);
    if (at >= 0) found.push(`${what}: "${excerpt(source, at, text.length)}"`);
  }
  return found;
}

/** Markers that occur more than once, each with how often. */
function findRepeated(source, markers) {
  return markers
    .map(({ what, text }) => ({ what, text, count: source.split(text).length - 1 }))
    .filter(({ count }) => count > 1)
    .map(({ what, text, count }) => `${what} bundled ${count} times ("${text}")`);
}

function findNodeImports(source) {
  return [...source.matchAll(NODE_IMPORT)].map(
    (m) => `Node built-in import "${m[2]}": "${excerpt(source, m.index, m[0].length)}"`,
  );
}

function excerpt(source, at, length) {
  return source
    .slice(Math.max(0, at - 30), at + length + 30)
    .replace(/\s+/g, ' ')
    .trim();
}

/** The app's pages: the dashboard and the sign-in callback (vite.config.ts). */
const PAGES = ['index.html', 'oauth/callback.html'];

/** `<script>` elements with no `src`: inline code, which `script-src 'self'` blocks. */
function findInlineScripts(dist) {
  return PAGES.flatMap((page) => {
    const path = join(dist, page);
    if (!existsSync(path)) return [`${page}: missing`];
    const html = readFileSync(path, 'utf8');
    return [...html.matchAll(/<script\b(?![^>]*\ssrc=)[^>]*>/gi)].map(
      (m) =>
        `${page}: inline script, which the CSP blocks: "${excerpt(html, m.index, m[0].length)}"`,
    );
  });
}

/**
 * What the app needs offline and sw.js does not precache. Workbox's generateSW writes the list
 * into sw.js as `precacheAndRoute([{url:"index.html",revision:"…"},…])`; should that shape ever
 * change, every entry reads as missing, so the check fails loudly instead of passing blind.
 */
function findUnprecached(dist, hubFiles) {
  const swPath = join(dist, 'sw.js');
  if (!existsSync(swPath)) return [];
  const precached = new Set(
    [...readFileSync(swPath, 'utf8').matchAll(/\burl:\s*"([^"]+)"/g)].map((m) => m[1]),
  );
  const needed = ['index.html', ...hubFiles, 'nexus-client.js', 'manifest.webmanifest'];
  const assets = join(dist, 'assets');
  if (existsSync(assets)) {
    needed.push(
      ...filesUnder(assets)
        .filter((path) => /\.(js|css)$/.test(path))
        .map((path) => relative(dist, path).split('\\').join('/')),
    );
  }
  const manifestPath = join(dist, 'manifest.webmanifest');
  if (existsSync(manifestPath)) {
    const icons = JSON.parse(readFileSync(manifestPath, 'utf8')).icons ?? [];
    needed.push(...icons.map((icon) => String(icon.src).replace(/^\//, '')));
  }
  return [...new Set(needed)]
    .filter((file) => !precached.has(file))
    .map((file) => `sw.js does not precache ${file}, so the app cannot use it offline`);
}

const kb = (bytes) => (bytes / 1024).toFixed(1);
const gzipped = (dist, file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;

/**
 * The hub worker's files: what a start loads (nexus-hub.js and the chunk it imports) and the
 * chunks loaded on demand (src/hub/admin/on-demand.ts), with their sizes and their problems. The SDK
 * markers are counted over all of them: a second copy may sit in another chunk.
 */
function checkHub(dist) {
  if (!existsSync(join(dist, 'nexus-hub.js'))) return { files: [], problems: [], summary: [] };
  const { start, onDemand, missing, importers } = chunkGraph(dist, ['nexus-hub.js']);
  const files = [...start, ...onDemand];
  const all = files.map((file) => readFileSync(join(dist, file), 'utf8')).join('\n');
  const problems = [
    ...missing.map((file) => `the hub worker imports ${file}, which is missing from ${dist}/`),
    // A page may start the worker from another URL for the same file (a query string): a chunk
    // importing ../nexus-hub.js would then run a second hub in that worker (vite.config.ts).
    ...(importers.get('nexus-hub.js') ?? []).map(
      (file) => `${file} imports nexus-hub.js: it must import the hub's chunk instead`,
    ),
    ...start.flatMap((file) =>
      findSources(join(dist, file), HUB_ON_DEMAND_SOURCES).map(
        (p) => `${file} is loaded at every start but carries ${p}: load it on demand`,
      ),
    ),
    ...findRepeated(all, SDK_ONCE).map(
      (p) =>
        `hub worker: ${p}: the SDK's client and server copies were not merged (scripts/sdk-dedupe.ts)`,
    ),
  ];
  const total = (list) => list.reduce((sum, file) => sum + gzipped(dist, file), 0);
  const summary = [
    `hub worker at start: ${kb(total(start))} KiB gzipped (${start.join(' + ')})`,
    `hub worker on demand: ${kb(total(onDemand))} KiB gzipped` +
      (onDemand.length
        ? ` (${onDemand.map((f) => `${f} ${kb(gzipped(dist, f))}`).join(', ')})`
        : ''),
  ];
  return { files, problems, summary };
}

function main() {
  const dist = process.argv[2] ?? process.env.NEXUS_DIST_DIR ?? 'dist';
  if (!existsSync(dist)) {
    console.error(`bundle-check: ${dist}/ does not exist; run "npm run build" first.`);
    return 1;
  }
  const failures = [];
  for (const name of REQUIRED) {
    if (!existsSync(join(dist, name))) {
      failures.push(`${name}: missing from ${dist}/ (the build did not produce it)`);
    }
  }

  const rows = [];
  for (const path of jsFiles(dist).sort()) {
    const file = relative(dist, path);
    const bytes = readFileSync(path);
    const source = bytes.toString('utf8');
    const gzip = gzipSync(bytes, { level: 9 }).length;
    const problems = [
      ...findMarkers(source, AJV),
      ...findMarkers(source, CROSS_SPAWN),
      ...findMarkers(source, NODE),
      ...findNodeImports(source),
      ...findSources(path, SOURCES),
    ];
    if (file === 'nexus-client.js') {
      problems.push(
        ...[...findMarkers(source, SDK), ...findSources(path, CLIENT_SOURCES)].map(
          (p) => `SDK code in the client library: ${p}`,
        ),
      );
      if (gzip > CLIENT_GZIP_LIMIT) {
        problems.push(`${kb(gzip)} KiB gzipped, over the ${kb(CLIENT_GZIP_LIMIT)} KiB budget`);
      }
    }
    rows.push([file, kb(bytes.length), kb(gzip), problems.length ? 'FAIL' : 'ok']);
    failures.push(...problems.map((p) => `${file}: ${p}`));
  }

  const header = ['file', 'raw KiB', 'gzip KiB', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));

  const hub = checkHub(dist);
  console.log('');
  for (const line of hub.summary) console.log(line);

  if (rows.length === 0) failures.push(`no .js files in ${dist}/`);
  failures.push(...hub.problems, ...findInlineScripts(dist), ...findUnprecached(dist, hub.files));
  if (failures.length > 0) {
    console.error(`\nbundle-check failed (${failures.length}):`);
    for (const failure of failures) console.error(`  - ${failure}`);
    return 1;
  }
  console.log(
    `\nbundle-check: ${rows.length} bundles clean; nexus-client.js within budget; ` +
      'no inline scripts; the service worker precaches the app, its hub (all of its chunks) and ' +
      'its client library.',
  );
  return 0;
}

process.exitCode = main();
