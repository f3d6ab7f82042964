// The fixtures other tests stand on: if one of these fails, fix the fixture before reading any
// other failure.
import { afterEach, describe, expect, it } from 'vitest';
import {
  Client,
  SSEClientTransport,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { startCountingServer, type CountingServer } from '../fixtures/counting-server.ts';
import { startEverything, type EverythingServer } from '../fixtures/everything.ts';
import { freePort, isListening } from '../fixtures/ports.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connect(url: string, legacySse = false): Promise<Client> {
  const client = new Client({ name: 'fixtures-test', version: '1.0.0' });
  const endpoint = new URL(url);
  await client.connect(
    legacySse ? new SSEClientTransport(endpoint) : new StreamableHTTPClientTransport(endpoint),
  );
  cleanups.push(() => client.close());
  return client;
}

function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const content = 'content' in result && Array.isArray(result.content) ? result.content : [];
  const first: unknown = content[0];
  return first !== null && typeof first === 'object' && 'text' in first ? String(first.text) : '';
}

describe('freePort', () => {
  it('returns a port nothing listens on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await isListening(port)).toBe(false);
  });
});

describe('counting server', () => {
  async function start(): Promise<CountingServer> {
    const server = await startCountingServer();
    cleanups.push(() => server.stop());
    return server;
  }

  it('echoes over stateful Streamable HTTP and counts sessions', async () => {
    const server = await start();
    const first = await connect(server.url);
    expect(textOf(await first.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe('hi');
    await connect(server.url);
    expect(server.sessions()).toBe(2);
    expect(server.initializeCount()).toBe(2);
    expect(textOf(await first.callTool({ name: 'session_count', arguments: {} }))).toBe('2');
    expect(server.requestCount('tools/call')).toBe(2);
  });

  it('reports progress from slow and stops it when the call is cancelled', async () => {
    const server = await start();
    const client = await connect(server.url);
    const progress: number[] = [];
    const done = await client.callTool(
      { name: 'slow', arguments: { ms: 350 } },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(textOf(done)).toBe('done');
    expect(progress.length).toBeGreaterThanOrEqual(3);

    const controller = new AbortController();
    const call = client.callTool(
      { name: 'slow', arguments: { ms: 10_000 } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 150);
    await expect(call).rejects.toThrow();
    // The client rejects at once; the notification and the server's reaction follow.
    await expect.poll(() => server.cancelledCount()).toBe(1);
    expect(server.requestCount('notifications/cancelled')).toBe(1);
  });

  it('answers a CORS preflight with the headers a browser client needs', async () => {
    const server = await start();
    const response = await fetch(server.url, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:4173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, mcp-session-id',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')).toContain('mcp-session-id');
    expect(response.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
  });
});

describe('server-everything', () => {
  async function start(): Promise<EverythingServer> {
    const server = await startEverything('streamableHttp');
    cleanups.push(() => server.stop());
    return server;
  }

  it('echoes over Streamable HTTP on 127.0.0.1', async () => {
    const server = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/mcp`);
    const client = await connect(server.url);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    expect(textOf(result)).toBe('Echo: hello');
  });

  it('stops and starts again on the same port', async () => {
    const server = await start();
    await server.stop();
    expect(await isListening(server.port)).toBe(false);
    await server.start();
    const client = await connect(server.url);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'again' } });
    expect(textOf(result)).toBe('Echo: again');
  });

  it('serves the legacy HTTP+SSE transport at /sse', async () => {
    const server = await startEverything('sse');
    cleanups.push(() => server.stop());
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/sse`);
    const client = await connect(server.url, true);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'legacy' } });
    expect(textOf(result)).toBe('Echo: legacy');
  });
});
