import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { NexusErrorCode, allowAllPolicy, createHub, type Hub } from '../../../src/hub/index.ts';
import { MemoryRegistryStore } from '../../../src/hub/memory-stores.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { MemoryUpstreams } from '../../support/memory-upstreams.ts';
import { until } from '../../support/until.ts';

function echoServer(label: string, extra?: (server: McpServer) => void): () => McpServer {
  return () => {
    const server = new McpServer(
      { name: `srv-${label}`, version: '1.0.0' },
      { capabilities: { tools: { listChanged: true } } },
    );
    server.registerTool(
      'echo',
      { description: `echo from ${label}`, inputSchema: z.object({ message: z.string() }) },
      async ({ message }) => ({ content: [{ type: 'text', text: `${label}: ${message}` }] }),
    );
    extra?.(server);
    return server;
  };
}

const hubs: Hub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

async function startHub(
  upstreams: MemoryUpstreams,
  clock = new FakeClock(),
  registry = new MemoryRegistryStore(),
) {
  const hub = await createHub({
    policy: allowAllPolicy,
    registry,
    clock,
    random: () => 0.5,
    pingTimeoutMs: 50,
    connectors: [upstreams.connector],
  });
  hubs.push(hub);
  return { hub, clock, registry };
}

async function addMemoryServer(hub: Hub, name: string, url: string) {
  return hub.admin.addServer({ name, slug: name, url, transport: 'streamable-http', headers: [] });
}

async function connectClient(hub: Hub, name = 'test-client') {
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, {
    origin: 'http://127.0.0.1',
    clientName: name,
    sessionId: crypto.randomUUID(),
  });
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

/** A registry in which an earlier run of the hub registered the echo server `key`. */
async function registeredEarlier(upstreams: MemoryUpstreams, key: string) {
  const registry = new MemoryRegistryStore();
  const earlier = await startHub(upstreams, new FakeClock(), registry);
  await addMemoryServer(earlier.hub, key, upstreams.add(key, echoServer(key)));
  await earlier.hub.close();
  return registry;
}

function ready(hub: Hub, slug: string) {
  return () =>
    hub.admin.listServers().find((server) => server.slug === slug)?.status.state === 'ready';
}

