#!/usr/bin/env node
// `npm run conformance`: the official MCP conformance suite (@modelcontextprotocol/conformance)
// judges both sides of the hub.
//
// Client side: for every client scenario, at each spec version it applies to (2025-03-26 only for
// the two authorization back-compat scenarios), the suite starts its mock server and runs
// conformance/client.ts, which builds a hub with that server as its only server and drives it from
// a downstream client. In the authorization scenarios that process also plays the person: it
// opens the authorization URL the hub hands out and gives the hub the redirect it gets back. The
// authorization extensions (client credentials, enterprise-managed, DPoP, workload identity) run
// too, for information: their lines say whether they pass and never fail the run.
//
// Server side: conformance/server.ts serves a fixture everything server, directly and through the
// hub's HTTP front; every server scenario that is not an extension runs against both, at each of
// the two versions it applies to. A scenario that passes directly must pass through the hub ("via
// hub >= direct"), and the fixture must pass every scenario directly unless it is listed.
//
// Known failures are listed per spec version in conformance/expected-failures.yml (client side:
// `<version>:`; the fixture on its own: `server-<version>:`). A run fails on a failure not listed
// AND on a listed one that now passes (remove it: the list only shrinks). The suite needs Node 22;
// the npm package `node` provides one, for this runner only.
//
// CONFORMANCE_ONLY=<text> runs only the client scenarios whose name contains <text> (e.g. `auth/`)
// and skips the server side: for iterating on a few scenarios, never for judging a change.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runServerSide, serverScenarios } from './conformance-server.mjs';
import { LOOPBACK_PRELOAD, ROOT } from './lib.mjs';

const NODE22 = join(ROOT, 'node_modules', 'node', 'bin', 'node');
const SUITE = join(
  ROOT,
  'node_modules',
  '@modelcontextprotocol',
  'conformance',
  'dist',
  'index.js',
);
const BASELINE = join(ROOT, 'conformance', 'expected-failures.yml');
const RESULTS = join(ROOT, 'test-results', 'conformance');
// The suite splits the command on spaces and runs it through a shell from ROOT: relative paths,
// so a checkout whose path has a space still works. Type stripping alone cannot run the hub (it
// uses constructor parameter properties), hence transform-types.
const CLIENT_COMMAND = [
  relative(ROOT, NODE22),
  '--experimental-transform-types',
  '--disable-warning=ExperimentalWarning',
  'conformance/client.ts',
].join(' ');
/** Runs at once: each is a suite process plus a client process, mostly waiting on each other. */
const PARALLEL = 2;

const MARCH = '2025-03-26';
const STATEFUL = '2025-11-25';
const STATELESS = '2026-07-28';
/** Every client scenario, with the versions (of these three) it applies to. */
const SCENARIOS = [
  ['initialize', [STATEFUL]],
  ['tools_call', [STATEFUL, STATELESS]],
  ['elicitation-sep1034-client-defaults', [STATEFUL]],
  ['sse-retry', [STATEFUL]],
  ['request-metadata', [STATELESS]],
  ['sep-2322-client-request-state', [STATELESS]],
  ['http-standard-headers', [STATELESS]],
  ['http-custom-headers', [STATELESS]],
  ['http-invalid-tool-headers', [STATELESS]],
  ['json-schema-ref-no-deref', [STATELESS]],
  ['json-schema-2020-12-preservation', [STATEFUL, STATELESS]],
  ...[
    'metadata-default',
    'metadata-var1',
    'metadata-var2',
    'metadata-var3',
    'basic-cimd',
    'scope-from-www-authenticate',
    'scope-from-scopes-supported',
    'scope-omitted-when-undefined',
    'scope-step-up',
    'scope-retry-limit',
    'token-endpoint-auth-basic',
    'token-endpoint-auth-post',
    'token-endpoint-auth-none',
    'pre-registration',
  ].map((name) => [`auth/${name}`, [STATEFUL, STATELESS]]),
  ['auth/2025-03-26-oauth-metadata-backcompat', [MARCH]],
  ['auth/2025-03-26-oauth-endpoint-fallback', [MARCH]],
  ...[
    'resource-mismatch',
    'offline-access-scope',
    'offline-access-not-supported',
    'authorization-server-migration',
    'iss-supported',
    'iss-not-advertised',
    'iss-supported-missing',
    'iss-wrong-issuer',
    'iss-unexpected',
    'iss-normalized',
    'metadata-issuer-mismatch',
  ].map((name) => [`auth/${name}`, [STATELESS]]),
];
/**
 * Authorization extensions: run at no spec version (the suite skips an extension asked for one),
 * judged for information only. Nexus implements none of them yet.
 */
