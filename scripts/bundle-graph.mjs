// Which built files a browser fetches, read from the files themselves: shared by
// scripts/bundle-check.mjs and bench/sizes.ts, so the check and the benchmark measure the same
// thing. Plain Node, no dependencies.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Static imports and re-exports: `import "./a.js"`, `import{x}from"./a.js"`, `export*from"./a.js"`.
// A static specifier is always a quoted string, and `import(` never matches.
const STATIC_IMPORT = /\b(?:import|export)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?(["'])(\.{1,2}\/[^"']+)\1/g;
// Dynamic imports of a literal specifier, which minifiers may quote with backticks.
const DYNAMIC_IMPORT = /\bimport\s*\(\s*(["'`])(\.{1,2}\/[^"'`$]+)\1\s*\)/g;

/**
 * From entry files (paths relative to `dist`): `start`, what a browser loads before the entries
 * run (the entries and their static imports, transitively); `onDemand`, the chunks they may load
 * later with `import()` (and those chunks' own imports) that `start` does not hold; `missing`,
 * files imported that are not in `dist`; `importers`, for each file imported, the files that
 * import it. Paths are relative to `dist`, with `/`.
 */
export function chunkGraph(dist, entries) {
  const imports = new Map();
  const importsOf = (file) => {
    if (!imports.has(file)) {
      const source = readFileSync(path.join(dist, file), 'utf8');
      const resolve = (specifier) =>
        path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      imports.set(file, {
        static: [...source.matchAll(STATIC_IMPORT)].map((m) => resolve(m[2])),
        dynamic: [...source.matchAll(DYNAMIC_IMPORT)].map((m) => resolve(m[2])),
      });
    }
    return imports.get(file);
  };
  const missing = new Set();
  const closure = (roots, exclude) => {
    const seen = new Set();
    const lazy = [];
    const queue = [...roots];
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      if (seen.has(file) || exclude.has(file)) continue;
      if (!existsSync(path.join(dist, file))) {
        missing.add(file);
        continue;
      }
      seen.add(file);
      queue.push(...importsOf(file).static);
      lazy.push(...importsOf(file).dynamic);
    }
    return { files: seen, lazy };
  };
  const start = closure(entries, new Set());
  const onDemand = closure(start.lazy, start.files);
  // A chunk loaded on demand may itself load more on demand.
  for (let more = onDemand.lazy; more.length > 0;) {
    const next = closure(more, new Set([...start.files, ...onDemand.files]));
    for (const file of next.files) onDemand.files.add(file);
    more = next.lazy;
  }
  const importers = new Map();
  for (const [file, { static: statics, dynamic }] of imports) {
    for (const target of [...statics, ...dynamic]) {
      importers.set(target, [...(importers.get(target) ?? []), file]);
    }
  }
  return {
    start: [...start.files],
    onDemand: [...onDemand.files],
    missing: [...missing],
    importers,
  };
}
