/**
 * Gzipped sizes of what a browser downloads, measured the way scripts/bundle-check.mjs measures
 * (zlib, level 9, of the built file):
 * - the UI's INITIAL JS: the module scripts and modulepreloads `dist/index.html` names, plus every
 *   chunk they import statically, transitively (a dynamic `import()`, such as workbox-window's, is
 *   fetched later and not counted);
 * - the hub worker (`nexus-hub.js`) and the client library (`nexus-client.js`).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

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

// Static imports only: `import "./a.js"`, `import{x}from"./a.js"`, `export*from"./a.js"`. A
// static specifier is always a quoted string; `import(` (dynamic) never matches.
const STATIC_IMPORT = /\b(?:import|export)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?(["'])(\.{1,2}\/[^"']+)\1/g;

function initialUiFiles(dist: string): string[] {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const entries = [
    ...html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g),
    ...html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g),
  ].map((m) => m[1]!.replace(/^\//, ''));
  const seen = new Set<string>();
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file) || !existsSync(path.join(dist, file))) continue;
    seen.add(file);
    const source = readFileSync(path.join(dist, file), 'utf8');
    for (const m of source.matchAll(STATIC_IMPORT)) {
      queue.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), m[2]!)));
    }
  }
  return [...seen];
}

export function bundleSizes(dist: string): {
  ui: BundleSize;
  worker: BundleSize;
  client: BundleSize;
} {
  return {
    ui: measure(dist, initialUiFiles(dist)),
    worker: measure(dist, ['nexus-hub.js']),
    client: measure(dist, ['nexus-client.js']),
  };
}