const EXTENSIONS = [
  'auth/client-credentials-jwt',
  'auth/client-credentials-basic',
  'auth/enterprise-managed-authorization',
  'auth/dpop',
  'auth/dpop-nonce',
  'auth/wif-jwt-bearer',
];
/** The versions the client side runs at; the server side runs at the last two. */
const VERSIONS = [MARCH, STATEFUL, STATELESS];
const SERVER_VERSIONS = [STATEFUL, STATELESS];
/** CONFORMANCE_ONLY (see the top of this file). */
const ONLY = process.env.CONFORMANCE_ONLY ?? '';

/** How bad a check status is, for collapsing a check id that occurs more than once. */
const SEVERITY = { FAILURE: 3, WARNING: 2, SUCCESS: 1, INFO: 1, SKIPPED: 0 };
const failed = (status) => status === 'FAILURE' || status === 'WARNING';

function fail(message) {
  console.error(message);
  process.exit(1);
}

/**
 * Reads conformance/expected-failures.yml: for each spec version a list of `<scenario>` or
 * `<scenario>:<check-id>` entries (the suite's own entry format). Only that shape of YAML is
 * accepted (`version:` lines, `  - entry` lines, `version: []`, comments), so this stays a few
 * lines of code instead of a YAML dependency.
 */
