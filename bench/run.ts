/**
 * `npm run bench [-- --quick]`: measures the hub in headless Chromium against MCP servers on
 * 127.0.0.1, prints one Markdown table (medians, p95/p99, and the ratios, every figure from this
 * run) and writes it with every sample summary to bench/results/latest.json. README.md,
 * "Benchmark", says what each row means. No figure is asserted: the verdict column only says
 * where each stands against the targets of issue 5.
 *
 * Run by scripts/bench.mjs with the project's Node 22 (`--experimental-transform-types`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pageBuildDir, startBenchApp } from './app-server.ts';
import { launchChromium } from './browser.ts';
import { mcpHubMissing, startFixtures, startMcpHub, type McpHub } from './processes.ts';
import { buildRows, type Measured } from './report.ts';
import {
  dashboardStart,
  hubStart,
  localStdio,
  pipelineRounds,
  profileHub,
  profileHubStart,
  profileToolsList,
  remote,
  scale,
  type Env,
} from './scenarios.ts';
import { formatProfile, summarizeProfile, type ProfileSummary } from './profile.ts';
import { bundleSizes } from './sizes.ts';
import { markdownTable, summarize } from './stats.ts';

const root = path.resolve(import.meta.dirname, '..');
const MB = 1_000_000;

/** How much of everything: `quick` runs in seconds in `npm test`; `full` is for people. */
const PLANS = {
  quick: {
    rounds: 1,
    floor: { n: 500, warmup: 100 },
    seq: { n: 300, warmup: 100 },
    conc: { n: 2_000, warmup: 64 },
    echo: { n: 100, warmup: 20, rounds: 1 },
    payloads: [
      { bytes: 1 * MB, n: 2, rounds: 1 },
      { bytes: 10 * MB, n: 1, rounds: 1 },
    ],
    scale: { servers: 10, tools: 20, lists: 3, settleMs: 1_000 },
    startRuns: 1,
    dashboard: { servers: 10, runs: 1 },
  },
  full: {
    rounds: 5,
    floor: { n: 10_000, warmup: 200 },
    seq: { n: 5_000, warmup: 500 },
    conc: { n: 20_000, warmup: 64 },
    echo: { n: 1_000, warmup: 100, rounds: 3 },
    payloads: [
      { bytes: 1 * MB, n: 10, rounds: 3 },
      { bytes: 10 * MB, n: 3, rounds: 3 },
    ],
    scale: { servers: 50, tools: 100, lists: 20, settleMs: 5_000 },
    startRuns: 5,
    dashboard: { servers: 10, runs: 3 },
  },
};

