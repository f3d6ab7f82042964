/**
 * The benchmark's client page: served on the Nexus app's origin by bench/app-server.ts, bundled
 * by bench/browser.ts (the SDK is bundled in, as any AI client page would), driven by bench/run.ts
 * through `window.bench`. Every figure is taken HERE, in the page, with `performance.now()`: the
 * page is cross-origin isolated (see app-server.ts), so the clock has 5 µs steps, not 100 µs.
 *
 * Each measuring function returns the per-call durations in ms (after `warmup` calls that are not
 * kept) and the wall time of the measured calls; bench/stats.ts turns them into the table.
 */
import {
  Client,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type JSONRPCMessage,
  type Transport,
} from '@modelcontextprotocol/client';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/client/validators/cf-worker';
import { openNexusDb } from '../../src/store/db.ts';
import { IdbGrantStore } from '../../src/store/grant-store.ts';
import { ALLOW_EVERYTHING } from '../../tests/support/allow-everything.ts';

interface NexusClientModule {
  connectHub(options: { name: string; version?: string; workerUrl?: string }): Promise<Transport>;
}

/** The hub worker with the allow-all test double (bench/page/allow-all-hub.ts). */
const ALLOW_ALL_HUB = '/bench/allow-all-hub.js';

export interface Run {
  /** Per-call durations (ms) of the measured calls, in the order they finished. */
  samples: number[];
  /** From the first measured call's start to the last one's end (ms). */
  wallMs: number;
}

/**
 * How a connection reaches the server: `hub` through nexus-client.js, `allow-all` the same way to
 * the allow-all hub worker, else the SDK over HTTP.
 */
export type Route = 'hub' | 'allow-all' | 'direct' | 'mcp-hub';

interface Connection {
  client: Client;
  transport: Transport;
  /** Raw JSON-RPC requests this page sent past the SDK client, waiting for their responses. */
  raw: Map<string, (message: JSONRPCMessage) => void>;
  rawSeq: number;
}

const connections = new Map<string, Connection>();
/** The floor's echo worker, started by the first `floor()` and kept for the page's life. */
let echoPort: MessagePort | undefined;

async function nexusClient(): Promise<NexusClientModule> {
  const url = '/nexus-client.js';
  return (await import(/* @vite-ignore */ url)) as NexusClientModule;
}

function connection(key: string): Connection {
  const found = connections.get(key);
  if (!found) throw new Error(`bench page: no connection '${key}'`);
  return found;
}

/** The same request and response shape the hub sees for a built-in `clock` call. */
function toolsCall(id: number) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'nexus__clock', arguments: {} },
  };
}
function toolsResult(id: unknown) {
  return {
    jsonrpc: '2.0',
    id,
    result: {
      content: [
        { type: 'text', text: '2026-01-01T00:00:00.000Z (local: 01/01/2026, 00:00:00 UTC)' },
      ],
    },
  };
}

/**
 * Keeps a connected client under `key`. Responses to the page's raw requests (string ids the SDK
 * never uses) skip the SDK client and go to `raw`.
 */
function keep(key: string, client: Client, transport: Transport): void {
  const raw = new Map<string, (message: JSONRPCMessage) => void>();
  const deliver = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const id = 'id' in message ? message.id : undefined;
    const waiting = typeof id === 'string' ? raw.get(id) : undefined;
    if (waiting) {
      raw.delete(id as string);
      waiting(message);
      return;
    }
    deliver?.(message, extra);
  };
  connections.set(key, { client, transport, raw, rawSeq: 0 });
}

/** Runs `call` `warmup + n` times one after another, timing the last `n`. */
async function sequential(n: number, warmup: number, call: () => Promise<unknown>): Promise<Run> {
  for (let i = 0; i < warmup; i++) await call();
  const samples = new Array<number>(n);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    samples[i] = performance.now() - t;
  }
  return { samples, wallMs: performance.now() - start };
}

/** Runs `total` calls keeping `inflight` of them in flight at all times. */
async function concurrent(
  total: number,
  inflight: number,
  warmup: number,
  call: () => Promise<unknown>,
): Promise<Run> {
  await Promise.all(Array.from({ length: Math.min(warmup, inflight) }, () => call()));
  const samples: number[] = [];
  let started = 0;
  const start = performance.now();
  const lane = async (): Promise<void> => {
    while (started < total) {
      started++;
      const t = performance.now();
      await call();
      samples.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: inflight }, lane));
  return { samples, wallMs: performance.now() - start };
}