function readBaseline(servers) {
  const baseline = new Map(VERSIONS.map((version) => [version, []]));
  for (const version of SERVER_VERSIONS) baseline.set(`server-${version}`, []);
  let current;
  const lines = readFileSync(BASELINE, 'utf8').split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.replace(/\s+#.*$/, '').trimEnd();
    const where = `${relative(ROOT, BASELINE)}:${index + 1}`;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const key = /^'?([\w-]+)'?:\s*(\[\])?$/.exec(line);
    const item = /^\s*-\s+(['"]?)(.+)\1$/.exec(line);
    if (key) {
      current = key[1];
      if (!baseline.has(current)) {
        fail(
          `${where}: "${current}" is neither a spec version this runner uses (${VERSIONS.join(', ')}) nor server-<version> (${SERVER_VERSIONS.join(', ')}).`,
        );
      }
    } else if (item && current) {
      const entry = item[2];
      const scenario = entry.split(':')[0];
      const server = current.startsWith('server-');
      const version = server ? current.slice('server-'.length) : current;
      const applies = server
        ? (servers.get(scenario) ?? [])
        : (SCENARIOS.find(([name]) => name === scenario)?.[1] ?? []);
      if (server && entry.includes(':')) {
        fail(`${where}: the server side lists whole scenarios only ("${scenario}").`);
      }
      if (!applies.includes(version)) {
        fail(`${where}: scenario "${scenario}" is not run at ${version}, so it cannot fail there.`);
      }
      baseline.get(current).push(entry);
    } else {
      fail(`${where}: expected "<version>:" or "  - <scenario>[:<check-id>]", got "${raw}".`);
    }
  }
  return baseline;
}

/** The suite's `--expected-failures` file for one version: its entries under `client:`. */
function suiteBaseline(entries) {
  if (entries.length === 0) return 'client: []\n';
  return `client:\n${entries.map((entry) => `  - ${JSON.stringify(entry)}\n`).join('')}`;
}

/**
 * Runs the suite for one scenario at one version (none: an extension); resolves with its exit
 * code.
 */
function runSuite(scenario, version, baselineFile, outputDir, logFile) {
  return new Promise((resolve) => {
    const output = [];
    let saved = false;
    const save = (code, note = '') => {
      // 'error' (could not start) may be followed by 'close'; the first one tells what happened.
      if (saved) return;
      saved = true;
      // The suite colours its output whatever the terminal; the log is for reading.
      const text = Buffer.concat(output)
        .toString('utf8')
        .replace(/\x1b\[[0-9;]*m/g, '');
      writeFileSync(logFile, text + note);
      resolve(code);
    };
    const child = spawn(
      NODE22,
      [
        // The mocks listen on every interface unless told otherwise; keep them on loopback.
        '--import',
        LOOPBACK_PRELOAD,
        SUITE,
        'client',
        '--command',
        CLIENT_COMMAND,
        '--scenario',
        scenario,
        ...(version ? ['--spec-version', version] : []),
        ...(baselineFile ? ['--expected-failures', baselineFile] : []),
        '--output-dir',
        outputDir,
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        // The preload ends a mock server whose parent died without cleaning up.
        env: { ...process.env, NEXUS_PARENT_PID: String(process.pid) },
      },
    );
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.once('error', (error) => save(127, `\nCould not start the suite: ${error.message}\n`));
    child.once('close', (code) => save(code ?? 1));
  });
}

/**
 * The checks a run saved: the suite writes them to a timestamped folder under `outputDir`, named
 * after the scenario (`auth/x` is folder `auth`, then `x-<time>`).
 */
function readChecks(outputDir) {
  if (!existsSync(outputDir)) return undefined;
  for (const entry of readdirSync(outputDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = join(outputDir, entry.name);
    const file = join(folder, 'checks.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
    const nested = readChecks(folder);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * Judges one run the way the suite judges a baseline: each check id collapsed to its worst status;
 * a failing id not in the baseline is unexpected, a listed id that passed is stale. A run passes
 * only when the suite's exit code AND this judgement agree that it does.
 */
function judge(scenario, checks, entries) {
  const worst = new Map();
  for (const check of checks) {
    const seen = worst.get(check.id);
    if (!seen || SEVERITY[check.status] > SEVERITY[seen.status]) worst.set(check.id, check);
  }
  const wholeScenario = entries.includes(scenario);
  const listed = new Set(
    entries
      .filter((entry) => entry.startsWith(`${scenario}:`))
      .map((entry) => entry.slice(scenario.length + 1)),
  );
  const failures = [...worst.values()].filter((check) => failed(check.status));
  const unexpected = wholeScenario ? [] : failures.filter((check) => !listed.has(check.id));
  const expected = failures.filter((check) => wholeScenario || listed.has(check.id));
  // Some checks are only emitted when they fail (elicitation's `…-general`, the tools/list gate
  // of http-invalid-tool-headers), so a listed check that is absent counts as passing once nothing
  // in the scenario fails; while something does, absence may be a later step that never ran.
  const nowPassing = (id) =>
    worst.get(id)?.status === 'SUCCESS' || (failures.length === 0 && !worst.has(id));
  const stale = wholeScenario
    ? failures.length === 0
      ? [scenario]
      : []
    : [...listed].filter(nowPassing).map((id) => `${scenario}:${id}`);
  const passed = [...worst.values()].filter((check) => check.status === 'SUCCESS').length;
  return { unexpected, expected, stale, passed };
}

function describeFailure(check) {
  const why = check.errorMessage ?? check.description ?? '';
  const oneLine = why.replace(/\s+/g, ' ').trim();
  return `${check.id}${check.status === 'WARNING' ? ' (warning)' : ''}: ${oneLine.slice(0, 200)}`;
}

async function main() {
  if (!existsSync(NODE22)) {
    fail(
      `The conformance suite needs Node 22, and ${relative(ROOT, NODE22)} is missing.\n` +
        'It comes from the npm package "node" in devDependencies: run "npm install" (or "npm ci").',
    );
  }
  if (!existsSync(SUITE)) {
    fail(`${relative(ROOT, SUITE)} is missing: run "npm install" (or "npm ci").`);
  }
  const servers = serverScenarios(NODE22, SUITE, SERVER_VERSIONS);
  const baseline = readBaseline(servers);
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  const baselineFiles = new Map();
  for (const version of VERSIONS) {
    const entries = baseline.get(version);
    const file = join(RESULTS, `expected-failures-${version}.yml`);
    writeFileSync(file, suiteBaseline(entries));
    baselineFiles.set(version, file);
  }

  const runs = [
    ...SCENARIOS.flatMap(([scenario, versions]) =>
      versions.map((version) => ({ scenario, version })),
    ),
    ...EXTENSIONS.map((scenario) => ({ scenario, info: true })),
  ].filter((run) => run.scenario.includes(ONLY));
  if (runs.length === 0) fail(`CONFORMANCE_ONLY="${ONLY}" matches no client scenario.`);
  const started = performance.now();
  const width = Math.max(...runs.map((run) => run.scenario.length));
  const outcomes = [];
  const informational = [];
  const queue = [...runs];
  const worker = async () => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      const folder = run.version ?? 'extension';
      const dir = join(RESULTS, folder, run.scenario);
      mkdirSync(dir, { recursive: true });
      const logFile = join(RESULTS, folder, `${run.scenario}.log`);
      const began = performance.now();
      const code = await runSuite(
        run.scenario,
        run.version,
        run.version && baselineFiles.get(run.version),
        dir,
        logFile,
      );
      const checks = readChecks(dir);
      const verdict = checks
        ? judge(run.scenario, checks, run.version ? baseline.get(run.version) : [])
        : { unexpected: [], expected: [], stale: [], passed: 0 };
      const ok =
        code === 0 &&
        checks !== undefined &&
        verdict.unexpected.length === 0 &&
        verdict.stale.length === 0;
      (run.info ? informational : outcomes).push({ ...run, ok, expected: verdict.expected.length });
      const mark = run.info ? (ok ? 'pass' : 'fail') : ok ? 'ok  ' : 'FAIL';
      const label = `${mark}  ${folder.padEnd(10)}  ${run.scenario.padEnd(width)}`;
      const took = `${((performance.now() - began) / 1000).toFixed(1)} s`;
      const notes = [`${verdict.passed} checks passed`];
      if (verdict.expected.length > 0) {
        notes.push(
          `${verdict.expected.length} known failures (${verdict.expected.map((check) => check.id).join(', ')})`,
        );
      }
      if (run.info) notes.push('informational');
      console.log(`${label}  ${notes.join('; ')} (${took})`);
      const failure = run.info ? 'failure' : 'unexpected failure';
      for (const check of verdict.unexpected) {
        console.log(`        ${failure}: ${describeFailure(check)}`);
      }
      for (const entry of verdict.stale) {
        console.log(
          `        now passes: remove "${entry}" from ${relative(ROOT, BASELINE)} (${run.version})`,
        );
      }
      if (!checks) console.log(`        the suite saved no checks (exit code ${code})`);
      else if (!ok && verdict.unexpected.length === 0 && verdict.stale.length === 0) {
        console.log(`        the suite exited with code ${code}`);
      }
      if (!ok) console.log(`        log: ${relative(ROOT, logFile)}`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const serverSide = ONLY
    ? []
    : await runServerSide({
        node22: NODE22,
        suite: SUITE,
        results: RESULTS,
        versions: SERVER_VERSIONS,
        scenarios: servers,
        baseline: new Map(
          SERVER_VERSIONS.map((version) => [version, baseline.get(`server-${version}`)]),
        ),
      });
  outcomes.push(...serverSide.map((outcome) => ({ ...outcome, expected: 0 })));

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const bad = outcomes.filter((outcome) => !outcome.ok).length;
  const known = outcomes.reduce((sum, outcome) => sum + outcome.expected, 0);
  const knownServer = serverSide.reduce((sum, outcome) => sum + outcome.known, 0);
  console.log(
    `Conformance: ${outcomes.length - bad} of ${outcomes.length} scenario runs as expected, ${bad} failed` +
      ` (${serverSide.length} of them server scenarios, directly and through the hub;` +
      ` ${known} known failing client checks and ${knownServer} known failing fixture scenarios` +
      ` listed in ${relative(ROOT, BASELINE)}) in ${seconds} s` +
      (informational.length > 0
        ? `; extensions, for information: ${informational.filter((run) => run.ok).length} of ${informational.length} pass`
        : '') +
      (ONLY ? ` (only scenarios containing "${ONLY}"; server side skipped)` : ''),
  );
  process.exit(bad > 0 ? 1 : 0);
}

await main();
