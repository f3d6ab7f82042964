/**
 * Calls per server over the last 10 minutes (`AdminApi.activity`), refetched every few seconds
 * while a page that shows them is open: the figures move with time even when nothing happens.
 * The Activity page and the Servers page's sparklines read the same state shape.
 */
import type { ActivityView } from '../../protocol/views.ts';
import type { HubState } from './hub.svelte.ts';

export class ActivityState {
  views = $state.raw<ActivityView[]>([]);
  error = $state.raw<string | undefined>(undefined);

  constructor(private readonly hub: Pick<HubState, 'query'>) {}

  async load(): Promise<void> {
    try {
      this.views = await this.hub.query((api) => api.activity());
      this.error = undefined;
    } catch (failure) {
      this.error = (failure as Error).message;
    }
  }

  /** Loads now and every `everyMs`; returns the way to stop (an `$effect`'s cleanup). */
  watch(everyMs: number): () => void {
    void this.load();
    const timer = setInterval(() => void this.load(), everyMs);
    return () => clearInterval(timer);
  }

  /** The figures of one server, once loaded. */
  of(serverId: string): ActivityView | undefined {
    return this.views.find((view) => view.serverId === serverId);
  }
}

/**
 * The KPI row over every server (last 5 minutes): calls and errors add up; latencies do not (a
 * median of medians means nothing), so the row names the slowest server's p95 instead.
 */
export function totals(views: readonly ActivityView[]): {
  calls: number;
  errors: number;
  slowest?: { name: string; p95Ms: number };
} {
  let calls = 0;
  let errors = 0;
  let slowest: { name: string; p95Ms: number } | undefined;
  for (const view of views) {
    calls += view.recent.calls;
    errors += view.recent.errors;
    const p95 = view.recent.p95Ms;
    if (p95 !== undefined && (!slowest || p95 > slowest.p95Ms))
      slowest = { name: view.name, p95Ms: p95 };
  }
  return slowest ? { calls, errors, slowest } : { calls, errors };
}
