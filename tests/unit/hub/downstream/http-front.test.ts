/**
 * The hub over HTTP in Node (issue 13, item 6): the SDK's own HTTP entries serve hub sessions in
 * both eras, the whole hub or one server by slug, behind loopback Host and Origin checks. Real
 * HTTP on 127.0.0.1 both ways: a fixture server behind the hub, SDK clients in front of it.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  allowAllPolicy,
  createHttpFront,
  createHub,
  type HttpFrontOptions,
  type Hub,
  type Policy,
  type Principal,
} from '../../../../src/hub/index.ts';
import { MemoryGrantStore, MemoryPinStore } from '../../../../src/hub/memory-stores.ts';
import { CLIENT_APPROVAL } from '../../../../src/hub/person/consent.ts';
import { systemClock } from '../../../../src/hub/platform.ts';
import { ConsentPolicy } from '../../../../src/hub/policy/consent-policy.ts';
import { LOCAL_PROCESS_ORIGIN } from '../../../../src/hub/downstream/http-front.ts';
import { GREETING_URI, startModernServer } from '../../../fixtures/modern-server.ts';
import { until } from '../../../support/until.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A hub whose one server is the fixture `modern-server` (both eras), ready. */
async function hubWithServer(
  policy: Policy = allowAllPolicy,
): Promise<{ hub: Hub; notify: () => void }> {
  const upstream = await startModernServer();
  cleanups.push(() => upstream.stop());
  const hub = await createHub({ policy, startupGraceMs: 0 });
  cleanups.push(() => hub.close());
  for (const builtin of hub.admin.listServers()) await hub.admin.removeServer(builtin.id);
  const { id } = await hub.admin.addServer({
    name: 'modern',
    slug: 'modern',
    url: upstream.url,
    transport: 'streamable-http',
    headers: [],
  });
  await until(
    () => hub.admin.listServers().find((server) => server.id === id)?.status.state === 'ready',
    'the server to be ready',
    5_000,
  );
  return { hub, notify: () => upstream.notify.resourceUpdated(GREETING_URI) };
}

