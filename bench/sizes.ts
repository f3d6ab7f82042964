/**
 * Gzipped sizes of what a browser downloads, measured the way scripts/bundle-check.mjs measures
 * (zlib, level 9, of the built file):
 * - the UI's INITIAL JS: the module scripts and modulepreloads `dist/index.html` names, plus every
 *   chunk they import statically, transitively (a dynamic `import()`, such as workbox-window's, is
 *   fetched later and not counted);
 * - the hub worker at start: `nexus-hub.js` and what it imports statically (its `hub/` chunk), and
 *   apart from it the `hub/` chunks the hub loads on demand (the connection doctor, config import
 *   and export: src/hub/admin/on-demand.ts);
 * - the client library (`nexus-client.js`).
 * Which files count comes from scripts/bundle-graph.mjs, which the bundle check uses too.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chunkGraph } from '../scripts/bundle-graph.mjs';

export interface BundleSize {
  files: string[];
  rawBytes: number;
  gzipBytes: number;
}

function measure(dist: string, files: string[]): BundleSize {
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const bytes = readFileSync(path.join(dist, file));
    rawBytes += bytes.length;
    gzipBytes += gzipSync(bytes, { level: 9 }).length;
  }
  return { files, rawBytes, gzipBytes };
}

function initialUiFiles(dist: string): string[] {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const entries = [
    ...html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g),
    ...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g),
  ].map((m) => m[1]!.replace(/^\//, ''));
  return chunkGraph(dist, entries).start;
}

export function bundleSizes(dist: string): {
  ui: BundleSize;
  worker: BundleSize;
  workerOnDemand: BundleSize;
  client: BundleSize;
} {
  const hub = chunkGraph(dist, ['nexus-hub.js']);
  return {
    ui: measure(dist, initialUiFiles(dist)),
    worker: measure(dist, hub.start),
    workerOnDemand: measure(dist, hub.onDemand),
    client: measure(dist, ['nexus-client.js']),
  };
}
