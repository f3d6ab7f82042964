/**
 * The hub core in Node against real HTTP servers on 127.0.0.1: transport selection and fallback,
 * headers, error reasons, reconnection and the one-upstream-session rule.
 */
import {
  Client,
  InMemoryTransport,
  type ClientCapabilities,
  type FetchLike,
} from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { allowAllPolicy, createHub, type Hub } from '../../../src/hub/index.ts';
import type { ServerView } from '../../../src/protocol/views.ts';
import { startCountingServer } from '../../fixtures/counting-server.ts';
import { startEverything } from '../../fixtures/everything.ts';
import { GREETING_URI, startModernServer } from '../../fixtures/modern-server.ts';
import { freePort } from '../../fixtures/ports.ts';
import { until } from '../../support/until.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function hubWith(options: Partial<Parameters<typeof createHub>[0]> = {}): Promise<Hub> {
  const hub = await createHub({
    policy: allowAllPolicy,
    pingIntervalMs: 300,
    pingTimeoutMs: 1_000,
    backoff: { baseMs: 100, maxMs: 400 },
    ...options,
  });
  cleanups.push(() => hub.close());
  return hub;
}

async function connectClient(
  hub: Hub,
  name: string,
  capabilities: ClientCapabilities = {},
): Promise<Client> {
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, {
    origin: 'http://127.0.0.1',
    clientName: name,
    sessionId: crypto.randomUUID(),
  });
  const client = new Client({ name, version: '1.0.0' }, { capabilities });
  await client.connect(clientSide);
  cleanups.push(() => client.close());
  return client;
}

