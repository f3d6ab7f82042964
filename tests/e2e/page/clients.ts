/**
 * A stand-in AI client page for the end-to-end tests: it loads `/nexus-client.js` exactly as an
 * embedder would and drives it with the v2 SDK Client and the v1 SDK Client. Bundled by the test
 * (see ../support.ts), served on the app's origin by a Playwright route, never shipped.
 *
 * Every call takes the client's name (from `connect`) and returns plain JSON, so a test can hand
 * it to `page.evaluate` and compare what comes back with what the server sends directly.
 */
import { Client as ClientV2, type LoggingLevel } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

import * as Comlink from 'comlink';
import fc from 'fast-check';
import { openHubPort } from '../../../src/client/hub-port.ts';
import type { AdminApi } from '../../../src/protocol/admin-api.ts';
import {
  framesArb,
  initializeRequest,
  runFuzz,
  type FuzzReport,
} from '../../support/hostile-frames.ts';

type AnyClient = ClientV2 | ClientV1;

interface NexusClientModule {
  connectHub(options: {
    name: string;
    version?: string;
    server?: string;
  }): Promise<Parameters<ClientV2['connect']>[0]>;
}

/** A notification the hub sent to one client, in arrival order. */
export interface ReceivedNotification {
  method: string;
  params?: Record<string, unknown>;
}

export interface ProgressReport {
  progress: number;
  total?: number;
  message?: string;
}

/**
 * What a client can answer when a server asks (through the hub) during one of its calls. Each
 * present key declares that capability and installs a handler that always gives this answer.
 */
export interface Answers {
  /** Accepts every form elicitation with this content. */
  elicitation?: Record<string, string | number | boolean | string[]>;
  /** Answers every sampling request with this text, as the assistant of model `e2e-model`. */
  sampling?: string;
  /** The client's roots. */
  roots?: Array<{ uri: string; name?: string }>;
}

export interface ConnectOptions {
  answers?: Answers;
  /**
   * v2 SDK only: `{ mode: 'auto' }` makes the client open with `server/discover`, so it speaks
   * the stateless 2026-07-28 revision to the hub.
   */
  versionNegotiation?: { mode: 'auto' };
  /** Scope the session to the server with this slug (`connectHub({ server })`). */
  server?: string;
}

/** Every server→client request this page's clients answered, by client name, in order. */
const asked = new Map<string, string[]>();

const clients = new Map<string, AnyClient>();
const received = new Map<string, ReceivedNotification[]>();

async function nexusClient(): Promise<NexusClientModule> {
  const url = '/nexus-client.js';
  return (await import(/* @vite-ignore */ url)) as NexusClientModule;
}

/** The v2 surface; the v1 Client has the same methods with the same shapes where used here. */
function client(name: string): ClientV2 {
  const found = clients.get(name);
  if (!found) throw new Error(`No client named '${name}' is connected in this page.`);
  return found as ClientV2;
}

// The page's SDK client keeps a response cache for lists and reads: every call here goes to the
// hub, so a test sees what the hub answers now.
const fresh = { cacheMode: 'bypass' } as const;

let adminApi: Promise<Comlink.Remote<AdminApi>> | undefined;

/** The hub's admin API as the dashboard reaches it (same origin, an admin port), opened once. */
function admin(): Promise<Comlink.Remote<AdminApi>> {
  adminApi ??= openHubPort({ role: 'admin', clientName: 'e2e admin', clientVersion: '1.0.0' }).then(
    ({ port }) => Comlink.wrap<AdminApi>(port),
  );
  return adminApi;
}