/** Serves the hub's HTTP front on a free loopback port; returns its `/mcp` URL. */
async function serveFront(hub: Hub, options: HttpFrontOptions = {}): Promise<string> {
  const front = createHttpFront(hub, options);
  const node = toNodeHandler(front);
  const http = createServer((req, res) => void node(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    await front.close();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
}

async function clientOf(url: string, era: '2025' | '2026-07-28'): Promise<Client> {
  const client = new Client(
    { name: `front-${era}`, version: '1.0.0' },
    {
      capabilities: { elicitation: { form: {} } },
      ...(era === '2026-07-28' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
    },
  );
  client.setRequestHandler('elicitation/create', async () => ({
    action: 'accept',
    content: { name: 'Ada' },
  }));
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  cleanups.push(() => client.close());
  return client;
}

describe('the hub over HTTP', () => {
  for (const era of ['2025', '2026-07-28'] as const) {
    it(`serves a ${era} client: lists, calls, and input the server asks for`, async () => {
      const { hub } = await hubWithServer();
      const url = await serveFront(hub);
      const client = await clientOf(url, era);
      expect(client.getNegotiatedProtocolVersion()).toBe(
        era === '2025' ? '2025-11-25' : '2026-07-28',
      );
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toEqual(expect.arrayContaining(['modern__echo', 'modern__ask']));
      const echoed = await client.callTool({
        name: 'modern__echo',
        arguments: { message: 'through HTTP' },
      });
      expect(echoed.content).toEqual([{ type: 'text', text: 'through HTTP' }]);
      // The server asks who we are; the client answers (2025: a request on the call's stream;
      // 2026-07-28: input_required and a retry, which reaches another hub session).
      const asked = await client.callTool({ name: 'modern__ask', arguments: {} });
      expect(JSON.parse((asked.content as Array<{ text: string }>)[0]!.text)).toEqual({
        action: 'accept',
        content: { name: 'Ada', nickname: 'Nemo' },
      });
    });
  }

  it('names the caller by the client name it gives and the Origin it comes from', async () => {
    const callers: Array<Pick<Principal, 'origin' | 'clientName'>> = [];
    const recording: Policy = {
      authorize: (principal, action) => {
        if (action.type === 'call-tool')
          callers.push({ origin: principal.origin, clientName: principal.clientName });
        return 'allow';
      },
      filter: (_principal, items) => items,
    };
    const { hub } = await hubWithServer(recording);
    const url = await serveFront(hub);
    for (const era of ['2025', '2026-07-28'] as const) {
      const client = await clientOf(url, era);
      await client.callTool({ name: 'modern__echo', arguments: { message: 'who' } });
    }
    // A process that sends no Origin (these SDK clients in Node) is a local process.
    expect(callers).toEqual([
      { origin: 'local-process', clientName: 'front-2025' },
      { origin: 'local-process', clientName: 'front-2026-07-28' },
    ]);
  });

  it('serves one server under its own names when given its slug', async () => {
    const { hub } = await hubWithServer();
    const url = await serveFront(hub, { server: 'modern' });
    for (const era of ['2025', '2026-07-28'] as const) {
      const client = await clientOf(url, era);
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toEqual(expect.arrayContaining(['echo', 'ask']));
    }
  });

  it('tells a 2026-07-28 listener of a resource it names when that resource changes', async () => {
    const { hub, notify } = await hubWithServer();
    const url = await serveFront(hub);
    const client = await clientOf(url, '2026-07-28');
    const updates: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      updates.push(notification.params.uri);
    });
    const subscription = await client.listen({ resourceSubscriptions: [GREETING_URI] });
    cleanups.push(() => subscription.close());
    await until(() => {
      notify();
      return updates.length > 0;
    }, 'the update to reach the listener');
    expect(updates[0]).toBe(GREETING_URI);
  });

  it('refuses a request naming a host that is not loopback, or a page of another origin', async () => {
    const { hub } = await hubWithServer();
    const url = new URL(await serveFront(hub));
    // node:http, not fetch: fetch will not send a Host header of the caller's choosing.
    const post = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
        const req = request(
          url,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
              ...headers,
            },
          },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.once('error', reject);
        req.end(body);
      });
    const rebound = await post({ host: `evil.example:${url.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatch(/host/i);
    const page = await post({ origin: 'https://evil.example' });
    expect(page.status).toBe(403);
    expect(page.body).toMatch(/origin/i);
    // A page of a loopback origin, and a local process that names none, get in.
    const local = await post({ origin: `http://127.0.0.1:${url.port}` });
    expect(local.status).not.toBe(403);
  });
});

describe('the person decides over HTTP too', () => {
  for (const era of ['2025', '2026-07-28'] as const) {
    it(`a new ${era} caller waits for approval, asked about in the dashboard`, async () => {
      const policy = new ConsentPolicy({
        grants: new MemoryGrantStore(),
        pins: new MemoryPinStore(),
        clock: systemClock,
      });
      const { hub } = await hubWithServer(policy);
      const url = await serveFront(hub);
      const client = await clientOf(url, era);
      expect((await client.listTools()).tools).toEqual([]);
      await until(() => hub.person.list(CLIENT_APPROVAL).length === 1, 'an approval request');
      expect(hub.person.list(CLIENT_APPROVAL)[0]!.view).toEqual({
        client: { origin: LOCAL_PROCESS_ORIGIN, clientName: `front-${era}` },
      });
      hub.person.answer(hub.person.list(CLIENT_APPROVAL)[0]!.id, { approve: true });
      await until(
        () =>
          policy.standing({
            origin: LOCAL_PROCESS_ORIGIN,
            clientName: `front-${era}`,
            sessionId: 'x',
          }) === 'approved',
        'the approval',
      );
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('modern__echo');
    });
  }
});