/** Waits until the server `slug` satisfies `check`, polling for at most `ms` of real time. */
async function waitFor(
  hub: Hub,
  slug: string,
  check: (view: ServerView) => boolean,
  ms = 10_000,
): Promise<ServerView> {
  const deadline = Date.now() + ms;
  let last: ServerView | undefined;
  while (Date.now() < deadline) {
    last = hub.admin.listServers().find((server) => server.slug === slug);
    if (last && check(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`server ${slug} never got there; last status: ${JSON.stringify(last?.status)}`);
}

const isReady = (view: ServerView) => view.status.state === 'ready';

/** Registers a remote server with no headers, named and slugged `slug`. */
function addRemote(
  hub: Hub,
  slug: string,
  url: string,
  transport: 'auto' | 'streamable-http' | 'sse',
): Promise<ServerView> {
  return hub.admin.addServer({ name: slug, slug, url, transport, headers: [] });
}

describe('hub over HTTP', () => {
  it('uses Streamable HTTP where offered and falls back to HTTP+SSE for a legacy server', async () => {
    const modern = await startEverything('streamableHttp');
    cleanups.push(() => modern.stop());
    const legacy = await startEverything('sse');
    cleanups.push(() => legacy.stop());
    const hub = await hubWith();
    await addRemote(hub, 'modern', modern.url, 'auto');
    await addRemote(hub, 'legacy', legacy.url, 'auto');

    expect((await waitFor(hub, 'modern', isReady)).activeTransport).toBe('streamable-http');
    expect((await waitFor(hub, 'legacy', isReady)).activeTransport).toBe('sse');

    const client = await connectClient(hub, 'agent');
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['modern__echo', 'legacy__echo', 'nexus__clock']));
    const echoed = await client.callTool({
      name: 'legacy__echo',
      arguments: { message: 'through sse' },
    });
    expect(JSON.stringify(echoed.content)).toContain('through sse');
  });

  it('sends each server its own headers on every request', async () => {
    const counting = await startCountingServer();
    cleanups.push(() => counting.stop());
    const seen: string[] = [];
    const recordingFetch: FetchLike = async (url, init) => {
      seen.push(new Headers(init?.headers).get('authorization') ?? '(none)');
      return fetch(url, init);
    };
    const hub = await hubWith({ fetch: recordingFetch });
    const view = await hub.admin.addServer({
      name: 'counted',
      url: counting.url,
      transport: 'streamable-http',
      headers: [{ name: 'Authorization', value: 'Bearer very-secret-token-1234', secret: true }],
    });
    expect(view.headers).toEqual([{ name: 'Authorization', value: '••••34', secret: true }]);
    expect(JSON.stringify(hub.admin.listServers())).not.toContain('very-secret-token');
    await waitFor(hub, view.slug, isReady);
    expect(seen.length).toBeGreaterThan(1);
    expect(new Set(seen)).toEqual(new Set(['Bearer very-secret-token-1234']));
  });

  it('shares one upstream session among every client', async () => {
    const counting = await startCountingServer();
    cleanups.push(() => counting.stop());
    const hub = await hubWith();
    const { slug } = await hub.admin.addServer({
      name: 'counted',
      url: counting.url,
      transport: 'auto',
      headers: [],
    });
    await waitFor(hub, slug, isReady);
    const first = await connectClient(hub, 'first');
    const second = await connectClient(hub, 'second');
    const a = await first.callTool({ name: `${slug}__session_count`, arguments: {} });
    const b = await second.callTool({ name: `${slug}__session_count`, arguments: {} });
    expect(a.content).toEqual([{ type: 'text', text: '1' }]);
    expect(b.content).toEqual([{ type: 'text', text: '1' }]);
    expect(counting.sessions()).toBe(1);
  });

  it("hears a 2026-07-28 server's changes on its subscriptions/listen stream", async () => {
    const modern = await startModernServer();
    cleanups.push(() => modern.stop());
    const hub = await hubWith();
    const { slug } = await hub.admin.addServer({
      name: 'modern',
      url: modern.url,
      transport: 'auto',
      headers: [],
    });
    expect((await waitFor(hub, slug, isReady)).protocolVersion).toBe('2026-07-28');
    const client = await connectClient(hub, 'watcher');
    const heard: string[] = [];
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      heard.push('tools');
    });
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      heard.push(notification.params.uri);
    });
    // From the stream the hub opened when it connected:
    modern.notify.toolsChanged();
    await until(() => heard.includes('tools'), 'the list change relayed');
    // From the stream that replaced it, naming the subscribed resource:
    await client.subscribeResource({ uri: GREETING_URI });
    modern.notify.resourceUpdated(GREETING_URI);
    await until(() => heard.includes(GREETING_URI), 'the resource update relayed');
  });

  it('sends each elicitation to the client whose call caused it, with calls running at once', async () => {
    const server = await startCountingServer();
    cleanups.push(() => server.stop());
    const hub = await hubWith();
    await addRemote(hub, 'counting', server.url, 'streamable-http');
    await waitFor(hub, 'counting', isReady);
    const asked: Record<string, string[]> = { ada: [], bob: [] };
    const clients = await Promise.all(
      ['ada', 'bob'].map(async (name) => {
        const client = await connectClient(hub, name, { elicitation: { form: {} } });
        client.setRequestHandler('elicitation/create', async (request) => {
          asked[name]!.push(request.params.message);
          return { action: 'accept', content: { name } };
        });
        return client;
      }),
    );
    // Both calls are in flight when the server asks, so only the stream each request came on
    // tells the hub whose it is.
    const results = await Promise.all(
      clients.map((client, index) =>
        client.callTool({ name: 'counting__ask', arguments: { label: `call-${index}` } }),
      ),
    );
    expect(results.map((result) => (result.content as Array<{ text: string }>)[0]!.text)).toEqual([
      'call-0: accept by ada',
      'call-1: accept by bob',
    ]);
    expect(asked).toEqual({ ada: ['Who calls for call-0?'], bob: ['Who calls for call-1?'] });
  });

  it('gives two sessions calling one slow tool their own progress and results; cancelling one leaves the other', async () => {
    const server = await startCountingServer();
    cleanups.push(() => server.stop());
    const hub = await hubWith();
    await addRemote(hub, 'counting', server.url, 'streamable-http');
    await waitFor(hub, 'counting', isReady);
    const [kept, cancelled] = await Promise.all([
      connectClient(hub, 'kept'),
      connectClient(hub, 'cancelled'),
    ]);
    const progress = { kept: [] as number[], cancelled: [] as number[] };
    const abort = new AbortController();
    const keptCall = kept.callTool(
      { name: 'counting__slow', arguments: { ms: 800 } },
      { onprogress: ({ progress: value }) => progress.kept.push(value) },
    );
    const cancelledCall = cancelled.callTool(
      { name: 'counting__slow', arguments: { ms: 800 } },
      {
        signal: abort.signal,
        onprogress: ({ progress: value }) => {
          progress.cancelled.push(value);
          // Cancel at the first sign of life: the other call must not notice.
          abort.abort('changed my mind');
        },
      },
    );
    await expect(cancelledCall).rejects.toThrow();
    const result = await keptCall;
    expect((result.content as Array<{ text: string }>)[0]!.text).toBe('done');
    // Each saw its own progress: the kept call all the way to the end, the cancelled one once.
    expect(progress.kept.length).toBeGreaterThan(3);
    expect(progress.kept.at(-1)).toBe(800);
    expect(progress.kept).toEqual([...progress.kept].sort((a, b) => a - b));
    expect(progress.cancelled).toHaveLength(1);
    await waitFor(hub, 'counting', () => server.cancelledCount() === 1);
    expect(server.requestCount('tools/call')).toBe(2);
  });

  it('says "connection refused" for a closed port', async () => {
    const port = await freePort();
    const hub = await hubWith();
    await hub.admin.addServer({
      name: 'nothing',
      slug: 'nothing',
      url: `http://127.0.0.1:${port}/mcp`,
      transport: 'auto',
      headers: [],
    });
    const view = await waitFor(hub, 'nothing', (v) => v.status.state === 'error');
    expect(view.status).toEqual({
      state: 'error',
      reason: `connection refused: nothing listens at 127.0.0.1:${port}`,
    });
  });

  it('says what a 404 means', async () => {
    const modern = await startEverything('streamableHttp');
    cleanups.push(() => modern.stop());
    const hub = await hubWith();
    const wrong = new URL('/not-here', modern.url).href;
    await addRemote(hub, 'wrong', wrong, 'streamable-http');
    const view = await waitFor(hub, 'wrong', (v) => v.status.state === 'error');
    expect(view.status.state === 'error' && view.status.reason).toMatch(
      /^HTTP 404: nothing at this URL/,
    );
  });

  it('says a 401 needs an Authorization header, and connects once one is set', async () => {
    const guarded = await startCountingServer({ bearer: 'letmein' });
    cleanups.push(() => guarded.stop());
    const hub = await hubWith();
    const added = await addRemote(hub, 'guarded', guarded.url, 'streamable-http');
    const view = await waitFor(hub, 'guarded', (v) => v.status.state === 'error');
    expect(view.status.state === 'error' && view.status.reason).toBe(
      'HTTP 401: the server needs authentication; add an Authorization header to this server',
    );

    await hub.admin.editServer(added.id, {
      headers: [{ name: 'Authorization', value: 'Bearer letmein', secret: true }],
    });
    await waitFor(hub, 'guarded', isReady);
  });

  it('notices a server that died, and reconnects when it is back', async () => {
    const modern = await startEverything('streamableHttp');
    cleanups.push(() => modern.stop());
    const hub = await hubWith();
    await addRemote(hub, 'modern', modern.url, 'auto');
    await waitFor(hub, 'modern', isReady);

    await modern.stop();
    const down = await waitFor(hub, 'modern', (v) => v.status.state === 'error');
    expect(down.status.state === 'error' && down.status.reason).toMatch(
      /connection refused|closed the connection|no answer/,
    );

    await modern.start();
    await waitFor(hub, 'modern', isReady);
    const client = await connectClient(hub, 'agent');
    const echoed = await client.callTool({ name: 'modern__echo', arguments: { message: 'again' } });
    expect(JSON.stringify(echoed.content)).toContain('again');
  });
});
