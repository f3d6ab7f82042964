/**
 * The Inspector's log and the activity figures (issue 4, items 5 and 6, hub side): both sides of
 * every exchange, responses matched to requests with their latency, a bounded buffer, nothing
 * recorded while nobody looks, a cURL line with secrets masked; per-server calls, errors and
 * latency percentiles.
 */
import { McpServer } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { Activity } from '../../../../src/hub/journal/activity.ts';
import { allowAllPolicy, createHub, type Hub } from '../../../../src/hub/index.ts';
import { Inspector } from '../../../../src/hub/journal/protocol-log.ts';
import { MemoryJournalStore, MemoryRegistryStore } from '../../../../src/hub/memory-stores.ts';
import { createAdminApi } from '../../../../src/worker/admin.ts';
import { startCountingServer } from '../../../fixtures/counting-server.ts';
import { FakeClock } from '../../../support/fake-clock.ts';
import { MemoryUpstreams } from '../../../support/memory-upstreams.ts';
import { until } from '../../../support/until.ts';

const cleanups: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function echo(): McpServer {
  const server = new McpServer({ name: 'echo', version: '1.0.0' });
  server.registerTool('say', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('fail', { inputSchema: z.object({}) }, () => ({
    content: [{ type: 'text', text: 'no' }],
    isError: true,
  }));
  return server;
}

async function hubWithEcho(clock?: FakeClock): Promise<{ hub: Hub; id: string }> {
  const upstreams = new MemoryUpstreams();
  const url = upstreams.add('echo', echo);
  const hub = await createHub({
    policy: allowAllPolicy,
    connectors: [upstreams.connector],
    ...(clock ? { clock } : {}),
  });
  cleanups.push(() => hub.close());
  const { id } = await hub.admin.addServer({
    name: 'Echo',
    slug: 'echo',
    url,
    transport: 'streamable-http',
    headers: [],
  });
  await until(
    () => hub.admin.listServers().find((server) => server.id === id)?.status.state === 'ready',
    'echo ready',
  );
  return { hub, id };
}

describe('the inspector log', () => {
  it('records both sides of a call, matching each response to its request', async () => {
    const { hub } = await hubWithEcho();
    const admin = createAdminApi(hub, 'shared', 'http://127.0.0.1');
    cleanups.push(() => admin.dispose());
    const before = hub.admin.traffic().at(-1)?.seq ?? 0;
    await admin.api.callTool('echo__say', { text: 'hi' });
    const calls = hub.admin
      .traffic(before)
      .filter((entry) => entry.method === 'tools/call')
      .map((entry) => [entry.side, entry.direction, entry.kind]);
    // Client → hub, hub → server, server → hub, hub → client.
    expect(calls).toEqual([
      ['client', 'in', 'request'],
      ['server', 'out', 'request'],
      ['server', 'in', 'response'],
      ['client', 'out', 'response'],
    ]);
    const response = hub.admin
      .traffic(before)
      .find(
        (entry) =>
          entry.side === 'client' && entry.kind === 'response' && entry.method === 'tools/call',
      );
    expect(response?.clientName).toBe('Nexus playground');
    expect(response?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(response?.size).toBe(
      new TextEncoder().encode(JSON.stringify(hub.recorder.inspector.entry(response!.seq)!.message))
        .length,
    );
    const detail = hub.admin.trafficDetail(response!.seq);
    expect(JSON.parse(detail!.json).result.content).toEqual([{ type: 'text', text: 'hi' }]);
  });

  it('records nothing while no dashboard is open, or when recording is off', async () => {
    const { hub } = await hubWithEcho();
    expect(hub.recorder.inspector.active).toBe(false);
    const admin = createAdminApi(hub, 'shared', 'http://127.0.0.1');
    await admin.api.callTool('echo__say', { text: 'seen' });
    const seen = hub.admin.traffic().length;
    expect(seen).toBeGreaterThan(0);

    await hub.admin.setInspectorSettings({ enabled: false });
    await admin.api.callTool('echo__say', { text: 'not recorded' });
    expect(hub.admin.traffic().length).toBe(seen);
    await hub.admin.setInspectorSettings({ enabled: true });

    admin.dispose();
    expect(hub.recorder.inspector.active).toBe(false);
  });

  it('keeps only the newest messages, as many as the buffer holds', async () => {
    const clock = new FakeClock();
    const inspector = new Inspector(clock, 10);
    inspector.watch();
    for (let id = 1; id <= 25; id++) {
      inspector.record('client', 'in', { sessionId: 's' }, { jsonrpc: '2.0', id, method: 'ping' });
    }
    expect(inspector.entries().map((entry) => entry.id)).toEqual([
      16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    ]);
    expect(inspector.entries(22).map((entry) => entry.id)).toEqual([23, 24, 25]);
    inspector.setCapacity(12);
    inspector.record(
      'client',
      'in',
      { sessionId: 's' },
      { jsonrpc: '2.0', id: 26, method: 'ping' },
    );
    inspector.record(
      'client',
      'in',
      { sessionId: 's' },
      { jsonrpc: '2.0', id: 27, method: 'ping' },
    );
    inspector.record(
      'client',
      'in',
      { sessionId: 's' },
      { jsonrpc: '2.0', id: 28, method: 'ping' },
    );
    expect(inspector.entries().map((entry) => entry.id)).toEqual([
      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
    ]);
    // A response matches its request by side, endpoint, direction and id, with the clock's time.
    const later = new Inspector(clock, 10);
    later.watch();
    later.record(
      'server',
      'out',
      { serverId: 'a' },
      { jsonrpc: '2.0', id: 1, method: 'tools/call' },
    );
    later.record('server', 'in', { serverId: 'b' }, { jsonrpc: '2.0', id: 1, result: {} });
    await clock.advance(30);
    later.record('server', 'in', { serverId: 'a' }, { jsonrpc: '2.0', id: 1, result: {} });
    const [request, stranger, response] = later.entries();
    expect(stranger!.latencyMs).toBeUndefined();
    expect(response).toMatchObject({ method: 'tools/call', latencyMs: 30 });
    expect(request!.latencyMs).toBe(30);
  });

  it('offers an HTTP exchange as a cURL line with secret header values masked', async () => {
    const counting = await startCountingServer();
    cleanups.push(() => counting.stop());
    const hub = await createHub({ policy: allowAllPolicy });
    cleanups.push(() => hub.close());
    const { id } = await hub.admin.addServer({
      name: 'Counted',
      slug: 'counted',
      url: counting.url,
      transport: 'streamable-http',
      headers: [
        { name: 'Authorization', value: 'Bearer sk-very-secret-token-1234', secret: true },
        { name: 'X-Team', value: 'blue', secret: false },
      ],
    });
    const admin = createAdminApi(hub, 'shared', 'http://127.0.0.1');
    cleanups.push(() => admin.dispose());
    await until(
      () => hub.admin.listServers().find((server) => server.id === id)?.status.state === 'ready',
      'counted ready',
      10_000,
    );
    await admin.api.callTool('counted__echo', { message: "it's me" });
    const sent = hub.admin
      .traffic()
      .find((entry) => entry.side === 'server' && entry.method === 'tools/call');
    const { curl } = hub.admin.trafficDetail(sent!.seq)!;
    expect(curl).toContain(`curl -X POST '${counting.url}'`);
    expect(curl).toContain("-H 'X-Team: blue'");
    expect(curl).toContain("-H 'Authorization: ••••34'");
    expect(curl).not.toContain('sk-very-secret');
    expect(curl).toMatch(/-H 'Mcp-Session-Id: [^']+'/);
    // The apostrophe in the argument survives shell quoting.
    expect(curl).toContain(`it'\\''s me`);
  });

  it('keeps its settings across a restart of the hub', async () => {
    const registry = new MemoryRegistryStore();
    const first = await createHub({ policy: allowAllPolicy, registry });
    expect(first.admin.inspectorSettings()).toEqual({ enabled: true, capacity: 500 });
    await first.admin.setInspectorSettings({ enabled: false, capacity: 2_000 });
    await first.close();
    const second = await createHub({ policy: allowAllPolicy, registry });
    cleanups.push(() => second.close());
    expect(second.admin.inspectorSettings()).toEqual({ enabled: false, capacity: 2_000 });
    expect(second.recorder.inspector.capacity).toBe(2_000);
  });
});

describe('the journal', () => {
  it('keeps the log across a restart, with secret header values redacted', async () => {
    const secret = 'sk-"quoted"-secret-0123456789';
    const upstreams = new MemoryUpstreams();
    const url = upstreams.add('echo', echo);
    const stores = { registry: new MemoryRegistryStore(), journal: new MemoryJournalStore() };
    const first = await createHub({
      policy: allowAllPolicy,
      ...stores,
      connectors: [upstreams.connector],
    });
    const { id } = await first.admin.addServer({
      name: 'Echo',
      slug: 'echo',
      url,
      transport: 'streamable-http',
      headers: [{ name: 'Authorization', value: secret, secret: true }],
    });
    await until(
      () => first.admin.listServers().find((server) => server.id === id)?.status.state === 'ready',
      'echo ready',
    );
    const admin = createAdminApi(first, 'shared', 'http://127.0.0.1');
    // A server that echoes a token back: the journal must not keep it.
    await admin.api.callTool('echo__say', { text: `token ${secret}` });
    admin.dispose();
    const before = first.admin.traffic();
    const live = before.find(
      (entry) =>
        entry.side === 'server' && entry.kind === 'response' && entry.method === 'tools/call',
    )!;
    expect(first.admin.trafficDetail(live.seq)!.json).toContain('token ••••');
    await first.close();

    const second = await createHub({
      policy: allowAllPolicy,
      ...stores,
      connectors: [upstreams.connector],
    });
    cleanups.push(() => second.close());
    const restored = second.admin.traffic();
    expect(restored.map((entry) => entry.seq)).toEqual(before.map((entry) => entry.seq));
    const answer = restored.find(
      (entry) =>
        entry.side === 'client' && entry.kind === 'response' && entry.method === 'tools/call',
    )!;
    const { json } = second.admin.trafficDetail(answer.seq)!;
    expect(json).toContain('token ••••');
    expect(json).not.toContain('sk-');
    expect(JSON.stringify(await stores.journal.latest(1_000))).not.toContain('0123456789');

    // Numbering goes on after the restored entries.
    const watching = createAdminApi(second, 'shared', 'http://127.0.0.1');
    cleanups.push(() => watching.dispose());
    await watching.api.callTool('echo__say', { text: 'again' });
    const next = second.admin.traffic(before.at(-1)!.seq);
    expect(next.length).toBeGreaterThan(0);
  });

  it('is written in batches, not on the path of each message', async () => {
    const clock = new FakeClock();
    const journal = new MemoryJournalStore();
    const upstreams = new MemoryUpstreams();
    const url = upstreams.add('echo', echo);
    const hub = await createHub({
      policy: allowAllPolicy,
      journal,
      clock,
      connectors: [upstreams.connector],
    });
    cleanups.push(() => hub.close());
    await hub.admin.addServer({
      name: 'Echo',
      slug: 'echo',
      url,
      transport: 'streamable-http',
      headers: [],
    });
    await until(
      () => hub.admin.listServers().every((server) => server.status.state === 'ready'),
      'ready',
    );
    const admin = createAdminApi(hub, 'shared', 'http://127.0.0.1');
    cleanups.push(() => admin.dispose());
    await admin.api.callTool('echo__say', { text: 'one' });
    await admin.api.callTool('echo__say', { text: 'two' });
    expect(await journal.latest(100)).toEqual([]);
    await clock.advance(1_000);
    const written = await journal.latest(100);
    expect(written.length).toBe(hub.admin.traffic().length);
    expect(written.filter((record) => record.method === 'tools/call')).toHaveLength(8);
  });
});

describe('activity', () => {
  it('counts calls and errors per server with latency percentiles, over the last minutes', async () => {
    const clock = new FakeClock();
    const activity = new Activity(clock, 10_000, 6);
    for (let i = 0; i < 19; i++) activity.record('a', 4, true);
    activity.record('a', 400, false);
    expect(activity.summary('a')).toEqual({ calls: 20, errors: 1, medianMs: 5, p95Ms: 5 });
    activity.record('a', 400, true);
    activity.record('a', 400, true);
    expect(activity.summary('a').p95Ms).toBe(500);
    expect(activity.summary('b')).toEqual({ calls: 0, errors: 0 });

    await clock.advance(10_000);
    activity.record('a', 1, true);
    const series = activity.series('a');
    expect(series).toHaveLength(6);
    expect(series.slice(-2).map((point) => point.calls)).toEqual([22, 1]);
    expect(series[0]).toEqual({ start: series[0]!.start, calls: 0, errors: 0 });

    // A minute later the old buckets have left the window.
    await clock.advance(60_000);
    expect(activity.summary('a')).toEqual({ calls: 0, errors: 0 });
  });

  it('is fed by the calls clients make through the hub', async () => {
    const { hub, id } = await hubWithEcho();
    const admin = createAdminApi(hub, 'shared', 'http://127.0.0.1');
    cleanups.push(() => admin.dispose());
    await admin.api.callTool('echo__say', { text: 'one' });
    await admin.api.callTool('echo__fail', {});
    const view = (await admin.api.activity()).find((each) => each.serverId === id)!;
    expect(view.recent).toMatchObject({ calls: 2, errors: 1 });
    expect(view.series.at(-1)?.calls).toBe(2);
  });
});
