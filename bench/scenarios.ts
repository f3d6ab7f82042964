/**
 * The benchmark's measurements, one function per item of the issue. Each opens its own browser
 * context (its own IndexedDB, so its own hub), measures in the bench page, closes the context and
 * waits for its hub to stop, so no row runs beside another's hub. bench/run.ts calls them in order
 * and turns what they return into the table.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { BenchApp } from './app-server.ts';
import {
  bench,
  freshContext,
  openBenchPage,
  profileSharedWorker,
  profileSharedWorkerStart,
  sharedWorkerGone,
  sharedWorkerHeap,
  sharedWorkerMarks,
  type WorkerHeap,
} from './browser.ts';
import type { Run } from './page/bench-page.ts';
import type { CpuProfile } from './profile.ts';
import {
  launchWithBridge,
  processesWith,
  type BridgeBrowser,
} from '../tests/support/bridge-browser.ts';

const root = path.resolve(import.meta.dirname, '..');

export const HUB_SCRIPT = '/nexus-hub.js';
/** The built-in server's cheapest tool: no storage, one Date formatted. */
export const BUILTIN_TOOL = 'nexus__clock';

export interface Counts {
  n: number;
  warmup: number;
}

export interface Env {
  browser: Browser;
  app: BenchApp;
}

/** Runs `body` in a fresh context with `defaults` registered on first run; cleans up after. */
async function inContext<T>(
  env: Env,
  defaults: unknown,
  body: (context: BrowserContext) => Promise<T>,
  options: { serviceWorkers?: boolean } = {},
): Promise<T> {
  env.app.defaults = defaults;
  const context = await freshContext(env.browser, options);
  try {
    return await body(context);
  } finally {
    await context.close();
    await sharedWorkerGone(env.browser, HUB_SCRIPT);
  }
}

/** `{ mcpServers: { name: { url } } }`, the file a fresh hub reads on its first run. */
export function mcpServers(servers: Record<string, string>): unknown {
  return {
    mcpServers: Object.fromEntries(
      Object.entries(servers).map(([name, url]) => [name, { url, transport: 'streamable-http' }]),
    ),
  };
}

