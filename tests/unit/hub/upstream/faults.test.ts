/**
 * An upstream that dies under load (issue 12, item 7 and its fault test): a real HTTP server on
 * loopback, stopped and started again at the same address 10 times while a client keeps calls in
 * flight through the hub. No call hangs, every error the client gets names the server, and the
 * server is `ready` again after each restart.
 */
import { Client, InMemoryTransport, ProtocolError } from '@modelcontextprotocol/client';
import { afterEach, expect, it } from 'vitest';
import { allowAllPolicy, createHub, type Hub } from '../../../../src/hub/index.ts';
import { MemoryRegistryStore } from '../../../../src/hub/memory-stores.ts';
import { startCountingServer, type CountingServer } from '../../../fixtures/counting-server.ts';
import { until } from '../../../support/until.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Outcome = { ok: true } | { ok: false; message: string; code: number | undefined };

it('10 kill/restart cycles with calls in flight: none hangs, every error names the server', async () => {
  let server: CountingServer = await startCountingServer();
  cleanups.push(() => server.stop());
  const hub: Hub = await createHub({
    policy: allowAllPolicy,
    registry: new MemoryRegistryStore(),
    backoff: { baseMs: 50, maxMs: 200 },
    pingIntervalMs: 200,
    pingTimeoutMs: 1_000,
  });
  cleanups.push(() => hub.close());
  const { id } = await hub.admin.addServer({
    name: 'Counting',
    slug: 'counting',
    url: server.url,
    transport: 'streamable-http',
    headers: [],
  });
  const state = () => hub.admin.listServers().find((view) => view.id === id)?.status.state;
  await until(() => state() === 'ready', 'the counting server to be ready', 10_000);
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, { origin: 'http://127.0.0.1', clientName: 'c', sessionId: 's' });
  const client = new Client({ name: 'c', version: '1' });
  await client.connect(clientSide);
  cleanups.push(() => client.close());

  const outcomes: Outcome[] = [];
  const call = (ms: number): Promise<void> =>
    client.callTool({ name: 'counting__slow', arguments: { ms } }, { timeout: 60_000 }).then(
      () => void outcomes.push({ ok: true }),
      (error: unknown) =>
        void outcomes.push({
          ok: false,
          message: error instanceof Error ? error.message : String(error),
          code: error instanceof ProtocolError ? error.code : undefined,
        }),
    );
  for (let cycle = 0; cycle < 10; cycle++) {
    // Long calls the kill interrupts, and short ones around it.
    const inFlight = [call(5_000), call(5_000), call(0), call(50)];
    await until(() => server.requestCount('tools/call') >= 4, 'the calls to reach the server');
    await server.stop();
    const more = [call(0), call(10)];
    // No hung call: everything settles within a few seconds of the kill, long before any timeout.
    let hung = true;
    await Promise.race([
      Promise.all([...inFlight, ...more]).then(() => (hung = false)),
      new Promise((resolve) => setTimeout(resolve, 8_000)),
    ]);
    expect(hung, `calls still pending 8 s after kill ${cycle + 1}`).toBe(false);
    server = await startCountingServer({ port: server.port });
    await until(() => state() === 'ready', `ready after restart ${cycle + 1}`, 10_000);
  }

  const failures = outcomes.filter((outcome) => !outcome.ok);
  expect(failures.length).toBeGreaterThan(10);
  const unnamed = failures.filter((failure) => !failure.message.includes("Server 'counting'"));
  expect(unnamed).toEqual([]);
  // After the last restart the server works again through the hub.
  await call(0);
  expect(outcomes.at(-1)).toEqual({ ok: true });
}, 120_000);