describe('hub routing', () => {
  it('keeps two servers with the same tool name apart under their slugs', async () => {
    const upstreams = new MemoryUpstreams();
    const { hub } = await startHub(upstreams);
    await addMemoryServer(hub, 'alpha', upstreams.add('alpha', echoServer('alpha')));
    await addMemoryServer(hub, 'beta', upstreams.add('beta', echoServer('beta')));
    await until(() => ready(hub, 'alpha')() && ready(hub, 'beta')(), 'both servers ready');

    const client = await connectClient(hub);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['alpha__echo', 'beta__echo', 'nexus__clock']));

    const a = await client.callTool({ name: 'alpha__echo', arguments: { message: 'hi' } });
    const b = await client.callTool({ name: 'beta__echo', arguments: { message: 'hi' } });
    expect(a.content).toEqual([{ type: 'text', text: 'alpha: hi' }]);
    expect(b.content).toEqual([{ type: 'text', text: 'beta: hi' }]);
  });

  it('offers the built-in notes and clock server from the first start', async () => {
    const { hub } = await startHub(new MemoryUpstreams());
    await until(ready(hub, 'nexus'), 'built-in ready');
    const client = await connectClient(hub);
    await client.callTool({
      name: 'nexus__add_note',
      arguments: { title: 'Milk', body: 'buy oat milk' },
    });
    const found = await client.callTool({
      name: 'nexus__search_notes',
      arguments: { query: 'OAT' },
    });
    expect(JSON.stringify(found.content)).toContain('buy oat milk');
  });

  it('tells the time in any IANA zone with the text toLocaleString gives, and refuses unknown zones', async () => {
    const clock = new FakeClock();
    const { hub } = await startHub(new MemoryUpstreams(), clock);
    await until(ready(hub, 'nexus'), 'built-in ready');
    const client = await connectClient(hub);
    const timeOf = async (timeZone?: string) =>
      (await client.callTool({ name: 'nexus__clock', arguments: timeZone ? { timeZone } : {} }))
        .content;
    const expected = (timeZone?: string) => {
      const now = new Date(clock.now());
      const local = now.toLocaleString('en-GB', { timeZone, timeZoneName: 'short' });
      return [{ type: 'text', text: `${now.toISOString()} (${timeZone ?? 'local'}: ${local})` }];
    };
    // Twice each: the second answer comes from the kept formatter and text.
    for (const timeZone of ['Europe/Paris', 'Asia/Kolkata', undefined, 'Europe/Paris']) {
      expect(await timeOf(timeZone)).toEqual(expected(timeZone));
    }
    // A second later the kept text is a second old: it is made again.
    await clock.advance(1_000);
    expect(await timeOf('Europe/Paris')).toEqual(expected('Europe/Paris'));
    const unknown = await client.callTool({
      name: 'nexus__clock',
      arguments: { timeZone: 'Mars/Olympus' },
    });
    expect(unknown.isError).toBe(true);
    expect(unknown.content).toEqual([
      { type: 'text', text: 'Unknown time zone "Mars/Olympus". Use a name like Europe/Paris.' },
    ]);
  });

  it('tells dashboards of a burst of calls once, within 250 ms, and of a new client at once', async () => {
    const clock = new FakeClock();
    const { hub } = await startHub(new MemoryUpstreams(), clock);
    await until(ready(hub, 'nexus'), 'built-in ready');
    const events: string[] = [];
    hub.events.subscribe((event) => events.push(event.type));
    const client = await connectClient(hub);
    expect(events).toEqual(['sessions']);
    await Promise.all(
      Array.from({ length: 20 }, () => client.callTool({ name: 'nexus__clock', arguments: {} })),
    );
    expect(events).toEqual(['sessions']);
    await clock.advance(250);
    expect(events).toEqual(['sessions', 'sessions']);
    const [view] = hub.admin.listSessions();
    expect(view?.calls).toBe(20);
  });

  // The hub's answer to initialize already waits: its capabilities are the union of its servers'.
  it('holds a new client until servers still on their first attempt have connected', async () => {
    const upstreams = new MemoryUpstreams();
    const registry = await registeredEarlier(upstreams, 'slow');

    // The hub restarts (a new worker) while the server takes its time to answer.
    let open!: () => void;
    upstreams.gates.set('slow', new Promise<void>((resolve) => (open = resolve)));
    const connectsBefore = upstreams.connects;
    const { hub } = await startHub(upstreams, new FakeClock(), registry);
    const connecting = connectClient(hub);
    await until(() => upstreams.connects > connectsBefore, 'the slow server is being dialled');
    open();
    const client = await connecting;
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('slow__echo');
  });

  it('answers with what is ready once the startup grace is over', async () => {
    const upstreams = new MemoryUpstreams();
    const registry = await registeredEarlier(upstreams, 'stuck');

    upstreams.gates.set('stuck', new Promise<void>(() => {}));
    const { hub, clock } = await startHub(upstreams, new FakeClock(), registry);
    await until(ready(hub, 'nexus'), 'built-in ready');
    const connecting = connectClient(hub);
    await clock.advance(5_000);
    const client = await connecting;
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('nexus__clock');
    expect(names).not.toContain('stuck__echo');
  });

  it('answers an unknown tool with an error that says what to do', async () => {
    const { hub } = await startHub(new MemoryUpstreams());
    const client = await connectClient(hub);
    await expect(client.callTool({ name: 'ghost__tool', arguments: {} })).rejects.toThrow(
      /Unknown tool 'ghost__tool'.*tools\/list/,
    );
  });

  it('tells the client which server is down and what happens next', async () => {
    const upstreams = new MemoryUpstreams();
    const { hub, clock } = await startHub(upstreams);
    await addMemoryServer(hub, 'alpha', upstreams.add('alpha', echoServer('alpha')));
    await until(ready(hub, 'alpha'), 'alpha ready');
    const client = await connectClient(hub);
    await client.listTools();

    await upstreams.takeDown('alpha');
    await until(
      () =>
        hub.admin.listServers().find((server) => server.slug === 'alpha')?.status.state === 'error',
      'alpha errored',
    );
    await clock.advance(1_000); // the first retry finds nothing listening
    const error = await client.callTool({ name: 'alpha__echo', arguments: { message: 'x' } }).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toMatch(
      /Server 'alpha' is down \(connection refused: nothing listens at alpha\.invalid\)/,
    );
    expect(error?.message).toMatch(/Servers → alpha/);
  });
});

