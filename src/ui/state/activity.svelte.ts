/**
 * Calls per server over the last 10 minutes (`AdminApi.activity`), refetched every few seconds
 * while a page that shows them is open: the figures move with time even when nothing happens.
 * The Activity page and the Servers page's sparklines read the same state shape; the Activity
 * page can also show them per client (../activity/by-client.ts, from the audit journal).
 */
import type { ActivityView } from '../../protocol/views.ts';
import {
  activityByClient,
  BUCKET_MS,
  BUCKETS,
  type ClientActivity,
} from '../activity/by-client.ts';
import type { HubState } from './hub.svelte.ts';

/** The journal's events read for the per-client view at most (10 minutes of calls). */
const CLIENT_EVENTS = 10_000;

export class ActivityState {
  views = $state.raw<ActivityView[]>([]);
  /** Per client, from the audit journal: fetched only while `pivot` is 'client'. */
  clients = $state.raw<ClientActivity[]>([]);
  /** Whether the page shows a chart per server or per client. */
  pivot = $state.raw<'server' | 'client'>('server');
  error = $state.raw<string | undefined>(undefined);

  constructor(
    private readonly hub: Pick<HubState, 'query'>,
    private readonly clock: () => number = () => Date.now(),
    /** One server's page: its callers, always (`pivot` is 'client' from the start). */
    private readonly server?: string,
  ) {
    if (server !== undefined) this.pivot = 'client';
  }

  async load(): Promise<void> {
    try {
      this.views = await this.hub.query((api) => api.activity());
      if (this.pivot === 'client') {
        const now = this.clock();
        const events = await this.hub.query((api) =>
          api.auditEvents({
            kind: 'audit',
            ...(this.server !== undefined ? { server: this.server } : {}),
            from: now - (now % BUCKET_MS) - (BUCKETS - 1) * BUCKET_MS,
            limit: CLIENT_EVENTS,
          }),
        );
        this.clients = activityByClient(events, now);
      }
      this.error = undefined;
    } catch (failure) {
      this.error = (failure as Error).message;
    }
  }

  /** Shows the charts per server or per client (the per-client figures are fetched now). */
  pivotTo(pivot: 'server' | 'client'): void {
    if (pivot === this.pivot) return;
    this.pivot = pivot;
    void this.load();
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
