/**
 * Per-server call activity for the dashboard's charts: calls, errors and latency over the last
 * minutes, in fixed time buckets. Recording is O(1) and allocation-free per call (a latency
 * histogram per bucket instead of a list of durations), so it can stay on at any call rate; the
 * median and p95 it reports are the upper edges of the histogram bins they fall in.
 */
import type { Clock } from '../ports.ts';

/** Upper edges of the latency bins, in ms. The last bin takes everything slower. */
const BIN_EDGES_MS = [
  0.25,
  0.5,
  1,
  2,
  3,
  5,
  7.5,
  10,
  15,
  20,
  30,
  50,
  75,
  100,
  150,
  200,
  300,
  500,
  750,
  1_000,
  2_000,
  5_000,
  10_000,
  30_000,
  60_000,
  Infinity,
] as const;

interface Bucket {
  /** Start of the bucket (ms since epoch, a multiple of the bucket length). */
  start: number;
  calls: number;
  errors: number;
  bins: Uint32Array;
}

export interface ActivityPoint {
  start: number;
  calls: number;
  errors: number;
  /** Undefined when there were no calls. */
  medianMs?: number;
  p95Ms?: number;
}

export interface ActivitySummary {
  calls: number;
  errors: number;
  medianMs?: number;
  p95Ms?: number;
}

export class Activity {
  readonly #servers = new Map<string, Bucket[]>();

  constructor(
    private readonly clock: Clock,
    /** Length of one bucket. */
    readonly bucketMs = 10_000,
    /** How many buckets are kept: 60 × 10 s is the last 10 minutes. */
    readonly buckets = 60,
  ) {}

  record(serverId: string, ms: number, ok: boolean): void {
    const start = this.#bucketStart(this.clock.now());
    let list = this.#servers.get(serverId);
    if (!list) this.#servers.set(serverId, (list = []));
    let bucket = list.at(-1);
    if (!bucket || bucket.start !== start) {
      bucket = { start, calls: 0, errors: 0, bins: new Uint32Array(BIN_EDGES_MS.length) };
      list.push(bucket);
      const oldest = start - (this.buckets - 1) * this.bucketMs;
      while (list[0]!.start < oldest) list.shift();
    }
    bucket.calls++;
    if (!ok) bucket.errors++;
    bucket.bins[binOf(ms)]!++;
  }

  /** One point per bucket of the window, oldest first, empty buckets included. */
  series(serverId: string): ActivityPoint[] {
    const end = this.#bucketStart(this.clock.now());
    const byStart = new Map((this.#servers.get(serverId) ?? []).map((b) => [b.start, b]));
    const points: ActivityPoint[] = [];
    for (let index = this.buckets - 1; index >= 0; index--) {
      const start = end - index * this.bucketMs;
      const bucket = byStart.get(start);
      points.push(bucket ? pointOf(bucket) : { start, calls: 0, errors: 0 });
    }
    return points;
  }

  /** Totals over the last `windowMs` (the whole kept window by default). */
  summary(serverId: string, windowMs = this.buckets * this.bucketMs): ActivitySummary {
    const since = this.#bucketStart(this.clock.now()) - windowMs + this.bucketMs;
    const bins = new Uint32Array(BIN_EDGES_MS.length);
    let calls = 0;
    let errors = 0;
    for (const bucket of this.#servers.get(serverId) ?? []) {
      if (bucket.start < since) continue;
      calls += bucket.calls;
      errors += bucket.errors;
      for (let i = 0; i < bins.length; i++) bins[i]! += bucket.bins[i]!;
    }
    return { calls, errors, ...percentiles(bins, calls) };
  }

  forget(serverId: string): void {
    this.#servers.delete(serverId);
  }

  #bucketStart(now: number): number {
    return now - (now % this.bucketMs);
  }
}

function binOf(ms: number): number {
  for (let i = 0; i < BIN_EDGES_MS.length; i++) if (ms <= BIN_EDGES_MS[i]!) return i;
  return BIN_EDGES_MS.length - 1;
}

function pointOf(bucket: Bucket): ActivityPoint {
  return {
    start: bucket.start,
    calls: bucket.calls,
    errors: bucket.errors,
    ...percentiles(bucket.bins, bucket.calls),
  };
}

/** The bin edges the median and the 95th percentile fall under. */
function percentiles(bins: Uint32Array, calls: number): { medianMs?: number; p95Ms?: number } {
  if (calls === 0) return {};
  const at = (fraction: number): number => {
    const rank = Math.ceil(fraction * calls);
    let seen = 0;
    for (let i = 0; i < bins.length; i++) {
      seen += bins[i]!;
      if (seen >= rank) return edgeOf(i);
    }
    return edgeOf(bins.length - 1);
  };
  return { medianMs: at(0.5), p95Ms: at(0.95) };
}

/** A bin's upper edge; the open last bin reports the edge below it. */
function edgeOf(bin: number): number {
  const edge = BIN_EDGES_MS[bin]!;
  return Number.isFinite(edge) ? edge : BIN_EDGES_MS[bin - 1]!;
}
