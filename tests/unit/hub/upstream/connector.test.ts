/**
 * The `Connector` contract, run on every connector the hub has (remote over HTTP, with its
 * transport opened in memory; builtin): the attempts it makes, a transport an SDK client can
 * connect over, when a failure means "try the next attempt", and a reason for a person. And the
 * state machine's side: an entry whose kind no connector reaches stands in `error`, no retries.
 */
import { Client, SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { createNotesServer } from '../../../../src/hub/builtin/notes.ts';
import { MemoryNotesStore } from '../../../../src/hub/memory-stores.ts';
import type { ServerEntry } from '../../../../src/hub/ports.ts';
import { builtinConnector } from '../../../../src/hub/upstream/connectors/builtin.ts';
import { connectorsOf, type Connector } from '../../../../src/hub/upstream/connectors/connector.ts';
import { Upstream } from '../../../../src/hub/upstream/upstream.ts';
import { FakeClock, countingIds, settle } from '../../../support/fake-clock.ts';
import { MemoryUpstreams } from '../../../support/memory-upstreams.ts';

const base = { id: 'srv-1', slug: 'srv', name: 'Server', enabled: true, createdAt: 1 };

interface Case {
  name: string;
  connector: Connector;
  entries: Array<{ entry: ServerEntry; attempts: string[] }>;
  /** A tool the server it reaches lists. */
  tool: string;
}

function cases(): Case[] {
  const upstreams = new MemoryUpstreams();
  const url = upstreams.add('echo', () => {
    const server = new McpServer({ name: 'echo', version: '1' });
    server.registerTool('echo', { description: 'echo' }, async () => ({ content: [] }));
    return server;
  });
  const remote = (transport: 'auto' | 'streamable-http' | 'sse'): ServerEntry => ({
    ...base,
    kind: 'remote',
    url,
    transport,
    headers: [],
  });
  const clock = new FakeClock();
  return [
    {
      name: 'remote (HTTP)',
      connector: upstreams.connector,
      entries: [
        { entry: remote('auto'), attempts: ['streamable-http', 'sse'] },
        { entry: remote('streamable-http'), attempts: ['streamable-http'] },
        { entry: remote('sse'), attempts: ['sse'] },
      ],
      tool: 'echo',
    },
    {
      name: 'builtin',
      connector: builtinConnector((serverSide) =>
        createNotesServer(new MemoryNotesStore(), clock, countingIds('note').next).connect(
          serverSide,
        ),
      ),
      entries: [{ entry: { ...base, kind: 'builtin', builtin: 'notes' }, attempts: ['builtin'] }],
      tool: 'add_note',
    },
  ];
}

const httpError = (status: number) =>
  new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, `HTTP ${status}`, { status });

describe.each(cases())('the $name connector', ({ connector, entries, tool }) => {
  it('lists its attempts in order for each entry', () => {
    for (const { entry, attempts } of entries) expect(connector.attempts(entry)).toEqual(attempts);
  });

  it('opens an unstarted transport an SDK client connects over', async () => {
    const { entry } = entries[0]!;
    const opened = await connector.open(entry, connector.attempts(entry)[0]!);
    const client = new Client({ name: 'contract', version: '1' });
    await client.connect(opened.transport);
    const { tools } = await client.listTools();
    expect(tools.map((each) => each.name)).toContain(tool);
    await client.close();
  });

  it('explains a failure in words', async () => {
    const reason = await connector.explain(new Error('boom'), entries[0]!.entry);
    expect(reason.length).toBeGreaterThan(0);
  });

  it('falls back only where its kind has a next way to try', () => {
    const next = connector.attempts(entries[0]!.entry).length > 1;
    expect(connector.fallsBack(httpError(404))).toBe(next);
    expect(connector.fallsBack(httpError(405))).toBe(next);
    expect(connector.fallsBack(httpError(401))).toBe(false);
    expect(connector.fallsBack(new TypeError('fetch failed'))).toBe(false);
  });
});

describe('an upstream of a kind no connector reaches', () => {
  it('stands in error with a reason, and never retries', async () => {
    const clock = new FakeClock();
    const statuses: string[] = [];
    const upstream = new Upstream(
      { ...base, kind: 'stdio', command: 'npx', args: [], env: [] },
      {
        clock,
        random: () => 0.5,
        backoff: { baseMs: 10, maxMs: 10 },
        pingIntervalMs: 1_000,
        pingTimeoutMs: 1_000,
        connectors: connectorsOf(cases()[1]!.connector),
        clientInfo: { name: 't', version: '1' },
        onStatus: (changed) => statuses.push(changed.status.state),
        onCatalog: () => {},
      },
    );
    upstream.start();
    await settle();
    await clock.advance(60_000);
    expect(upstream.status).toEqual({
      state: 'error',
      reason: expect.stringMatching(/needs the local bridge/),
    });
    expect(statuses).toEqual(['error']);
    expect(clock.timers.size).toBe(0);
  });
});
