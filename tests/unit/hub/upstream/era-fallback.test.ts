/**
 * Imperfect servers never stall the hub (issue 13, items 1–3): a server whose 2026-07-28 path is
 * broken in one way, and whose 2025 path works, reaches `ready` within its connect timeout, says
 * why in its status, and serves a client's calls; one that pins 2026-07-28 shows `error` instead.
 * Real HTTP servers on 127.0.0.1 (tests/fixtures/imperfect-server.ts), the hub core in Node.
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { allowAllPolicy, createHub, type Hub } from '../../../../src/hub/index.ts';
import type { ServerEra, ServerView } from '../../../../src/protocol/views.ts';
import { MISSING_RESULT_TYPE } from '../../../../src/hub/upstream/tolerance.ts';
import {
  GREETING_URI,
  startImperfectServer,
  type Flaw,
  type ImperfectServer,
} from '../../../fixtures/imperfect-server.ts';
import { until } from '../../../support/until.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Short enough that a test sees the whole bound; the first era gets half of it. */
const CONNECT_TIMEOUT_MS = 3_000;

async function imperfect(flaw: Flaw): Promise<ImperfectServer> {
  const server = await startImperfectServer(flaw);
  cleanups.push(() => server.stop());
  return server;
}

async function hubWith(): Promise<Hub> {
  const hub = await createHub({
    policy: allowAllPolicy,
    backoff: { baseMs: 100, maxMs: 400 },
    startupGraceMs: 0,
  });
  cleanups.push(() => hub.close());
  return hub;
}

function add(hub: Hub, server: ImperfectServer, era: ServerEra = 'auto') {
  return hub.admin.addServer({
    name: 'imperfect',
    slug: 'imperfect',
    url: server.url,
    transport: 'auto',
    era,
    headers: [],
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
  });
}

/** The server's view once its first connection attempt has an outcome (ready or error). */
async function settled(hub: Hub): Promise<ServerView> {
  let view: ServerView | undefined;
  await until(
    () => {
      view = hub.admin.listServers().find((server) => server.slug === 'imperfect');
      return view !== undefined && view.status.state !== 'connecting';
    },
    'the server to settle',
    CONNECT_TIMEOUT_MS + 2_000,
  );
  return view!;
}

async function client(hub: Hub): Promise<Client> {
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, {
    origin: 'http://127.0.0.1',
    clientName: 'era-test',
    sessionId: crypto.randomUUID(),
  });
  const connected = new Client({ name: 'era-test', version: '1.0.0' });
  await connected.connect(clientSide);
  cleanups.push(() => connected.close());
  return connected;
}

/** What a client does with the server: a tool, a completion, a log level, a subscription. */
async function useEverything(hub: Hub): Promise<void> {
  const connected = await client(hub);
  const echoed = await connected.callTool({
    name: 'imperfect__echo',
    arguments: { message: 'hi' },
  });
  expect(echoed.content).toEqual([{ type: 'text', text: 'hi' }]);
  const completed = await connected.complete({
    ref: { type: 'ref/prompt', name: 'imperfect__greet' },
    argument: { name: 'name', value: 'A' },
  });
  expect(completed.completion.values).toEqual(['Ada', 'Alan']);
  await connected.setLoggingLevel('info');
  await connected.subscribeResource({ uri: GREETING_URI });
}

const status = (view: ServerView) => JSON.stringify(view.status);