function step(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
    },
  });
  const mode = values.quick ? 'quick' : 'full';
  const plan = PLANS[mode];
  const began = performance.now();
  const dist = path.join(root, 'dist');
  const sizes = bundleSizes(dist);

  const resultsDir = path.join(root, 'bench', 'results');
  let profiles:
    | {
        load: ProfileSummary;
        start: ProfileSummary;
        toolsList: ProfileSummary;
        toolsListPage: ProfileSummary;
        startMissedMs: number;
        started: number;
      }
    | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  const measured: Partial<Measured> = { mode, sizes };
  try {
    step('starting the fixture servers, the app and Chromium');
    // The dashboard row uses the first scale endpoints, so there are always enough of them.
    const fixtureServers = Math.max(plan.scale.servers, plan.dashboard.servers);
    const fixtures = await startFixtures(fixtureServers, plan.scale.tools);
    cleanups.push(() => fixtures.stop());
    const app = await startBenchApp(dist);
    cleanups.push(() => app.close());
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const env: Env = { browser, app };
    measured.chromium = browser.version();

    let mcpHub: McpHub | undefined;
    measured.mcpHubMissing = mcpHubMissing();
    if (!measured.mcpHubMissing) {
      try {
        mcpHub = await startMcpHub({ bench: fixtures.benchUrl });
        cleanups.push(() => mcpHub!.stop());
        measured.mcpHubVersion = mcpHub.version;
      } catch (error) {
        measured.mcpHubMissing = `mcp-hub did not start: ${error instanceof Error ? error.message : String(error)}`;
      }
    }

    step('1, 2, 8: floor and hub pipeline (built-in server), without and with the Inspector');
    measured.pipeline = await pipelineRounds(env, plan.rounds, plan.floor, plan.seq, plan.conc);
    const builtinTools = measured.pipeline.builtinTools;

    step(`3, 4, 6: remote echo and payloads (direct, hub${mcpHub ? ', mcp-hub' : ''})`);
    measured.remote = await remote(env, fixtures.benchUrl, mcpHub?.url, plan.echo, plan.payloads);

    const { servers, tools, lists, settleMs } = plan.scale;
    step(`5: ${servers} servers × ${tools} tools`);
    const scaleUrls = Array.from({ length: servers }, (_, i) => fixtures.scaleUrl(i));
    measured.scale = await scale(env, scaleUrls, tools, builtinTools, lists, settleMs);

    step('7: hub start and dashboard start');
    measured.hubStart = await hubStart(env, plan.startRuns, builtinTools);
    const dashboardUrls = Array.from({ length: plan.dashboard.servers }, (_, i) =>
      fixtures.scaleUrl(i),
    );
    measured.dashboard = await dashboardStart(env, dashboardUrls, plan.dashboard.runs);

    step('10: a local stdio server, directly from Node and through nexus-bridge');
    try {
      measured.localStdio = await localStdio(env, plan.echo);
    } catch (error) {
      measured.localStdioMissing = error instanceof Error ? error.message : String(error);
    }

    if (values.profile) {
      // nexus-hub.js only imports the chunk that holds the hub's code: profile frames are in it.
      const hubChunk = sizes.worker.files.find((file) => file !== 'nexus-hub.js') ?? 'nexus-hub.js';
      const bundle = path.join(dist, hubChunk);
      await mkdir(resultsDir, { recursive: true });
      step('profile: the hub worker under 32 calls in flight');
      const load = await profileHub(env, plan.conc);
      await writeFile(path.join(resultsDir, 'hub-worker.cpuprofile'), JSON.stringify(load.profile));
      step('profile: the hub worker starting');
      const start = await profileHubStart(env, builtinTools);
      await writeFile(
        path.join(resultsDir, 'hub-worker-start.cpuprofile'),
        JSON.stringify(start.profile),
      );
      step('profile: the hub worker answering tools/list');
      const listing = await profileToolsList(env, scaleUrls, tools, builtinTools, lists, settleMs);
      await writeFile(
        path.join(resultsDir, 'hub-worker-tools-list.cpuprofile'),
        JSON.stringify(listing.worker),
      );
      await writeFile(
        path.join(resultsDir, 'page-tools-list.cpuprofile'),
        JSON.stringify(listing.page),
      );
      profiles = {
        toolsList: await summarizeProfile(listing.worker, bundle, `/${hubChunk}`),
        toolsListPage: await summarizeProfile(
          listing.page,
          path.join(pageBuildDir, 'bench.js'),
          '/bench/bench.js',
        ),
        load: await summarizeProfile(load.profile, bundle, `/${hubChunk}`),
        start: await summarizeProfile(start.profile, bundle, `/${hubChunk}`),
        startMissedMs: start.missedMs,
        started: start.start.builtinCall,
      };
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }

  const rows = buildRows(measured as Measured);
  const seconds = (performance.now() - began) / 1000;
  const table = markdownTable(rows);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header =
    `Nexus benchmark (${mode}${mode === 'quick' ? ': small counts, indicative only' : ''}), ` +
    `Chromium ${measured.chromium}, ${os.cpus().length} × ${cpu}, ${new Date().toISOString()}, ` +
    `${seconds.toFixed(1)} s`;
  console.log(`\n${header}\n\n${table}\n`);
  if (measured.mcpHubMissing) console.log(`mcp-hub rows not measured: ${measured.mcpHubMissing}\n`);
  if (measured.localStdioMissing)
    console.log(`nexus-bridge rows not measured: ${measured.localStdioMissing}\n`);
  if (profiles) {
    console.log('Hub worker under 32 calls in flight (bench/results/hub-worker.cpuprofile):\n');
    console.log(`${formatProfile(profiles.load)}\n`);
    console.log(
      `Hub worker starting (bench/results/hub-worker-start.cpuprofile): the profiler ran from ` +
        `${profiles.startMissedMs.toFixed(0)} ms after connectHub() was called; the first ` +
        `built-in call was answered at ${profiles.started.toFixed(0)} ms.\n`,
    );
    console.log(`${formatProfile(profiles.start)}\n`);
    console.log(
      `Hub worker answering tools/list, ${plan.scale.servers} × ${plan.scale.tools} tools ` +
        '(bench/results/hub-worker-tools-list.cpuprofile):\n',
    );
    console.log(`${formatProfile(profiles.toolsList)}\n`);
    console.log('The client page meanwhile (bench/results/page-tools-list.cpuprofile):\n');
    console.log(`${formatProfile(profiles.toolsListPage)}\n`);
  }

  const out = path.join(resultsDir, 'latest.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(
    out,
    JSON.stringify(
      {
        header,
        mode,
        seconds,
        when: new Date().toISOString(),
        environment: {
          chromium: measured.chromium,
          node: process.version,
          cpus: os.cpus().length,
          cpu,
          mcpHub: measured.mcpHubVersion ?? null,
        },
        rows,
        measured: summarizeForJson(measured as Measured),
        ...(profiles
          ? {
              profiles: {
                load: { ...profiles.load, functions: profiles.load.functions.slice(0, 50) },
                start: { ...profiles.start, functions: profiles.start.functions.slice(0, 50) },
                toolsList: {
                  ...profiles.toolsList,
                  functions: profiles.toolsList.functions.slice(0, 50),
                },
                toolsListPage: {
                  ...profiles.toolsListPage,
                  functions: profiles.toolsListPage.functions.slice(0, 50),
                },
              },
            }
          : {}),
      },
      null,
      2,
    ),
  );
  console.log(`Wrote ${path.relative(root, out)}.`);
  return 0;
}

/** `measured` with every array of samples replaced by its summary (the file stays small). */
function summarizeForJson(measured: Measured): unknown {
  return JSON.parse(
    JSON.stringify(measured, (_key, value: unknown) =>
      Array.isArray(value) && value.length > 10 && typeof value[0] === 'number'
        ? summarize(value as number[])
        : value,
    ),
  );
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  return 1;
});