/** `n` timed calls after `warmup`: one after another, or `inflight` at a time. */
function timedCalls(
  options: { n: number; warmup: number; inflight?: number },
  call: () => Promise<unknown>,
): Promise<Run> {
  const { n, warmup, inflight = 1 } = options;
  return inflight === 1 ? sequential(n, warmup, call) : concurrent(n, inflight, warmup, call);
}

const api = {
  crossOriginIsolated: () => self.crossOriginIsolated,

  /**
   * Item 1: page ↔ a bare echo SharedWorker, tools/call-shaped messages both ways; `inflight`
   * above 1 keeps that many requests outstanding (the ceiling for rows 2c/2d).
   */
  async floor(n: number, warmup: number, inflight = 1): Promise<Run> {
    if (!echoPort) {
      echoPort = new SharedWorker('/bench/echo-worker.js', { name: 'bench-echo' }).port;
      echoPort.start();
      // The worker answers each request with a result of the clock tool's shape.
      echoPort.postMessage({ type: 'bench/result-template', result: toolsResult(0).result });
    }
    const port = echoPort;
    let id = 0;
    const waiting = new Map<number, () => void>();
    port.onmessage = (event: MessageEvent<{ id: number }>) => {
      waiting.get(event.data.id)?.();
      waiting.delete(event.data.id);
    };
    const call = () =>
      new Promise<void>((done) => {
        const sent = ++id;
        waiting.set(sent, done);
        port.postMessage(toolsCall(sent));
      });
    return timedCalls({ n, warmup, inflight }, call);
  },

  /**
   * Item 7's baseline: how long Chromium takes to start a new, tiny module SharedWorker and get
   * its first answer (ms from `new SharedWorker` to the reply).
   */
  async emptyWorkerStart(): Promise<number> {
    const t0 = performance.now();
    const name = `bench-empty-${crypto.randomUUID()}`;
    const port = new SharedWorker('/bench/echo-worker.js', { type: 'module', name }).port;
    const answered = new Promise((resolve) => (port.onmessage = resolve));
    port.start();
    port.postMessage(toolsCall(0));
    await answered;
    const took = performance.now() - t0;
    port.close();
    return took;
  },

  /**
   * The person's settings allow every client and tool (tests/support/allow-everything.ts),
   * written to this context's database BEFORE its hub starts (the hub reads them once, at its
   * start): the benchmark's clients are neither held for approval nor asked.
   */
  async allowEverything(): Promise<void> {
    const db = await openNexusDb();
    try {
      await new IdbGrantStore(db).commit({ settings: ALLOW_EVERYTHING });
    } finally {
      db.close();
    }
  },

  /** Connects an SDK v2 client by `route`; `target` is the MCP URL for `direct` and `mcp-hub`. */
  async connect(key: string, route: Route, target?: string): Promise<void> {
    let transport: Transport;
    if (route === 'hub' || route === 'allow-all') {
      transport = await (
        await nexusClient()
      ).connectHub({
        name: key,
        version: '1.0.0',
        ...(route === 'allow-all' ? { workerUrl: ALLOW_ALL_HUB } : {}),
      });
    } else if (route === 'direct') {
      transport = new StreamableHTTPClientTransport(new URL(target!));
    } else {
      // mcp-hub's /mcp speaks the legacy HTTP+SSE transport only.
      transport = new SSEClientTransport(new URL(target!));
    }
    const client = new Client(
      { name: key, version: '1.0.0' },
      { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
    );
    await client.connect(transport);
    keep(key, client, transport);
  },

  async close(key: string): Promise<void> {
    await connections.get(key)?.client.close();
    connections.delete(key);
  },

  /** The names of every tool the connection lists (all pages). */
  async toolNames(key: string): Promise<string[]> {
    const { tools } = await connection(key).client.listTools(undefined, { cacheMode: 'bypass' });
    return tools.map((tool) => tool.name);
  },

  /** Sequential (`inflight` 1) or concurrent calls of `tool` through the SDK client. */
  async calls(
    key: string,
    tool: string,
    args: Record<string, unknown>,
    options: { n: number; warmup: number; inflight?: number },
  ): Promise<Run> {
    const { client } = connection(key);
    const call = async () => {
      const result = await client.callTool({ name: tool, arguments: args });
      if (result.isError) throw new Error(`${tool} failed: ${JSON.stringify(result.content)}`);
    };
    return timedCalls(options, call);
  },

  /**
   * The same calls as raw JSON-RPC on the connection's transport, past the page's SDK client, so
   * the figure is the hub's pipeline without the client library's own work.
   */
  async rawCalls(
    key: string,
    tool: string,
    args: Record<string, unknown>,
    options: { n: number; warmup: number; inflight?: number },
  ): Promise<Run> {
    const conn = connection(key);
    const call = () =>
      new Promise<void>((resolve, reject) => {
        const id = `raw-${++conn.rawSeq}`;
        conn.raw.set(id, (message) => {
          if ('error' in message) reject(new Error(JSON.stringify(message.error)));
          else resolve();
        });
        void conn.transport.send({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: tool, arguments: args },
        });
      });
    return timedCalls(options, call);
  },

  /** `tools/list` over every page, `n` times: durations, and how many tools the last one saw. */
  async listAll(key: string, n: number): Promise<Run & { tools: number }> {
    const { client } = connection(key);
    let tools = 0;
    const run = await sequential(n, 0, async () => {
      tools = (await client.listTools(undefined, { cacheMode: 'bypass' })).tools.length;
    });
    return { ...run, tools };
  },

  /**
   * The same walk as raw JSON-RPC on the connection's transport, past the page's SDK client (which
   * validates every tool of every page): the hub's share of `listAll`.
   */
  async rawListAll(key: string, n: number): Promise<Run & { tools: number }> {
    const conn = connection(key);
    const page = (cursor: string | undefined) =>
      new Promise<{ tools: unknown[]; nextCursor?: string }>((resolve, reject) => {
        const id = `raw-${++conn.rawSeq}`;
        conn.raw.set(id, (message) => {
          if ('result' in message)
            resolve(message.result as { tools: unknown[]; nextCursor?: string });
          else reject(new Error(JSON.stringify('error' in message ? message.error : message)));
        });
        void conn.transport.send({
          jsonrpc: '2.0',
          id,
          method: 'tools/list',
          params: cursor === undefined ? {} : { cursor },
        });
      });
    let tools = 0;
    const run = await sequential(n, 0, async () => {
      let cursor: string | undefined;
      tools = 0;
      do {
        const result = await page(cursor);
        tools += result.tools.length;
        cursor = result.nextCursor;
      } while (cursor !== undefined);
    });
    return { ...run, tools };
  },

  /**
   * Item 5 and 7: starts the hub (the first connectHub of this browser context spawns its
   * SharedWorker) and times each step until the client lists `expectTools` tools or more (every
   * server ready), polling every 20 ms for at most `timeoutMs`. Times are ms since the call.
   */
  async startHub(key: string, expectTools: number, timeoutMs: number) {
    const t0 = performance.now();
    const transport = await (await nexusClient()).connectHub({ name: key, version: '1.0.0' });
    const welcomed = performance.now() - t0;
    const client = new Client(
      { name: key, version: '1.0.0' },
      { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
    );
    await client.connect(transport);
    const initialized = performance.now() - t0;
    const first = await client.callTool({ name: 'nexus__clock', arguments: {} });
    if (first.isError) throw new Error('nexus__clock failed');
    const builtinCall = performance.now() - t0;
    let tools = 0;
    let lists = 0;
    for (;;) {
      tools = (await client.listTools(undefined, { cacheMode: 'bypass' })).tools.length;
      lists++;
      if (tools >= expectTools || performance.now() - t0 > timeoutMs) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const allListed = performance.now() - t0;
    keep(key, client, transport);
    // Epoch ms of t0, to line the hub worker's own marks up with this page's clock.
    const startedAt = performance.timeOrigin + t0;
    return { startedAt, welcomed, initialized, builtinCall, allListed, tools, lists };
  },
};

declare global {
  interface Window {
    bench: typeof api;
  }
}

window.bench = api;
document.title = 'bench ready';
