/**
 * The Activity page's KPI row: calls and errors add up over every server; latencies are not
 * averaged (a median of medians means nothing): the slowest server's p95 is named instead.
 */
import { describe, expect, it } from 'vitest';
import type { ActivityView } from '../../../src/protocol/views.ts';
import { totals } from '../../../src/ui/state/activity.svelte.ts';

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
