/**
 * The benchmark's table: one row per figure, from what bench/scenarios.ts measured in this run,
 * each with the issue's target (where it has one) and where the figure stands against it.
 */
import type { Run } from './page/bench-page.ts';
import type {
  DashboardStart,
  HubStart,
  LocalStdioResult,
  PipelineResult,
  PipelineRounds,
  RemoteResult,
  RemoteRoute,
  ScaleResult,
} from './scenarios.ts';
import { DEFAULT_PAGE_SIZE } from '../src/hub/router/pagination.ts';
import type { bundleSizes } from './sizes.ts';
import { ms, rate, ratio, signedMs, summarize, verdict, type Row, type Summary } from './stats.ts';

export interface Measured {
  mode: 'quick' | 'full';
  sizes: ReturnType<typeof bundleSizes>;
  chromium: string;
  /** Why mcp-hub was not measured, when it was not. */
  mcpHubMissing?: string;
  mcpHubVersion?: string;
  pipeline: PipelineRounds;
  remote: RemoteResult;
  scale: ScaleResult;
  hubStart: HubStart;
  dashboard: DashboardStart;
  localStdio?: LocalStdioResult;
  /** Why the local stdio rows were not measured, when they were not. */
  localStdioMissing?: string;
}

const KIB = 1024;
const MB = 1_000_000;

function timed(id: string, what: string, summary: Summary, extra: Partial<Row> = {}): Row {
  return {
    id,
    what,
    n: summary.n,
    median: summary.median,
    p95: summary.p95,
    p99: summary.p99,
    ...extra,
  };
}

function perSecond(run: Run): number {
  return (run.samples.length / run.wallMs) * 1000;
}

const ROUTE_NAMES: Record<RemoteRoute, string> = {
  direct: 'direct (SDK Client, Streamable HTTP, from the page)',
  hub: 'through the hub (nexus-client.js)',
  'mcp-hub': 'through mcp-hub (SDK Client, HTTP+SSE)',
};

function pipelineRows(
  prefix: string,
  label: string,
  result: PipelineResult,
  floor: Summary,
  floor32: Run,
): Row[] {
  const sdk = summarize(result.sdk.samples);
  const raw = summarize(result.raw.samples);
  const sdk32 = summarize(result.sdk32.samples);
  const raw32 = summarize(result.raw32.samples);
  const sdkRatio = sdk.median / floor.median;
  const rawRatio = raw.median / floor.median;
  return [
    timed(
      `${prefix}a`,
      `${label}: built-in \`nexus__clock\`, sequential, SDK Client in the page`,
      sdk,
      {
        result: `${rate(perSecond(result.sdk))}; median ${ratio(sdkRatio)} floor`,
        target: '≤ 3× floor',
        verdict: verdict(sdkRatio, 3),
      },
    ),
    timed(
      `${prefix}b`,
      `${label}: same calls as raw JSON-RPC on the hub port (no SDK in the page)`,
      raw,
      {
        result: `${rate(perSecond(result.raw))}; median ${ratio(rawRatio)} floor`,
        target: '≤ 3× floor',
        verdict: verdict(rawRatio, 3),
      },
    ),
    timed(`${prefix}c`, `${label}: 32 calls in flight, SDK Client (per-call latency)`, sdk32, {
      result: `${rate(perSecond(result.sdk32))}; ${ratio(perSecond(result.sdk32) / perSecond(floor32))} the floor's (row 1b)`,
      target: '≥ 20,000 calls/s',
      verdict: verdict(perSecond(result.sdk32), 20_000, '>='),
    }),
    timed(`${prefix}d`, `${label}: 32 calls in flight, raw JSON-RPC (per-call latency)`, raw32, {
      result: `${rate(perSecond(result.raw32))}; ${ratio(perSecond(result.raw32) / perSecond(floor32))} the floor's (row 1b)`,
      target: '≥ 20,000 calls/s',
      verdict: verdict(perSecond(result.raw32), 20_000, '>='),
    }),
  ];
}

