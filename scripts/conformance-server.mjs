// The server side of `npm run conformance` (see scripts/conformance.mjs): the suite's server
// scenarios against the fixture everything server directly and through the hub's HTTP front, both
// served by conformance/server.ts, at each of the two spec versions. One suite run per version and
// target (the suite runs every scenario of a version in one process, a second or two each).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './lib.mjs';

const SERVER_PROGRAM = 'conformance/server.ts';
/** How long conformance/server.ts may take to say READY. */
const START_TIMEOUT_MS = 30_000;

const failed = (status) => status === 'FAILURE' || status === 'WARNING';

/**
 * The server scenarios that are not extensions, each with the versions (of `versions`) it applies
 * to, from the suite's own `list`.
 */
export function serverScenarios(node22, suite, versions) {
  const listed = spawnSync(node22, [suite, 'list'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`"conformance list" failed: ${listed.stderr}`);
  const scenarios = new Map();
  let inServer = false;
  for (const line of listed.stdout.split('\n')) {
    if (/^\S/.test(line)) inServer = line.startsWith('Server scenarios');
    const match = /^\s+-\s+(\S+)\s+\[([^\]]*)\]/.exec(line);
    if (!inServer || !match) continue;
    const tags = match[2].split(',').map((tag) => tag.trim());
    if (tags.includes('extension')) continue;
    const applies = versions.filter((version) => tags.includes(version));
    if (applies.length > 0) scenarios.set(match[1], applies);
  }
  return scenarios;
}

/** Starts conformance/server.ts; resolves with its two URLs and a way to stop it. */
function startServers(node22) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      node22,
      ['--experimental-transform-types', '--disable-warning=ExperimentalWarning', SERVER_PROGRAM],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${SERVER_PROGRAM} did not start in time:\n${out}${err}`));
    }, START_TIMEOUT_MS);
    child.stderr.on('data', (chunk) => (err += chunk));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (!out.includes('READY\n')) return;
      clearTimeout(timer);
      const url = (label) => new RegExp(`^${label} (\\S+)$`, 'm').exec(out)?.[1];
      resolve({
        direct: url('DIRECT'),
        hub: url('HUB'),
        log: () => err,
        stop: () =>
          new Promise((done) => {
            child.once('close', done);
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(
        new Error(`${SERVER_PROGRAM} ended (code ${code}) before it was ready:\n${out}${err}`),
      );
    });
  });
}

/** Runs every scenario of `version` against `url`; resolves once the suite has ended. */
function runSuite(node22, suite, url, version, outputDir, logFile) {
  return new Promise((resolve) => {
    const output = [];
    const child = spawn(
      node22,
      [
        suite,
        'server',
        '--url',
        url,
        '--suite',
        'all',
        '--spec-version',
        version,
        '--output-dir',
        outputDir,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    const save = (code) => {
      writeFileSync(
        logFile,
        Buffer.concat(output)
          .toString('utf8')
          .replace(/\x1b\[[0-9;]*m/g, ''),
      );
      resolve(code);
    };
    child.once('error', () => save(127));
    child.once('close', (code) => save(code ?? 1));
  });
}

/** The checks of each scenario a run saved: folders `server-<scenario>-<timestamp>`. */
function readChecks(outputDir, scenarios) {
  const checks = new Map();
  if (!existsSync(outputDir)) return checks;
  for (const folder of readdirSync(outputDir)) {
    const scenario = [...scenarios.keys()].find((name) =>
      new RegExp(`^server-${name}-\\d{4}-`).test(folder),
    );
    const file = join(outputDir, folder, 'checks.json');
    if (scenario && existsSync(file)) checks.set(scenario, JSON.parse(readFileSync(file, 'utf8')));
  }
  return checks;
}

function firstFailure(checks) {
  const check = checks?.find((each) => failed(each.status));
  if (!check) return checks ? '' : 'no result';
  const why = (check.errorMessage ?? check.description ?? '').replace(/\s+/g, ' ').trim();
  return `${check.id}: ${why.slice(0, 160)}`;
}

/**
 * Runs the server side and prints a line per scenario and version. `baseline`: per version, the
 * scenarios the fixture is known to fail on its own (`server-<version>:` in the YAML file).
 * Resolves with the outcomes: `ok` false is a failed run of the whole command.
 */
export async function runServerSide({ node22, suite, results, versions, scenarios, baseline }) {
  const servers = await startServers(node22);
  const outcomes = [];
  try {
    const width = Math.max(...[...scenarios.keys()].map((name) => name.length));
    for (const version of versions) {
      const judged = {};
      for (const target of ['direct', 'hub']) {
        const dir = join(results, 'server', version, target);
        mkdirSync(dir, { recursive: true });
        const log = join(results, 'server', version, `${target}.log`);
        await runSuite(node22, suite, servers[target], version, dir, log);
        judged[target] = readChecks(dir, scenarios);
      }
      const listed = baseline.get(version) ?? [];
      for (const [scenario, applies] of scenarios) {
        if (!applies.includes(version)) continue;
        const direct = judged.direct.get(scenario);
        const hub = judged.hub.get(scenario);
        const directOk = direct !== undefined && !direct.some((check) => failed(check.status));
        const hubOk = hub !== undefined && !hub.some((check) => failed(check.status));
        const known = listed.includes(scenario);
        const problems = [];
        if (!directOk && !known)
          problems.push(`the fixture fails it on its own: ${firstFailure(direct)}`);
        if (directOk && known)
          problems.push(
            `now passes directly: remove "${scenario}" from server-${version} in conformance/expected-failures.yml`,
          );
        if (directOk && !hubOk)
          problems.push(`passes directly, not through the hub: ${firstFailure(hub)}`);
        const ok = problems.length === 0;
        outcomes.push({ side: 'server', version, scenario, ok, known: known ? 1 : 0 });
        const through = hubOk ? 'through the hub too' : 'not through the hub';
        const state = directOk ? `passes directly and ${through}` : `known to fail directly`;
        console.log(
          `${ok ? 'ok  ' : 'FAIL'}  ${version}  server ${scenario.padEnd(width)}  ${ok ? state : ''}`,
        );
        for (const problem of problems) console.log(`        ${problem}`);
        if (!ok) {
          console.log(
            `        logs: ${relative(ROOT, join(results, 'server', version))}/{direct,hub}.log`,
          );
        }
      }
    }
  } finally {
    await servers.stop();
  }
  return outcomes;
}