/** Waits until the connection lists `tool` (its server is ready), for at most 20 s. */
async function waitForTool(page: Page, key: string, tool: string): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const names = await bench(page, 'toolNames', key);
    if (names.includes(tool)) return names;
    if (Date.now() > deadline) throw new Error(`${key} never listed ${tool}: ${names.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface PipelineResult {
  sdk: Run;
  raw: Run;
  sdk32: Run;
  raw32: Run;
}

const PIPELINE_KEYS = ['sdk', 'raw', 'sdk32', 'raw32'] as const;

/**
 * Item 2's four runs: the built-in clock through nexus-client.js, 1 and 32 in flight, on the
 * connection `key` (`hub`, or `allow-all` for the hub worker with the allow-all double).
 */
async function pipeline(
  page: Page,
  seq: Counts,
  conc: Counts,
  key = 'hub',
): Promise<PipelineResult> {
  return {
    sdk: await bench(page, 'calls', key, BUILTIN_TOOL, {}, seq),
    raw: await bench(page, 'rawCalls', key, BUILTIN_TOOL, {}, seq),
    sdk32: await bench(page, 'calls', key, BUILTIN_TOOL, {}, { ...conc, inflight: 32 }),
    raw32: await bench(page, 'rawCalls', key, BUILTIN_TOOL, {}, { ...conc, inflight: 32 }),
  };
}

/** Runs of several rounds as one: every sample, and the wall time they took together. */
function pool(runs: Run[]): Run {
  return {
    samples: runs.flatMap((run) => run.samples),
    wallMs: runs.reduce((total, run) => total + run.wallMs, 0),
  };
}

function poolPipelines(results: PipelineResult[]): PipelineResult {
  const pooled = {} as PipelineResult;
  for (const key of PIPELINE_KEYS) pooled[key] = pool(results.map((result) => result[key]));
  return pooled;
}

/**
 * Opens a dashboard tab on the Inspector and makes sure it records (its default). Through the
 * link, not by opening #/inspector: opened directly, the Inspector page asks for its settings
 * before the dashboard has connected to the hub, and never shows them.
 */
async function openInspector(context: BrowserContext, app: BenchApp): Promise<Page> {
  const dashboard = await context.newPage();
  await dashboard.goto(app.url);
  await dashboard.getByRole('link', { name: 'Inspector' }).click();
  await dashboard.getByText('Recording settings').click();
  const recording = dashboard.getByRole('checkbox', { name: 'Record messages' });
  await recording.waitFor();
  if (!(await recording.isChecked())) throw new Error('the Inspector is not recording');
  return dashboard;
}

export interface PipelineRounds {
  builtinTools: number;
  floor: Run;
  /** The floor with 32 requests in flight: the ceiling for rows 2c/2d. */
  floor32: Run;
  /** Item 2: no dashboard open, so the Inspector records nothing; the person's consent on. */
  hub: PipelineResult;
  /** Item 9: the same calls through the hub worker built with the allow-all test double. */
  allowAll: PipelineResult;
  /** Item 8: the same calls while a dashboard shows the Inspector, recording. */
  inspector: PipelineResult;
  /** tools/call rows (exchanges) the Inspector listed at the end of the last round. */
  recorded: number;
  /** The hub worker's heap with the built-in server only (after round 1, no dashboard yet). */
  heap: WorkerHeap;
}

/**
 * Items 1, 2, 8 and 9 in one page, in `rounds` rounds of: the floor, item 2's calls, item 9's
 * (the same calls to the allow-all hub worker, a second SharedWorker on the same database), then
 * (a dashboard on the Inspector opened) item 2's calls again, and the dashboard closed. The
 * machine's speed drifts (on two cores a round trip between threads takes 0.15 or 0.25 ms
 * depending on how they are scheduled), so each ratio compares figures taken side by side.
 */
export function pipelineRounds(
  env: Env,
  rounds: number,
  floor: Counts,
  seq: Counts,
  conc: Counts,
): Promise<PipelineRounds> {
  const share = (counts: Counts) => ({ ...counts, n: Math.ceil(counts.n / rounds) });
  return inContext(env, undefined, async (context) => {
    const page = await openBenchPage(context, env.app);
    await bench(page, 'connect', 'hub', 'hub');
    const builtinTools = (await waitForTool(page, 'hub', BUILTIN_TOOL)).length;
    await bench(page, 'connect', 'allow-all', 'allow-all');
    await waitForTool(page, 'allow-all', BUILTIN_TOOL);
    const floors: Run[] = [];
    const floors32: Run[] = [];
    const hub: PipelineResult[] = [];
    const allowAll: PipelineResult[] = [];
    const inspector: PipelineResult[] = [];
    let heap: WorkerHeap | undefined;
    let recorded = 0;
    for (let round = 0; round < rounds; round++) {
      floors.push(await bench(page, 'floor', share(floor).n, floor.warmup));
      floors32.push(await bench(page, 'floor', share(conc).n, conc.warmup, 32));
      hub.push(await pipeline(page, share(seq), share(conc)));
      allowAll.push(await pipeline(page, share(seq), share(conc), 'allow-all'));
      heap ??= await sharedWorkerHeap(env.browser, HUB_SCRIPT);
      const dashboard = await openInspector(context, env.app);
      inspector.push(await pipeline(page, share(seq), share(conc)));
      // Proof that it did record: the Inspector lists the calls. Its grid renders only the rows
      // in view, so its aria-rowcount (every row, the header row included) gives the count.
      await dashboard.getByLabel('Method').fill('tools/call');
      const rows = await dashboard
        .getByRole('grid', { name: 'Exchanges' })
        .getAttribute('aria-rowcount');
      recorded = Number(rows) - 1;
      await dashboard.close();
      // Closing the tab releases its Web Lock; the hub then stops watching at once. Give it a beat.
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    return {
      builtinTools,
      floor: pool(floors),
      floor32: pool(floors32),
      hub: poolPipelines(hub),
      allowAll: poolPipelines(allowAll),
      inspector: poolPipelines(inspector),
      recorded,
      heap: heap!,
    };
  });
}

export type RemoteRoute = 'direct' | 'hub' | 'mcp-hub';

export interface RemoteResult {
  /** Per route, the echo calls of every round together. */
  echo: Partial<Record<RemoteRoute, number[]>>;
  /** Per payload size (bytes) and route, the blob calls. */
  payload: Record<number, Partial<Record<RemoteRoute, number[]>>>;
}

/**
 * Items 3, 4 and 6: the fixture's `bench` server from one page, by the SDK directly, through the
 * hub and through mcp-hub, in interleaved rounds (so a drift in the machine's speed hits every
 * route alike).
 */
export function remote(
  env: Env,
  benchUrl: string,
  mcpHubUrl: string | undefined,
  echo: Counts & { rounds: number },
  payloads: Array<{ bytes: number; n: number; rounds: number }>,
): Promise<RemoteResult> {
  return inContext(env, mcpServers({ bench: benchUrl }), async (context) => {
    const page = await openBenchPage(context, env.app);
    const routes: RemoteRoute[] = ['direct', 'hub'];
    await bench(page, 'connect', 'direct', 'direct', benchUrl);
    await bench(page, 'connect', 'hub', 'hub');
    await waitForTool(page, 'hub', 'bench__echo');
    if (mcpHubUrl) {
      await bench(page, 'connect', 'mcp-hub', 'mcp-hub', mcpHubUrl);
      await waitForTool(page, 'mcp-hub', 'bench__echo');
      routes.push('mcp-hub');
    }
    const tool = (route: RemoteRoute, name: string) =>
      route === 'direct' ? name : `bench__${name}`;
    const result: RemoteResult = { echo: {}, payload: {} };
    for (let round = 0; round < echo.rounds; round++) {
      for (const route of routes) {
        const run = await bench(
          page,
          'calls',
          route,
          tool(route, 'echo'),
          { message: 'hello' },
          echo,
        );
        (result.echo[route] ??= []).push(...run.samples);
      }
    }
    for (const { bytes, n, rounds } of payloads) {
      const bySize = (result.payload[bytes] ??= {});
      for (let round = 0; round < rounds; round++) {
        for (const route of routes) {
          const run = await bench(
            page,
            'calls',
            route,
            tool(route, 'blob'),
            { bytes },
            { n, warmup: 1 },
          );
          (bySize[route] ??= []).push(...run.samples);
        }
      }
    }
    return result;
  });
}

export interface ScaleResult {
  servers: number;
  toolsPerServer: number;
  start: Awaited<ReturnType<Window['bench']['startHub']>>;
  expected: number;
  /** tools/list walks at once after every tool was listed: the hub is still saving names. */
  justStarted: Run & { tools: number };
  /** tools/list walks after `settleMs` more. */
  settled: Run & { tools: number };
  /** The same walks right after, as raw JSON-RPC (no SDK client validating the pages). */
  settledRaw: Run & { tools: number };
  settleMs: number;
  heap: WorkerHeap;
}

/**
 * Item 5: a hub with `servers` × `tools` from its first start; then tools/list, at once and after
 * `settleMs` (on a first run the hub persists every new tool name to IndexedDB, 5,000 of them here,
 * and that work runs beside the first lists); then its heap.
 */
export function scale(
  env: Env,
  urls: string[],
  toolsPerServer: number,
  builtinTools: number,
  lists: number,
  settleMs: number,
): Promise<ScaleResult> {
  const servers = Object.fromEntries(urls.map((url, i) => [`scale-${i}`, url]));
  return inContext(env, mcpServers(servers), async (context) => {
    const page = await openBenchPage(context, env.app);
    const expected = urls.length * toolsPerServer + builtinTools;
    const start = await bench(page, 'startHub', 'scale', expected, 30_000);
    if (start.tools < expected) {
      throw new Error(`only ${start.tools} of ${expected} tools were listed after 30 s`);
    }
    const justStarted = await bench(page, 'listAll', 'scale', Math.min(5, lists));
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const settled = await bench(page, 'listAll', 'scale', lists);
    const settledRaw = await bench(page, 'rawListAll', 'scale', lists);
    const heap = await sharedWorkerHeap(env.browser, HUB_SCRIPT);
    return {
      servers: urls.length,
      toolsPerServer,
      start,
      expected,
      justStarted,
      settled,
      settledRaw,
      settleMs,
      heap,
    };
  });
}

type StartRun = Awaited<ReturnType<Window['bench']['startHub']>> & {
  /**
   * ms after connectHub() (page clock) at which the worker started and reached each of its
   * `nexus-hub:*` marks: where a start's time goes.
   */
  milestones: Record<string, number>;
};

export interface HubStart {
  firstRun: StartRun[];
  restart: StartRun[];
  /** ms for a new tiny module SharedWorker to answer, in the same pages: the browser's share. */
  emptyWorker: number[];
}

async function startWithMilestones(env: Env, page: Page, builtinTools: number): Promise<StartRun> {
  const run = await bench(page, 'startHub', 'start', builtinTools, 10_000);
  const { started, marks } = await sharedWorkerMarks(env.browser, HUB_SCRIPT);
  const milestones: Record<string, number> = { 'worker-started': started - run.startedAt };
  for (const [name, at] of Object.entries(marks)) milestones[name] = at - run.startedAt;
  return { ...run, milestones };
}

/**
 * Item 7, the hub alone: from connectHub() (which starts the SharedWorker) to the first built-in
 * tool call answered, on a first run (empty IndexedDB: the registry is created and seeded) and on
 * a restart (every page closed, so the worker stopped; the registry is read back).
 */
export async function hubStart(env: Env, runs: number, builtinTools: number): Promise<HubStart> {
  const result: HubStart = { firstRun: [], restart: [], emptyWorker: [] };
  for (let run = 0; run < runs; run++) {
    await inContext(env, undefined, async (context) => {
      const first = await openBenchPage(context, env.app);
      result.firstRun.push(await startWithMilestones(env, first, builtinTools));
      await first.close();
      await sharedWorkerGone(env.browser, HUB_SCRIPT);
      const again = await openBenchPage(context, env.app);
      result.restart.push(await startWithMilestones(env, again, builtinTools));
      result.emptyWorker.push(await bench(again, 'emptyWorkerStart'));
    });
  }
  return result;
}

/**
 * Recorded in every page of the context from its first script on: `performance.now()` (ms since
 * navigation start) when the dashboard first shows `window.__benchExpectReady` servers ready.
 */
function watchReady(expect: number): void {
  const check = () => {
    const ready = document.querySelectorAll('[data-testid="status"][data-state="ready"]').length;
    const win = window as unknown as { __benchReadyAt?: number };
    if (ready >= expect && win.__benchReadyAt === undefined) {
      win.__benchReadyAt = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true });
}

export interface DashboardStart {
  cold: number[];
  warm: number[];
}

/**
 * Item 7, the dashboard: from navigation to the Servers page showing every server ready
 * (`remote.length` registered servers plus the built-in one). Cold: a first visit (nothing cached,
 * service worker installing, the hub creating its registry from /nexus-defaults.json). Warm: the
 * tab closed and opened again (the hub restarted, assets from the service worker's cache).
 */
export async function dashboardStart(
  env: Env,
  remoteUrls: string[],
  runs: number,
): Promise<DashboardStart> {
  const servers = Object.fromEntries(remoteUrls.map((url, i) => [`remote-${i}`, url]));
  const expect = remoteUrls.length + 1;
  const result: DashboardStart = { cold: [], warm: [] };
  const visit = async (context: BrowserContext): Promise<number> => {
    const page = await context.newPage();
    await page.goto(env.app.url);
    const handle = await page.waitForFunction(
      () => (window as unknown as { __benchReadyAt?: number }).__benchReadyAt,
      undefined,
      { timeout: 30_000 },
    );
    const at = (await handle.jsonValue()) as number;
    await page.close();
    await sharedWorkerGone(env.browser, HUB_SCRIPT);
    return at;
  };
  for (let run = 0; run < runs; run++) {
    await inContext(
      env,
      mcpServers(servers),
      async (context) => {
        await context.addInitScript(watchReady, expect);
        result.cold.push(await visit(context));
        result.warm.push(await visit(context));
      },
      { serviceWorkers: true },
    );
  }
  return result;
}

/**
 * `--profile`: a CPU profile of the hub worker while the page keeps 32 built-in calls in flight
 * (row 2c's load), taken in a pass of its own so that no figure in the table is taken under it.
 */
export function profileHub(env: Env, conc: Counts): Promise<{ profile: CpuProfile; run: Run }> {
  return inContext(env, undefined, async (context) => {
    const page = await openBenchPage(context, env.app);
    await bench(page, 'connect', 'hub', 'hub');
    await waitForTool(page, 'hub', BUILTIN_TOOL);
    await bench(page, 'calls', 'hub', BUILTIN_TOOL, {}, { n: conc.n / 4, warmup: 0, inflight: 32 });
    const { profile, result } = await profileSharedWorker(env.browser, HUB_SCRIPT, () =>
      bench(page, 'calls', 'hub', BUILTIN_TOOL, {}, { ...conc, inflight: 32 }),
    );
    return { profile, run: result };
  });
}

/**
 * `--profile`: a CPU profile of the hub worker from (nearly) its start until it answered a
 * client's first built-in call (row 7c's path, on a first run).
 */
export function profileHubStart(
  env: Env,
  builtinTools: number,
): Promise<{
  profile: CpuProfile;
  /** ms from the page's connectHub() call (as seen from Node) to the profiler running. */
  missedMs: number;
  start: Awaited<ReturnType<Window['bench']['startHub']>>;
}> {
  return inContext(env, undefined, async (context) => {
    const page = await openBenchPage(context, env.app);
    const { profile, result, missedMs } = await profileSharedWorkerStart(
      env.browser,
      HUB_SCRIPT,
      () => bench(page, 'startHub', 'start', builtinTools, 10_000),
    );
    return { profile, missedMs, start: result };
  });
}

/**
 * `--profile`: CPU profiles of the hub worker AND of the client page while the page walks the
 * aggregated tools/list of `urls.length` × `toolsPerServer` tools `lists` times, `settleMs` after
 * the start (row 5c's load): the time is split between the hub answering and the client library
 * reading the pages.
 */
export function profileToolsList(
  env: Env,
  urls: string[],
  toolsPerServer: number,
  builtinTools: number,
  lists: number,
  settleMs: number,
): Promise<{ worker: CpuProfile; page: CpuProfile; run: Run }> {
  const servers = Object.fromEntries(urls.map((url, i) => [`scale-${i}`, url]));
  return inContext(env, mcpServers(servers), async (context) => {
    const page = await openBenchPage(context, env.app);
    const expected = urls.length * toolsPerServer + builtinTools;
    const start = await bench(page, 'startHub', 'scale', expected, 30_000);
    if (start.tools < expected) throw new Error(`only ${start.tools} of ${expected} tools listed`);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    const { profile, result } = await profileSharedWorker(env.browser, HUB_SCRIPT, () =>
      bench(page, 'listAll', 'scale', lists),
    );
    const { profile: pageProfile } = await cdp.send('Profiler.stop');
    await cdp.detach();
    return { worker: profile, page: pageProfile as CpuProfile, run: result };
  });
}

/** The local stdio server of item 10 (plain JavaScript, run by the bench's own Node). */
const STDIO_FIXTURE = path.join(root, 'tests', 'fixtures', 'stdio-server.mjs');
/** Its name in nexus-bridge's allowlist, so its tools are `fixture__…` through the hub. */
const STDIO_NAME = 'fixture';

export interface LocalStdioResult {
  /** The echo calls of every round together: SDK Client in Node, StdioClientTransport. */
  direct: number[];
  /** The same calls from a page through the hub and nexus-bridge (a dashboard tab relaying). */
  bridge: number[];
  /** ms of each route's very first call (before the warm-up; not in the samples). */
  first: { direct: number; bridge: number };
  /** Fixture processes still running 10 s after both routes were closed (then killed). */
  outlived: number;
}

/** Node's own `sequential` (bench/page/bench-page.ts): `n` timed calls after `warmup`. */
async function sequentialInNode(
  n: number,
  warmup: number,
  call: () => Promise<unknown>,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await call();
  const samples = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    samples[i] = performance.now() - t;
  }
  return samples;
}

/**
 * Item 10: a local stdio server (tests/fixtures/stdio-server.mjs, its `echo`), called directly
 * from Node (the SDK `Client` with `StdioClientTransport` spawning it, as any desktop MCP client
 * would) and from a page through the whole bridge: page → hub SharedWorker → the dashboard tab
 * (the relay, holding its Web Lock) → the companion extension → Chrome native messaging →
 * nexus-bridge → the child. The bridge needs Chromium with the extension loaded, a persistent
 * context of its own (tests/support/bridge-browser.ts: the allowlist written and the host
 * installed by the real CLI, in temporary directories). Both routes in interleaved rounds; each
 * spawns its own child of the same script. Closing the browser ends nexus-bridge and its child;
 * a marker on both children's command lines shows that none outlives the row.
 */
export async function localStdio(
  env: Env,
  echo: Counts & { rounds: number },
): Promise<LocalStdioResult> {
  const marker = `nexus-bench-${randomUUID()}`;
  const entry = { command: process.execPath, args: [STDIO_FIXTURE, marker] };
  const args = { text: 'hello' };
  let direct: Client | undefined;
  let bridge: BridgeBrowser | undefined;
  try {
    env.app.defaults = undefined;
    bridge = await launchWithBridge({ [STDIO_NAME]: entry });
    // The bench page first: it writes the settings that allow everything before the hub starts.
    const page = await openBenchPage(bridge.context, env.app);
    // And it loads nexus-client.js now (its `connect` imports this same URL, then from the module
    // map): this context allows service workers (the extension needs its own), and the app's,
    // registered by the dashboard, claims this page when it activates; an import in flight then
    // fails ("Failed to fetch dynamically imported module").
    await page.evaluate(async (url) => {
      await import(/* @vite-ignore */ url);
    }, '/nexus-client.js');
    const dashboard = await bridge.context.newPage();
    await dashboard.goto(env.app.url);
    await dashboard
      .getByRole('region', { name: 'Local servers' })
      .getByRole('button', { name: `Add local server ${STDIO_NAME}` })
      .click({ timeout: 30_000 });
    await bench(page, 'connect', 'bridge', 'hub');
    const tool = `${STDIO_NAME}__echo`;
    await waitForTool(page, 'bridge', tool);

    const client = new Client({ name: 'bench-direct', version: '1.0.0' });
    direct = client;
    await client.connect(new StdioClientTransport({ ...entry, stderr: 'ignore' }));
    const callDirect = async () => {
      const result = await client.callTool({ name: 'echo', arguments: args });
      if (result.isError) throw new Error(`echo failed: ${JSON.stringify(result.content)}`);
    };

    const firstDirect = await sequentialInNode(1, 0, callDirect);
    const firstBridge = await bench(page, 'calls', 'bridge', tool, args, { n: 1, warmup: 0 });
    const result: LocalStdioResult = {
      direct: [],
      bridge: [],
      first: { direct: firstDirect[0]!, bridge: firstBridge.samples[0]! },
      outlived: 0,
    };
    for (let round = 0; round < echo.rounds; round++) {
      result.direct.push(...(await sequentialInNode(echo.n, echo.warmup, callDirect)));
      result.bridge.push(...(await bench(page, 'calls', 'bridge', tool, args, echo)).samples);
    }
    await closeLocalStdio(direct, bridge);
    direct = bridge = undefined;
    result.outlived = await outlivedBy(marker);
    return result;
  } finally {
    await closeLocalStdio(direct, bridge);
    if (direct || bridge) await outlivedBy(marker);
  }
}

async function closeLocalStdio(
  direct: Client | undefined,
  bridge: BridgeBrowser | undefined,
): Promise<void> {
  await direct?.close().catch(() => undefined);
  await bridge?.close().catch(() => undefined);
}

/**
 * How many processes with `marker` on their command line (the fixture's children) still run
 * 10 s from now at the latest; those are killed, by their pid.
 */
async function outlivedBy(marker: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const pids = await processesWith(marker);
    if (pids.length === 0) return 0;
    if (Date.now() > deadline) {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
      return pids.length;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