describe('hub notifications and cancellation', () => {
  it('propagates an upstream tools/list_changed to every session with the refreshed list', async () => {
    const upstreams = new MemoryUpstreams();
    const { hub } = await startHub(upstreams);
    await addMemoryServer(hub, 'alpha', upstreams.add('alpha', echoServer('alpha')));
    await until(ready(hub, 'alpha'), 'alpha ready');
    const first = await connectClient(hub, 'first');
    const second = await connectClient(hub, 'second');
    let firstNotified = 0;
    let secondNotified = 0;
    first.setNotificationHandler('notifications/tools/list_changed', () => void firstNotified++);
    second.setNotificationHandler('notifications/tools/list_changed', () => void secondNotified++);

    const live = upstreams.instances.get('alpha')!.at(-1)!;
    live.registerTool('shout', { description: 'loud' }, async () => ({
      content: [{ type: 'text', text: 'HEY' }],
    }));
    await until(() => firstNotified > 0 && secondNotified > 0, 'both sessions notified');
    const names = (await first.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('alpha__shout');
    const result = await second.callTool({ name: 'alpha__shout', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'HEY' }]);
  });

  it('cancels the upstream request when the downstream client cancels', async () => {
    const upstreams = new MemoryUpstreams();
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    let upstreamAborted = false;
    const { hub } = await startHub(upstreams);
    await addMemoryServer(
      hub,
      'slow',
      upstreams.add(
        'slow',
        echoServer('slow', (server) => {
          server.registerTool('wait', { description: 'waits until cancelled' }, async (ctx) => {
            started();
            await new Promise<void>((resolve) => {
              ctx.mcpReq.signal.addEventListener('abort', () => {
                upstreamAborted = true;
                resolve();
              });
            });
            return { content: [{ type: 'text', text: 'finished' }] };
          });
        }),
      ),
    );
    await until(ready(hub, 'slow'), 'slow ready');
    const client = await connectClient(hub);
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'slow__wait', arguments: {} },
      { signal: controller.signal },
    );
    await startedPromise;
    controller.abort('the person changed their mind');
    await expect(call).rejects.toThrow();
    await until(() => upstreamAborted, 'upstream handler aborted');
    expect(upstreamAborted).toBe(true);
  });
});