describe('a server whose 2026-07-28 path is broken, and whose 2025 path works', () => {
  const cases: Array<[Flaw, string, RegExp]> = [
    [
      'listen-json-lines',
      'its listen stream is JSON lines under application/json',
      /2026-07-28 failed: no answer to subscriptions\/listen within 1\.5 s; using 2025-11-25/,
    ],
    [
      'listen-500',
      'its listen stream answers 500',
      /2026-07-28 failed: subscriptions\/listen: HTTP 500.*; using 2025-11-25/,
    ],
    [
      'discover-under-declares',
      'its discover declares less than it serves',
      /2026-07-28 failed: server\/discover: it declares less than initialize does \(no logging, completions, resources\.subscribe\); using 2025-11-25/,
    ],
    [
      'discover-silent',
      'its discover never answers',
      /2026-07-28 failed: no answer to server\/discover within 1\.5 s; using 2025-11-25/,
    ],
  ];
  for (const [flaw, what, reason] of cases) {
    it(`reaches ready on 2025-11-25 when ${what}, says why, and serves calls`, async () => {
      const server = await imperfect(flaw);
      const hub = await hubWith();
      const added = await add(hub, server);
      const view = await settled(hub);
      expect(view.status.state, status(view)).toBe('ready');
      expect(view.protocolVersion).toBe('2025-11-25');
      expect(view.status.state === 'ready' && view.status.warnings?.[0]).toMatch(reason);
      // Within the connect timeout, both eras' tries together.
      expect(view.since - added.since).toBeLessThanOrEqual(CONNECT_TIMEOUT_MS);
      await useEverything(hub);
      expect(server.received.legacy).toEqual(
        expect.arrayContaining(['completion/complete', 'logging/setLevel', 'resources/subscribe']),
      );
    });

    it(`shows error with the reason when it pins 2026-07-28 and ${what}`, async () => {
      const server = await imperfect(flaw);
      const hub = await hubWith();
      await add(hub, server, '2026-07-28');
      const view = await settled(hub);
      if (flaw === 'discover-under-declares') {
        // Pinned, nothing is compared: the server is taken at its 2026-07-28 word.
        expect(view.status.state, status(view)).toBe('ready');
        expect(view.protocolVersion).toBe('2026-07-28');
        return;
      }
      expect(view.status.state, status(view)).toBe('error');
      expect(view.status.state === 'error' && view.status.reason).toMatch(
        /^2026-07-28 \(pinned\) failed: /,
      );
      expect(server.received.legacy).toEqual([]);
    });
  }

  it('takes 2026-07-28 results without resultType as complete, and says so', async () => {
    const server = await imperfect('no-result-type');
    const hub = await hubWith();
    hub.recorder.inspector.watch();
    await add(hub, server);
    const view = await settled(hub);
    expect(view.status.state, status(view)).toBe('ready');
    expect(view.protocolVersion).toBe('2026-07-28');
    expect(view.status.state === 'ready' && view.status.warnings).toContain(
      'its 2026-07-28 results lack resultType; Nexus takes them as complete',
    );
    const connected = await client(hub);
    const echoed = await connected.callTool({
      name: 'imperfect__echo',
      arguments: { message: 'hi' },
    });
    expect(echoed.content).toEqual([{ type: 'text', text: 'hi' }]);
    const noted = hub.admin
      .traffic(0)
      .filter((entry) => entry.side === 'server' && entry.note === MISSING_RESULT_TYPE);
    expect(noted.map((entry) => entry.method)).toEqual(
      expect.arrayContaining(['server/discover', 'tools/list', 'tools/call']),
    );
    expect(server.received.legacy).toEqual([]);
  });

  it('tries 2026-07-28 again on a later reconnect, and stays there once it works', async () => {
    const server = await imperfect('listen-500');
    const hub = await hubWith();
    await add(hub, server);
    const fellBack = await settled(hub);
    expect(fellBack.protocolVersion).toBe('2025-11-25');
    server.setFlaw('none');
    hub.admin.restartServer(fellBack.id);
    const view = await settled(hub);
    expect(view.status, status(view)).toEqual({ state: 'ready' });
    expect(view.protocolVersion).toBe('2026-07-28');
  });

  it('keeps the tools of a server whose listen stream fails after ready, and listens again', async () => {
    const server = await imperfect('none');
    const hub = await hubWith();
    await add(hub, server);
    const ready = await settled(hub);
    expect(ready.status, status(ready)).toEqual({ state: 'ready' });
    expect(ready.protocolVersion).toBe('2026-07-28');

    server.setFlaw('listen-500');
    server.endListens();
    let view = ready;
    await until(() => {
      view = hub.admin.listServers().find((each) => each.id === ready.id)!;
      return view.status.state === 'ready' && view.status.warnings !== undefined;
    }, 'change notifications to be reported off');
    expect(view.status.state === 'ready' && view.status.warnings?.[0]).toMatch(
      /^change notifications are off \(subscriptions\/listen: the server ended the stream .*\); retrying in /,
    );
    expect(view.counts.tools).toBe(1);
    const connected = await client(hub);
    const echoed = await connected.callTool({
      name: 'imperfect__echo',
      arguments: { message: 'still' },
    });
    expect(echoed.content).toEqual([{ type: 'text', text: 'still' }]);

    // The retries fail on the 500 until the server is fixed; then the stream is back.
    const listensBefore = server.received.modern.filter(
      (method) => method === 'subscriptions/listen',
    );
    server.setFlaw('none');
    await until(
      () => {
        view = hub.admin.listServers().find((each) => each.id === ready.id)!;
        return view.status.state === 'ready' && view.status.warnings === undefined;
      },
      'change notifications to be back',
      5_000,
    );
    const listensAfter = server.received.modern.filter(
      (method) => method === 'subscriptions/listen',
    );
    expect(listensAfter.length).toBeGreaterThan(listensBefore.length);
  });

  it('speaks only 2025-11-25 when the entry pins it', async () => {
    const server = await imperfect('none');
    const hub = await hubWith();
    await add(hub, server, '2025-11-25');
    const view = await settled(hub);
    expect(view.status, status(view)).toEqual({ state: 'ready' });
    expect(view.protocolVersion).toBe('2025-11-25');
    expect(server.received.modern).toEqual([]);
  });
});