function remoteRows(measured: Measured): Row[] {
  const { echo } = measured.remote;
  const direct = echo.direct && summarize(echo.direct);
  const hub = echo.hub && summarize(echo.hub);
  const mcpHub = echo['mcp-hub'] && summarize(echo['mcp-hub']);
  const rows: Row[] = [];
  if (direct) rows.push(timed('3a', `Remote \`echo\`, ${ROUTE_NAMES.direct}`, direct));
  if (hub) rows.push(timed('3b', `Remote \`echo\`, ${ROUTE_NAMES.hub}`, hub));
  const hubAdded =
    direct && hub ? { median: hub.median - direct.median, p99: hub.p99 - direct.p99 } : undefined;
  rows.push({
    id: '3c',
    what: 'Added latency of the hub (hub − direct)',
    ...(hubAdded ? { median: hubAdded.median, p99: hubAdded.p99 } : {}),
    result: hubAdded
      ? `${signedMs(hubAdded.median)} ms median, ${signedMs(hubAdded.p99)} ms p99`
      : '',
    target: '≤ 0.3 ms at the median',
    verdict: verdict(hubAdded?.median, 0.3),
  });
  const version = measured.mcpHubVersion ? ` ${measured.mcpHubVersion}` : '';
  if (mcpHub && direct && hubAdded) {
    const added = { median: mcpHub.median - direct.median, p99: mcpHub.p99 - direct.p99 };
    rows.push(
      timed(
        '4a',
        `Remote \`echo\`, ${ROUTE_NAMES['mcp-hub'].replace('mcp-hub', `mcp-hub${version}`)}`,
        mcpHub,
      ),
    );
    rows.push({
      id: '4b',
      what: 'Added latency of mcp-hub (mcp-hub − direct)',
      median: added.median,
      p99: added.p99,
      result: `${signedMs(added.median)} ms median, ${signedMs(added.p99)} ms p99`,
    });
    const below = hubAdded.median < added.median && hubAdded.p99 < added.p99;
    rows.push({
      id: '4c',
      what: "The hub's added latency vs mcp-hub's (median and p99)",
      result: `hub ${signedMs(hubAdded.median)} / ${signedMs(hubAdded.p99)} ms vs mcp-hub ${signedMs(added.median)} / ${signedMs(added.p99)} ms`,
      target: "below mcp-hub's",
      verdict: below ? 'meets' : 'misses',
    });
  } else {
    rows.push({
      id: '4',
      what: 'Remote `echo` through mcp-hub',
      result: `not measured: ${measured.mcpHubMissing ?? 'no samples'}`,
      target: "hub's added latency below mcp-hub's",
      verdict: 'n/a',
    });
  }
  return rows;
}

function scaleRows(measured: Measured): Row[] {
  const { scale } = measured;
  const full = scale.servers === 50 && scale.toolsPerServer === 100;
  const size = `${scale.servers} servers × ${scale.toolsPerServer} tools`;
  const judge = (value: number, limit: number) => (full ? verdict(value, limit) : 'n/a');
  const justStarted = summarize(scale.justStarted.samples);
  const settled = summarize(scale.settled.samples);
  const settledRaw = summarize(scale.settledRaw.samples);
  const pages = Math.ceil(scale.settled.tools / DEFAULT_PAGE_SIZE);
  const heapMb = scale.heap.usedBytes / MB;
  const baseMb = measured.pipeline.heap.usedBytes / MB;
  return [
    {
      id: '5a',
      what: `${size}: hub start (connectHub) → every tool listed by a client`,
      n: 1,
      median: scale.start.allListed,
      result: `${scale.start.tools} tools; connectHub answered at ${ms(scale.start.welcomed)} ms; ${scale.start.lists} list walks`,
      target: full ? '≤ 2,000 ms' : '(judged at 50 × 100)',
      verdict: judge(scale.start.allListed, 2_000),
    },
    timed(
      '5b',
      `${size}: aggregated \`tools/list\` (all ${pages} pages) at once after 5a (a first run: the hub is still saving the new tool names to IndexedDB)`,
      justStarted,
      {
        result: `${scale.justStarted.tools} tools`,
        target: full ? '≤ 50 ms' : '(judged at 50 × 100)',
        verdict: judge(justStarted.median, 50),
      },
    ),
    timed(
      '5c',
      `${size}: aggregated \`tools/list\` (all ${pages} pages), ${scale.settleMs / 1000} s later`,
      settled,
      {
        result: `${scale.settled.tools} tools`,
        target: full ? '≤ 50 ms' : '(judged at 50 × 100)',
        verdict: judge(settled.median, 50),
      },
    ),
    {
      id: '5d',
      what: `${size}: hub worker JS heap after GC (CDP Runtime.getHeapUsage)`,
      result: `${heapMb.toFixed(1)} MB used of ${(scale.heap.totalBytes / MB).toFixed(1)} MB; built-in server only: ${baseMb.toFixed(1)} MB`,
      target: full ? '≤ 40 MB' : '(judged at 50 × 100)',
      verdict: judge(heapMb, 40),
    },
    timed(
      '5e',
      `${size}: the walk of 5c as raw JSON-RPC on the hub port (no SDK in the page validating each page)`,
      settledRaw,
      {
        result: `${scale.settledRaw.tools} tools; ${ratio(settledRaw.median / settled.median)} row 5c`,
        target: full ? '≤ 50 ms' : '(judged at 50 × 100)',
        verdict: judge(settledRaw.median, 50),
      },
    ),
  ];
}

