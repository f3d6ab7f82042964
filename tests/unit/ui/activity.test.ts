/**
 * The Activity page's KPI row: calls and errors add up over every server; latencies are not
 * averaged (a median of medians means nothing): the slowest server's p95 is named instead. And
 * the page pivoted by client: each page's calls from the audit journal, hostile values left out.
 */
import { describe, expect, it, vi } from 'vitest';
import type { AuditQuery, JournalEvent } from '../../../src/protocol/consent.ts';
import type { ActivityView } from '../../../src/protocol/views.ts';
import { activityByClient } from '../../../src/ui/activity/by-client.ts';
import { ActivityState, totals } from '../../../src/ui/state/activity.svelte.ts';

const view = (name: string, calls: number, errors: number, p95Ms?: number): ActivityView => ({
  serverId: name,
  slug: name,
  name,
  series: [],
  recent: { calls, errors, ...(p95Ms === undefined ? {} : { p95Ms }) },
});

describe('the activity totals', () => {
  it('adds calls and errors, and names the slowest p95', () => {
    expect(totals([view('a', 10, 1, 40), view('b', 5, 0, 300), view('c', 0, 0)])).toEqual({
      calls: 15,
      errors: 1,
      slowest: { name: 'b', p95Ms: 300 },
    });
  });

  it('has no slowest server when none has a latency yet', () => {
    expect(totals([view('a', 0, 0)])).toEqual({ calls: 0, errors: 0 });
    expect(totals([])).toEqual({ calls: 0, errors: 0 });
  });
});

describe('activity by client, from the audit journal', () => {
  const NOW = 1_800_000_005_000; // 5 s into a 10-second bucket
  const call = (
    clientName: unknown,
    agoMs: number,
    patch: Partial<JournalEvent> = {},
  ): JournalEvent =>
    ({
      kind: 'audit',
      at: NOW - agoMs,
      event: 'tools/call',
      clientName,
      origin: 'http://127.0.0.1:5173',
      outcome: 'ok',
      durationMs: 10,
      ...patch,
    }) as JournalEvent;

  it('counts each client’s calls per 10 s and its last 5 minutes, busiest first', () => {
    const events = [
      call('alpha', 1_000, { durationMs: 4 }),
      call('alpha', 2_000, { durationMs: 8, outcome: 'error' }),
      call('alpha', 3_000, { durationMs: 100 }),
      call('beta', 6 * 60_000),
      // Not calls, or not in the window, or not data the page can use: left out.
      call('alpha', 1_000, { kind: 'security', outcome: undefined }),
      call('alpha', 1_000, { outcome: undefined }),
      call('alpha', 11 * 60_000),
      call('alpha', Number.NaN),
      // Another page that calls itself "alpha": a client of its own.
      call('alpha', 1_000, { origin: 'https://elsewhere.example' }),
      call({ name: 'object' }, 1_000),
    ];
    const clients = activityByClient(events, NOW);
    expect(clients.map((client) => [client.name, client.origin, client.recent])).toEqual([
      ['alpha', 'http://127.0.0.1:5173', { calls: 3, errors: 1, medianMs: 8, p95Ms: 100 }],
      [
        '(unnamed client)',
        'http://127.0.0.1:5173',
        { calls: 1, errors: 0, medianMs: 10, p95Ms: 10 },
      ],
      ['alpha', 'https://elsewhere.example', { calls: 1, errors: 0, medianMs: 10, p95Ms: 10 }],
      ['beta', 'http://127.0.0.1:5173', { calls: 0, errors: 0 }],
    ]);
    const alpha = clients[0]!;
    expect(alpha.series).toHaveLength(60);
    // The newest bucket is the one NOW is in, as the per-server series has it.
    expect(alpha.series.at(-1)).toEqual({ start: NOW - 5_000, calls: 3, errors: 1 });
    const beta = clients.at(-1)!;
    expect(beta.series.reduce((sum, point) => sum + point.calls, 0)).toBe(1);
  });

  it('is fetched only while the page shows clients', async () => {
    const asked: string[] = [];
    const api = {
      activity: async () => (asked.push('activity'), [view('a', 1, 0)]),
      auditEvents: async (query: AuditQuery) => {
        asked.push(`audit from ${query.from}`);
        return [call('alpha', 1_000)];
      },
    };
    const hub = { query: <T>(ask: (api: never) => Promise<T>) => ask(api as never) };
    const activity = new ActivityState(hub, () => NOW);
    await activity.load();
    expect(asked).toEqual(['activity']);
    activity.pivotTo('client');
    await vi.waitFor(() =>
      expect(activity.clients.map((client) => client.name)).toEqual(['alpha']),
    );
    // From the oldest bucket the page shows.
    expect(asked.at(-1)).toBe(`audit from ${NOW - 5_000 - 59 * 10_000}`);
  });

  it('on a server’s page, asks for that server’s callers from the first load', async () => {
    const queries: AuditQuery[] = [];
    const api = {
      activity: async () => [view('shop', 1, 0)],
      auditEvents: async (query: AuditQuery) => (queries.push(query), [call('alpha', 1_000)]),
    };
    const hub = { query: <T>(ask: (api: never) => Promise<T>) => ask(api as never) };
    const activity = new ActivityState(hub, () => NOW, 'shop');
    await activity.load();
    expect(queries).toMatchObject([{ kind: 'audit', server: 'shop' }]);
    expect(activity.clients.map((client) => client.recent.calls)).toEqual([1]);
  });
});