describe('hub request timeout', () => {
  /** How many `hang` calls started, and how many saw their request cancelled upstream. */
  let hangsStarted = 0;
  let hangsCancelled = 0;
  /** Each step of `steps` waits here until the test lets it go. */
  const stepGates: Array<() => void> = [];

  /** A server whose `steps` tool reports `count` progress steps, each when the test says. */
  function steppingServer(count: number): () => McpServer {
    return echoServer('timed', (server) => {
      server.registerTool('steps', { description: 'reports progress in steps' }, async (ctx) => {
        const progressToken = ctx.mcpReq._meta?.progressToken;
        for (let step = 1; step <= count; step++) {
          await new Promise<void>((go) => stepGates.push(go));
          if (progressToken !== undefined) {
            await ctx.mcpReq.notify({
              method: 'notifications/progress',
              params: { progressToken, progress: step, total: count },
            });
          }
        }
        return { content: [{ type: 'text', text: 'all steps done' }] };
      });
      server.registerTool('hang', { description: 'never answers' }, async (ctx) => {
        hangsStarted++;
        await new Promise<void>((resolve) =>
          ctx.mcpReq.signal.addEventListener('abort', () => {
            hangsCancelled++;
            resolve();
          }),
        );
        return { content: [] };
      });
    });
  }

  async function timedServer(count: number, timeoutMs: number) {
    const upstreams = new MemoryUpstreams();
    const { hub, clock } = await startHub(upstreams);
    await hub.admin.addServer({
      name: 'timed',
      slug: 'timed',
      url: upstreams.add('timed', steppingServer(count)),
      transport: 'streamable-http',
      headers: [],
      timeoutMs,
    });
    await until(ready(hub, 'timed'), 'timed ready');
    return { client: await connectClient(hub), clock };
  }

  it('relays progress to the caller and restarts the timeout on each report', async () => {
    const { client, clock } = await timedServer(5, 400);
    const seen: number[] = [];
    const call = client.callTool(
      { name: 'timed__steps', arguments: {} },
      { onprogress: (progress) => seen.push(progress.progress) },
    );
    // Five gaps of 300 ms are 1.5 s in all, far past the 400 ms timeout; no single gap is.
    for (let step = 1; step <= 5; step++) {
      await until(() => stepGates.length > 0, `step ${step} under way`);
      await clock.advance(300);
      stepGates.shift()!();
      await until(() => seen.length === step, `progress ${step} relayed`);
    }
    expect((await call).content).toEqual([{ type: 'text', text: 'all steps done' }]);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('cancels a call left unanswered past the timeout, and names the server', async () => {
    const { client, clock } = await timedServer(0, 100);
    const call = client.callTool({ name: 'timed__hang', arguments: {} }, { timeout: 10_000 });
    const failure = Promise.all([
      expect(call).rejects.toThrow(/Server 'timed' did not answer tool 'hang' within 0\.1 s/),
      expect(call).rejects.toMatchObject({
        code: NexusErrorCode.ServerTimeout,
        data: { nexus: 'server-timeout', server: 'timed', timeoutMs: 100 },
      }),
    ]);
    await until(() => hangsStarted === 1, 'the call under way upstream');
    await clock.advance(99);
    expect(hangsCancelled).toBe(0);
    await clock.advance(1);
    await failure;
    await until(() => hangsCancelled === 1, 'the upstream request cancelled');
  });
});

describe('hub reconnection', () => {
  it('retries a dead server on a capped exponential schedule and recovers on its own', async () => {
    const upstreams = new MemoryUpstreams();
    const clock = new FakeClock();
    const url = upstreams.add('flaky', echoServer('flaky'));
    upstreams.down.add('flaky');
    const { hub } = await startHub(upstreams, clock);
    const before = clock.scheduled.length;
    await addMemoryServer(hub, 'flaky', url);
    await until(
      () =>
        hub.admin.listServers().find((server) => server.slug === 'flaky')?.status.state === 'error',
      'flaky errored',
    );
    // random() is 0.5, so each delay is 3/4 of the capped nominal delay (500 ms doubling, cap 10 s).
    for (let i = 0; i < 7; i++) await clock.advance(10_000);
    // 5 s is the ping period, 100 ms the audit journal's write batch (the add is an audit event),
    // 250 ms the hold of the dashboards' "the journal wrote" event. Each attempt first sets the
    // time its first era may take (7.5 s, half the connect timeout), then, failing, the delay
    // until the next attempt: the second of each pair.
    const timers = clock.scheduled
      .slice(before)
      .filter((ms) => ms !== 5_000 && ms !== 100 && ms !== 250);
    expect(timers.filter((_, index) => index % 2 === 0).slice(0, 7)).toEqual(Array(7).fill(7_500));
    const delays = timers.filter((_, index) => index % 2 === 1);
    expect(delays.slice(0, 7)).toEqual([375, 750, 1500, 3000, 6000, 7500, 7500]);

    upstreams.down.delete('flaky');
    await clock.advance(10_000);
    await until(ready(hub, 'flaky'), 'flaky ready again');
    const client = await connectClient(hub);
    const result = await client.callTool({ name: 'flaky__echo', arguments: { message: 'back' } });
    expect(result.content).toEqual([{ type: 'text', text: 'flaky: back' }]);
  });

  it('marks a server that stops answering pings as errored, then reconnects it', async () => {
    const upstreams = new MemoryUpstreams();
    const clock = new FakeClock();
    const { hub } = await startHub(upstreams, clock);
    await addMemoryServer(hub, 'alpha', upstreams.add('alpha', echoServer('alpha')));
    await until(ready(hub, 'alpha'), 'alpha ready');
    const connectsBefore = upstreams.connects;

    upstreams.silent.add('alpha'); // the connection stays open but nothing answers
    await clock.advance(5_000); // the next health check sends its ping
    await until(
      () =>
        hub.admin.listServers().find((server) => server.slug === 'alpha')?.status.state === 'error',
      'alpha errored after an unanswered ping',
    );
    const status = hub.admin.listServers().find((server) => server.slug === 'alpha')!.status;
    expect(status.state === 'error' && status.reason).toMatch(/no answer in time/);

    upstreams.silent.delete('alpha');
    await clock.advance(1_000); // first retry is due after 375 ms
    await until(ready(hub, 'alpha'), 'alpha ready again');
    expect(upstreams.connects).toBe(connectsBefore + 1);
  });

  it('keeps aggregated names stable across a restart of the hub', async () => {
    const upstreams = new MemoryUpstreams();
    const registry = new MemoryRegistryStore();
    const { hub } = await startHub(upstreams, new FakeClock(), registry);
    await addMemoryServer(
      hub,
      'alpha',
      upstreams.add(
        'alpha',
        echoServer('alpha', (server) => {
          server.registerTool('a.very/odd__name', { description: 'odd' }, async () => ({
            content: [],
          }));
        }),
      ),
    );
    await until(ready(hub, 'alpha'), 'alpha ready');
    const client = await connectClient(hub);
    const before = (await client.listTools()).tools.map((tool) => tool.name).sort();
    await hub.close();

    const again = await startHub(upstreams, new FakeClock(), registry);
    await until(ready(again.hub, 'alpha'), 'alpha ready after restart');
    const after = (await (await connectClient(again.hub)).listTools()).tools
      .map((tool) => tool.name)
      .sort();
    expect(after).toEqual(before);
    expect(after.every((name) => /^[a-zA-Z0-9_-]{1,64}$/.test(name))).toBe(true);
  });
});
