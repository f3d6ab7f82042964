/**
 * Activity pivoted by client (UI.md §3, §6 "per-client views"): what each page's agent did over
 * the last 10 minutes, from the audit journal's events (the hub's activity counters are per
 * server; the journal records every call with its client, outcome and duration). Buckets line up
 * with the per-server ones (10 s, the newest bucket the one `now` is in), so both views read the
 * same. Latencies are exact here (the events carry them), the server view's are histogram bounds.
 */
import type { JournalEvent } from '../../protocol/consent.ts';
import type { ActivityView } from '../../protocol/views.ts';

export interface ClientActivity {
  /** Name and origin: two pages may call themselves the same. */
  key: string;
  name: string;
  origin?: string;
  series: ActivityView['series'];
  recent: ActivityView['recent'];
}

export const BUCKET_MS = 10_000;
export const BUCKETS = 60;
export const RECENT_MS = 5 * 60_000;

/** The nearest-rank percentile of sorted durations. */
function percentile(sorted: readonly number[], fraction: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return Math.round(sorted[rank]! * 10) / 10;
}

/**
 * Per client: calls and errors per bucket, and the last 5 minutes' calls, errors, median and p95.
 * Counted: the journal's actions that ran (they have an outcome); refusals and changes are not
 * calls. Events outside the window or with a time that is not a number are left out; a duration
 * that is not a number counts as 0 ms (the call happened; its time is unknown).
 */
export function activityByClient(events: readonly JournalEvent[], now: number): ClientActivity[] {
  const end = now - (now % BUCKET_MS);
  const first = end - (BUCKETS - 1) * BUCKET_MS;
  const recentFrom = end - RECENT_MS + BUCKET_MS;
  const clients = new Map<
    string,
    {
      name: string;
      origin?: string;
      calls: number[];
      errors: number[];
      recent: number[];
      failed: number;
    }
  >();
  for (const event of events) {
    if (event.kind !== 'audit' || !event.outcome || !Number.isFinite(event.at)) continue;
    if (event.at < first || event.at >= end + BUCKET_MS) continue;
    const name = typeof event.clientName === 'string' ? event.clientName : '(unnamed client)';
    const origin = typeof event.origin === 'string' ? event.origin : undefined;
    const key = `${name}\u0000${origin ?? ''}`;
    let client = clients.get(key);
    if (!client) {
      client = {
        name,
        ...(origin !== undefined ? { origin } : {}),
        calls: new Array<number>(BUCKETS).fill(0),
        errors: new Array<number>(BUCKETS).fill(0),
        recent: [],
        failed: 0,
      };
      clients.set(key, client);
    }
    const index = Math.floor((event.at - first) / BUCKET_MS);
    const failed = event.outcome === 'error';
    client.calls[index]!++;
    if (failed) client.errors[index]!++;
    if (event.at >= recentFrom) {
      if (failed) client.failed++;
      client.recent.push(Number.isFinite(event.durationMs) ? event.durationMs! : 0);
    }
  }
  const views: ClientActivity[] = [];
  for (const [key, client] of clients) {
    const durations = client.recent.sort((a, b) => a - b);
    const medianMs = percentile(durations, 0.5);
    const p95Ms = percentile(durations, 0.95);
    views.push({
      key,
      name: client.name,
      ...(client.origin !== undefined ? { origin: client.origin } : {}),
      series: client.calls.map((calls, index) => ({
        start: first + index * BUCKET_MS,
        calls,
        errors: client.errors[index]!,
      })),
      recent: {
        calls: durations.length,
        errors: client.failed,
        ...(medianMs !== undefined ? { medianMs } : {}),
        ...(p95Ms !== undefined ? { p95Ms } : {}),
      },
    });
  }
  // The busiest first: the page answers "who is doing the most right now".
  return views.sort((a, b) => b.recent.calls - a.recent.calls || a.name.localeCompare(b.name));
}