const api = {
  /**
   * Calls one admin API method as the dashboard would: a test that is not about consent makes
   * the person's decisions up front this way (../support.ts, `openClientPage`).
   */
  async admin<K extends keyof AdminApi>(
    method: K,
    ...args: Parameters<AdminApi[K]>
  ): Promise<Awaited<ReturnType<AdminApi[K]>>> {
    const remote = (await admin()) as unknown as Record<K, (...all: unknown[]) => unknown>;
    return (await remote[method](...args)) as Awaited<ReturnType<AdminApi[K]>>;
  },
  /** Connects a client named `name` with SDK `sdk`; returns its key for later calls. */
  async connect(sdk: 'v1' | 'v2', name: string, options: ConnectOptions = {}): Promise<string> {
    const { connectHub } = await nexusClient();
    const transport = await connectHub({
      name,
      version: '1.0.0',
      ...(options.server === undefined ? {} : { server: options.server }),
    });
    const { answers = {} } = options;
    const capabilities = {
      ...(answers.elicitation ? { elicitation: { form: {} } } : {}),
      ...(answers.sampling !== undefined ? { sampling: {} } : {}),
      ...(answers.roots ? { roots: {} } : {}),
    };
    const questions: string[] = [];
    asked.set(name, questions);
    const elicit = () => {
      questions.push('elicitation/create');
      return { action: 'accept' as const, content: answers.elicitation! };
    };
    const sample = () => {
      questions.push('sampling/createMessage');
      return {
        role: 'assistant' as const,
        model: 'e2e-model',
        content: { type: 'text' as const, text: answers.sampling! },
      };
    };
    const listRoots = () => {
      questions.push('roots/list');
      return { roots: answers.roots! };
    };
    let connected: AnyClient;
    if (sdk === 'v2') {
      const v2 = new ClientV2(
        { name, version: '1.0.0' },
        {
          capabilities,
          ...(options.versionNegotiation ? { versionNegotiation: options.versionNegotiation } : {}),
        },
      );
      if (answers.elicitation) v2.setRequestHandler('elicitation/create', elicit);
      if (answers.sampling !== undefined) v2.setRequestHandler('sampling/createMessage', sample);
      if (answers.roots) v2.setRequestHandler('roots/list', listRoots);
      connected = v2;
    } else {
      const v1 = new ClientV1({ name, version: '1.0.0' }, { capabilities });
      if (answers.elicitation) v1.setRequestHandler(ElicitRequestSchema, elicit);
      if (answers.sampling !== undefined) v1.setRequestHandler(CreateMessageRequestSchema, sample);
      if (answers.roots) v1.setRequestHandler(ListRootsRequestSchema, listRoots);
      connected = v1;
    }
    await (connected as ClientV2).connect(transport);
    // Record every notification after the SDK's own handling is installed: a wrapper around the
    // transport's callback sees them all, whatever the SDK does or does not handle.
    const log: ReceivedNotification[] = [];
    const deliver = transport.onmessage;
    transport.onmessage = (message, extra) => {
      if ('method' in message && !('id' in message)) {
        log.push({ method: message.method, params: message.params as Record<string, unknown> });
      }
      deliver?.(message, extra);
    };
    clients.set(name, connected);
    received.set(name, log);
    return name;
  },
  async toolNames(name: string): Promise<string[]> {
    const { tools } = await client(name).listTools();
    return tools.map((tool) => tool.name);
  },
  async callText(name: string, tool: string, args: Record<string, unknown>): Promise<string> {
    const result = await client(name).callTool({ name: tool, arguments: args });
    const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
    return content
      .map((block) => (block.type === 'text' ? block.text : `[${block.type}]`))
      .join('\n');
  },
  listTools: async (name: string) => (await client(name).listTools(undefined, fresh)).tools,
  callTool: (name: string, tool: string, args: Record<string, unknown>) =>
    client(name).callTool({ name: tool, arguments: args }),
  /** Calls a tool with a progress callback; returns the result and every report, in order. */
  async callToolWithProgress(name: string, tool: string, args: Record<string, unknown>) {
    const progress: ProgressReport[] = [];
    const result = await client(name).callTool(
      { name: tool, arguments: args },
      { onprogress: (report) => progress.push({ ...report }) },
    );
    return { result, progress };
  },
  listPrompts: async (name: string) => (await client(name).listPrompts(undefined, fresh)).prompts,
  getPrompt: (name: string, prompt: string, args?: Record<string, string>) =>
    client(name).getPrompt({ name: prompt, ...(args ? { arguments: args } : {}) }),
  listResources: async (name: string) =>
    (await client(name).listResources(undefined, fresh)).resources,
  listResourceTemplates: async (name: string) =>
    (await client(name).listResourceTemplates(undefined, fresh)).resourceTemplates,
  readResource: (name: string, uri: string) => client(name).readResource({ uri }, fresh),
  complete: (name: string, params: Parameters<ClientV2['complete']>[0]) =>
    client(name).complete(params),
  setLoggingLevel: async (name: string, level: LoggingLevel): Promise<void> => {
    await client(name).setLoggingLevel(level);
  },
  subscribe: async (name: string, uri: string): Promise<void> => {
    await client(name).subscribeResource({ uri });
  },
  unsubscribe: async (name: string, uri: string): Promise<void> => {
    await client(name).unsubscribeResource({ uri });
  },
  /** The protocol revision a v2 client and the hub agreed on (the v1 SDK does not say). */
  protocolVersion(name: string): string | undefined {
    const found = clients.get(name);
    return found instanceof ClientV2 ? found.getNegotiatedProtocolVersion() : undefined;
  },
  /** The methods of every server→client request this client answered so far, in order. */
  asked: (name: string): string[] => [...(asked.get(name) ?? [])],
  /** Every notification this client has received so far (optionally only one method). */
  notifications(name: string, method?: string): ReceivedNotification[] {
    const log = received.get(name) ?? [];
    return method === undefined ? [...log] : log.filter((entry) => entry.method === method);
  },
  /**
   * Opens a raw session with the hub (no SDK: the frames are posted as they are) and runs `count`
   * seeded hostile frames through it (tests/support/hostile-frames.ts); returns the report.
   */
  async fuzz(seed: number, count: number): Promise<FuzzReport> {
    const { port } = await openHubPort({
      role: 'client',
      clientName: 'fuzz',
      clientVersion: '1.0.0',
    });
    const frames = fc.sample(framesArb(count), { seed, numRuns: 1 })[0]!;
    return runFuzz(port, frames);
  },
  /**
   * Opens a raw session and posts `count` pings, each a text frame of about `bytes` bytes (a pad
   * in its params); resolves with how many were answered.
   */
  async hugeFrames(count: number, bytes: number): Promise<number> {
    const { port } = await openHubPort({ role: 'client', clientName: 'huge', clientVersion: '1' });
    const answered = new Set<unknown>();
    let wake = (): void => {};
    port.addEventListener('message', (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      const data: unknown = JSON.parse(event.data);
      for (const message of Array.isArray(data) ? data : [data]) {
        if ('result' in message || 'error' in message) answered.add(message.id);
      }
      wake();
    });
    const until = (id: unknown) =>
      new Promise<void>((resolve) => {
        wake = () => answered.has(id) && resolve();
        wake();
      });
    port.postMessage(JSON.stringify(initializeRequest('init', 'huge')));
    await until('init');
    port.postMessage(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    const pad = 'x'.repeat(bytes);
    for (let id = 1; id <= count; id++) {
      port.postMessage(`{"jsonrpc":"2.0","id":${id},"method":"ping","params":{"pad":"${pad}"}}`);
      await until(id);
    }
    return answered.size - 1;
  },
  async close(name: string): Promise<void> {
    await clients.get(name)?.close();
    clients.delete(name);
  },
};

declare global {
  interface Window {
    nexusTest: typeof api;
  }
}

window.nexusTest = api;
document.title = 'e2e client ready';