function payloadRows(measured: Measured): Row[] {
  const rows: Row[] = [];
  let letter = 0;
  for (const [bytesText, byRoute] of Object.entries(measured.remote.payload)) {
    const bytes = Number(bytesText);
    const label = `${bytes / MB} MB result`;
    const direct = byRoute.direct && summarize(byRoute.direct);
    for (const route of ['direct', 'hub', 'mcp-hub'] as const) {
      const samples = byRoute[route];
      if (!samples) continue;
      const summary = summarize(samples);
      const versus = direct && route !== 'direct' ? summary.median / direct.median : undefined;
      const judged = route === 'hub' && bytes === 10 * MB;
      rows.push(
        timed(
          `6${String.fromCharCode(97 + letter++)}`,
          `${label}, ${ROUTE_NAMES[route]}`,
          summary,
          {
            result: versus === undefined ? '' : `median ${ratio(versus)} direct`,
            ...(judged ? { target: '≤ 1.5× direct', verdict: verdict(versus, 1.5) } : {}),
          },
        ),
      );
    }
  }
  return rows;
}

function startRows(measured: Measured): Row[] {
  const { hubStart, dashboard, sizes } = measured;
  const first = summarize(hubStart.firstRun.map((run) => run.builtinCall));
  const again = summarize(hubStart.restart.map((run) => run.builtinCall));
  const empty = ms(summarize(hubStart.emptyWorker).median);
  // Medians, ms after connectHub(): the worker's own milestones, then the page's welcome.
  const welcome = (runs: HubStart['firstRun']) => {
    const at = (pick: (run: HubStart['firstRun'][number]) => number | undefined) =>
      ms(summarize(runs.map(pick).filter((value) => value !== undefined)).median);
    const steps = [
      `worker running at ${at((run) => run.milestones['worker-started'])}`,
      `its modules evaluated at ${at((run) => run.milestones['modules-evaluated'])}`,
      `IndexedDB open at ${at((run) => run.milestones['database-open'])}`,
      `hub created at ${at((run) => run.milestones['hub-created'])}`,
      `page welcomed at ${at((run) => run.welcomed)} ms`,
    ];
    return `${steps.join(', ')} (medians; a new empty module SharedWorker answers in ${empty} ms)`;
  };
  const kib = (bytes: number) => `${(bytes / KIB).toFixed(1)} KiB`;
  const servers = 'the dashboard shows the 10 servers and the built-in one ready';
  return [
    timed('7a', `Dashboard, first visit: navigation → ${servers}`, summarize(dashboard.cold)),
    timed(
      '7b',
      `Dashboard, again (hub restarted, assets from the service worker): navigation → ${servers}`,
      summarize(dashboard.warm),
    ),
    timed(
      '7c',
      'Hub start, first run (empty IndexedDB): connectHub() → first built-in call answered',
      first,
      {
        result: welcome(hubStart.firstRun),
        target: '≤ 100 ms',
        verdict: verdict(first.median, 100),
      },
    ),
    timed(
      '7d',
      'Hub start, restart (registry read back): connectHub() → first built-in call answered',
      again,
      {
        result: welcome(hubStart.restart),
        target: '≤ 100 ms',
        verdict: verdict(again.median, 100),
      },
    ),
    {
      id: '7e',
      what: `UI initial JS, gzipped (${sizes.ui.files.join(', ')})`,
      result: kib(sizes.ui.gzipBytes),
      target: '≤ 90 KiB',
      verdict: verdict(sizes.ui.gzipBytes / KIB, 90),
    },
    {
      id: '7f',
      what:
        `Hub worker, what a start loads, gzipped (${sizes.worker.files.join(', ')}); ` +
        `${kib(sizes.workerOnDemand.gzipBytes)} more loaded on demand ` +
        `(${sizes.workerOnDemand.files.join(', ') || 'none'})`,
      result: kib(sizes.worker.gzipBytes),
      target: '≤ 120 KiB',
      verdict: verdict(sizes.worker.gzipBytes / KIB, 120),
    },
    {
      id: '7g',
      what: '`nexus-client.js`, gzipped',
      result: kib(sizes.client.gzipBytes),
      target: '≤ 5 KiB',
      verdict: verdict(sizes.client.gzipBytes / KIB, 5),
    },
  ];
}

