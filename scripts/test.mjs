#!/usr/bin/env node
// `npm test`: every check and test suite, in order, ending with ONE line
// `Summary: N passed, M failed[, K skipped]`. Steps keep running after a failure so one run shows
// every problem; the exit code is non-zero if anything failed.
//
// Checks (lint, typecheck, build, bundle check, conformance, the benchmark's quick mode) count as
// one test each; Vitest and Playwright contribute their own counts, read from the JSON reports
// their configs write to test-results/. The conformance check (scripts/conformance.mjs) fails on any scenario run that
// does not match conformance/expected-failures.yml, and prints its own line per run.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CHROMIUM_MISSING, ROOT, chromiumPath, ensureDependencies, run } from './lib.mjs';

const VITEST_REPORT = join(ROOT, 'test-results', 'vitest.json');
const PLAYWRIGHT_REPORT = join(ROOT, 'test-results', 'playwright.json');

const totals = { passed: 0, failed: 0, skipped: 0 };
/** One row per step for the recap printed just above the summary line. */
const recap = [];

function summaryLine() {
  const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
  return `Summary: ${totals.passed} passed, ${totals.failed} failed${skipped}`;
}

function finish() {
  if (recap.length > 0) {
    console.log('\nSteps:');
    for (const row of recap) console.log(`  ${row}`);
  }
  console.log(summaryLine());
  process.exit(totals.failed > 0 ? 1 : 0);
}

// Ctrl-C reaches the running child too (same process group); stop after it, still summarizing.
process.once('SIGINT', () => {
  recap.push('interrupted (Ctrl-C)');
  totals.failed += 1;
  finish();
});

function banner(title, command) {
  console.log(`\n━━ ${title}: ${command}`);
}

async function check(title, command, args) {
  banner(title, [command, ...args].join(' '));
  const code = await run(command, args);
  if (code === 0) totals.passed += 1;
  else totals.failed += 1;
  recap.push(
    `${code === 0 ? 'ok  ' : 'FAIL'}  ${title}${code === 0 ? '' : ` (exit code ${code})`}`,
  );
  return code === 0;
}

function skip(title, why) {
  totals.skipped += 1;
  recap.push(`skip  ${title}: ${why}`);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Adds a suite's counts. A non-zero exit with no failed test (a file that did not load, an
 * unhandled error, "no tests found", a missing report) still counts as one failure, so a broken
 * suite can never read as green.
 */
function addSuite(title, code, counts, failedNames) {
  let { passed, failed, skipped } = counts ?? { passed: 0, failed: 0, skipped: 0 };
  let note = '';
  if (!counts) {
    failed += 1;
    note = ' (no JSON report: the runner did not finish)';
  } else if (code !== 0 && failed === 0) {
    failed += 1;
    note = ` (exit code ${code} without a failed test: see its output above)`;
  }
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  const verdict = failed > 0 ? 'FAIL' : 'ok  ';
  recap.push(`${verdict}  ${title}: ${passed} passed, ${failed} failed, ${skipped} skipped${note}`);
  // The names of what failed, right above the summary: a CI log is often read from its tail only.
  for (const name of (failedNames ?? []).slice(0, 20)) recap.push(`        ✗ ${name}`);
}

async function vitest() {
  banner('unit tests', 'npx vitest run');
  rmSync(VITEST_REPORT, { force: true });
  const code = await run('npx', ['--no', 'vitest', 'run']);
  const report = readJson(VITEST_REPORT);
  // A test file that fails to load has no tests to fail; each such file counts as one failure.
  const brokenFiles = (report?.testResults ?? []).filter(
    (file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0,
  ).length;
  const counts = report && {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + brokenFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
  const failedNames = (report?.testResults ?? []).flatMap((file) => {
    const where = relative(ROOT, file.name ?? '');
    const tests = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    if (file.status === 'failed' && tests.length === 0) return [`${where} (did not load)`];
    return tests.map((test) => `${where}: ${test.fullName ?? test.title}`);
  });
  addSuite('unit tests (Vitest)', code, counts, failedNames);
}

async function playwright() {
  banner('browser and end-to-end tests', 'npx playwright test');
  rmSync(PLAYWRIGHT_REPORT, { force: true });
  const code = await run('npx', ['--no', 'playwright', 'test']);
  const report = readJson(PLAYWRIGHT_REPORT);
  const stats = report?.stats;
  const counts = stats && {
    // `flaky` passed on a retry; with `retries: 0` there are none, but they did pass.
    passed: (stats.expected ?? 0) + (stats.flaky ?? 0),
    failed: stats.unexpected ?? 0,
    skipped: stats.skipped ?? 0,
  };
  addSuite(
    'browser/e2e tests (Playwright)',
    code,
    counts,
    playwrightFailures(report?.suites ?? []),
  );
}

/** `file: title` of every Playwright test whose outcome was unexpected, walking nested suites. */
function playwrightFailures(suites, prefix = []) {
  return suites.flatMap((suite) => {
    const path = suite.title && !suite.title.endsWith('.ts') ? [...prefix, suite.title] : prefix;
    const own = (suite.specs ?? [])
      .filter((spec) => (spec.tests ?? []).some((test) => test.status === 'unexpected'))
      .map((spec) => `${spec.file}: ${[...path, spec.title].join(' › ')}`);
    return [...own, ...playwrightFailures(suite.suites ?? [], path)];
  });
}

async function main() {
  if (!(await ensureDependencies())) {
    totals.failed += 1;
    recap.push('FAIL  install dependencies');
    finish();
  }

  if (!existsSync(chromiumPath())) {
    console.error(`\n${CHROMIUM_MISSING}`);
    totals.failed += 1;
    finish();
  }

  await check('lint', 'npm', ['run', 'lint']);
  await check('typecheck', 'npm', ['run', 'typecheck']);
  // A fresh dist/: the bundle check must never pass on files an earlier build left behind.
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
  const built = await check('build', 'npm', ['run', 'build']);
  if (built) await check('bundle check', 'node', ['scripts/bundle-check.mjs']);
  else skip('bundle check', 'the build failed');
  await vitest();
  await check('conformance (both sides)', 'npm', ['run', 'conformance']);
  await playwright();
  // The benchmark's quick mode (seconds, small counts), so it never rots. It asserts no time:
  // it fails only when it cannot measure (a scenario broke), never because a figure is slow.
  if (built) await check('benchmark (quick)', 'npm', ['run', 'bench', '--', '--quick']);
  else skip('benchmark (quick)', 'the build failed');
  finish();
}

await main();
