#!/usr/bin/env node
// `npm run bench [-- --quick]`: the benchmark (bench/run.ts; README.md, "Benchmark"). Builds
// dist/ first when it is missing, then runs bench/run.ts.
//
// Why a plain Node script driving playwright-core, not Playwright's test runner: the benchmark is
// one long sequence of measurements that ends in ONE table. The test runner would wrap it in test
// timeouts, worker processes and reporters whose output buries the table, and it has no use for
// a benchmark's own cleanup order. Why the project's Node 22 (the npm package `node`, as
// scripts/conformance.mjs uses it): `--experimental-transform-types` runs the TypeScript
// fixtures and bench files as they are (they use constructor parameter properties, which plain
// type stripping rejects), and mcp-hub, the Node hub the benchmark compares with, needs Node 22.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CHROMIUM_MISSING, ROOT, chromiumPath, run } from './lib.mjs';

const NODE22 = join(ROOT, 'node_modules', 'node', 'bin', 'node');

async function main() {
  if (!existsSync(NODE22)) {
    console.error(
      `The benchmark runs on Node 22, and ${relative(ROOT, NODE22)} is missing: run "npm install".`,
    );
    return 1;
  }
  if (!existsSync(chromiumPath())) {
    console.error(CHROMIUM_MISSING);
    return 1;
  }
  if (!existsSync(join(ROOT, 'dist', 'nexus-hub.js'))) {
    console.log('dist/ is missing: npm run build');
    const built = await run('npm', ['run', 'build']);
    if (built !== 0) return built;
  }
  return run(NODE22, [
    '--experimental-transform-types',
    '--disable-warning=ExperimentalWarning',
    join('bench', 'run.ts'),
    ...process.argv.slice(2),
  ]);
}

process.exitCode = await main();