function inspectorRows(measured: Measured, floor: Summary): Row[] {
  const { hub: base, inspector: on, recorded, floor32 } = measured.pipeline;
  const rows = pipelineRows('8', 'Inspector recording', on, floor, floor32);
  const versus = (a: Run, b: Run) => summarize(a.samples).median / summarize(b.samples).median;
  const notes = [
    `median ${ratio(versus(on.sdk, base.sdk))} row 2a`,
    `median ${ratio(versus(on.raw, base.raw))} row 2b`,
    `${ratio(perSecond(on.sdk32) / perSecond(base.sdk32))} the throughput of row 2c`,
    `${ratio(perSecond(on.raw32) / perSecond(base.raw32))} the throughput of row 2d`,
  ];
  rows.forEach((row, i) => {
    row.result = `${row.result}; ${notes[i]}`;
  });
  rows.push({
    id: '8e',
    what: 'Inspector check: tools/call rows its list counted (aria-rowcount) after the last round',
    result: `${recorded} rows (it keeps the last 500 messages; a request and its answer are one row)`,
  });
  return rows;
}

/**
 * Item 9: the same calls through the hub worker built with the allow-all test double, and what
 * the person's consent (rows 2a–2d: every client and tool allowed by the settings) costs per
 * call beside it. The issue's bound: consent at most 5 % slower.
 */
function consentRows(measured: Measured, floor: Summary): Row[] {
  const { hub: consent, allowAll, floor32 } = measured.pipeline;
  const rows = pipelineRows(
    '9',
    'Allow-all test double instead of consent',
    allowAll,
    floor,
    floor32,
  );
  const median = (run: Run) => summarize(run.samples).median;
  const costs = [
    { row: '2a', cost: median(consent.sdk) / median(allowAll.sdk) },
    { row: '2b', cost: median(consent.raw) / median(allowAll.raw) },
    // With 32 in flight the per-call cost is the inverse of throughput.
    { row: '2c', cost: perSecond(allowAll.sdk32) / perSecond(consent.sdk32) },
    { row: '2d', cost: perSecond(allowAll.raw32) / perSecond(consent.raw32) },
  ];
  rows.forEach((row, i) => {
    const { row: other, cost } = costs[i]!;
    row.result = `${row.result}; row ${other} (consent) takes ${ratio(cost)} this per call`;
    row.target = `row ${other} ≤ 1.05× this`;
    row.verdict = verdict(cost, 1.05);
  });
  return rows;
}

/**
 * Item 10: a local stdio server's `echo` called directly from Node over stdio and from a page
 * through the hub and nexus-bridge, in the same rounds; 10c is what the bridge adds.
 */
function localStdioRows(measured: Measured): Row[] {
  const { localStdio } = measured;
  if (!localStdio) {
    return [
      {
        id: '10',
        what: 'Local stdio `echo` through nexus-bridge',
        result: `not measured: ${measured.localStdioMissing ?? 'no samples'}`,
        verdict: 'n/a',
      },
    ];
  }
  const direct = summarize(localStdio.direct);
  const bridge = summarize(localStdio.bridge);
  const added = { median: bridge.median - direct.median, p99: bridge.p99 - direct.p99 };
  const outlived = localStdio.outlived
    ? `; ${localStdio.outlived} fixture processes outlived the browser (killed)`
    : '';
  return [
    timed(
      '10a',
      'Local stdio `echo` (tests/fixtures/stdio-server.mjs), directly: SDK Client with StdioClientTransport in Node',
      direct,
      { result: `first call ${ms(localStdio.first.direct)} ms` },
    ),
    timed(
      '10b',
      'Local stdio `echo` from the page through the hub and nexus-bridge (dashboard tab relaying, extension, native messaging)',
      bridge,
      {
        result: `first call ${ms(localStdio.first.bridge)} ms; median ${ratio(bridge.median / direct.median)} direct${outlived}`,
      },
    ),
    {
      id: '10c',
      what: 'Added latency of the hub and nexus-bridge (bridge − direct)',
      median: added.median,
      p99: added.p99,
      result: `${signedMs(added.median)} ms median, ${signedMs(added.p99)} ms p99`,
    },
  ];
}

export function buildRows(measured: Measured): Row[] {
  const floor = summarize(measured.pipeline.floor.samples);
  return [
    timed(
      '1',
      'Floor: postMessage round trip page ↔ bare echo SharedWorker (tools/call-shaped)',
      floor,
      {
        result: rate(perSecond(measured.pipeline.floor)),
      },
    ),
    timed(
      '1b',
      'Floor: 32 round trips in flight (per-call latency)',
      summarize(measured.pipeline.floor32.samples),
      { result: rate(perSecond(measured.pipeline.floor32)) },
    ),
    ...pipelineRows('2', 'Hub', measured.pipeline.hub, floor, measured.pipeline.floor32),
    ...remoteRows(measured),
    ...scaleRows(measured),
    ...payloadRows(measured),
    ...startRows(measured),
    ...inspectorRows(measured, floor),
    ...consentRows(measured, floor),
    ...localStdioRows(measured),
  ];
}
