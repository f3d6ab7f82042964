/** Small pure formatters for the dashboard: text a person reads, no markup. */
import type { BridgeView, ClientIdentity, ServerStatus } from '../../protocol/views.ts';

/**
 * The status as the server list shows it: `connecting`, `ready`, `ready (2 warnings)`,
 * `error: <reason>`, `Needs sign-in: <reason>`, `disabled`.
 */
export function statusText(status: ServerStatus): string {
  switch (status.state) {
    case 'error':
      return `error: ${status.reason}`;
    case 'needs-sign-in':
      return `Needs sign-in: ${status.reason}`;
    case 'ready':
      return status.warnings?.length
        ? `ready (${status.warnings.length === 1 ? '1 warning' : `${status.warnings.length} warnings`})`
        : 'ready';
    default:
      return status.state;
  }
}

/**
 * The glyph beside a status (UI.md §2): the shape tells the state apart without colour, for
 * people who do not see the colour. Decoration only: the status's words say the same.
 */
export function statusGlyph(state: ServerStatus['state']): string {
  switch (state) {
    case 'ready':
      return '●';
    case 'connecting':
      return '◐';
    case 'error':
      return '▲';
    case 'needs-sign-in':
      return '🔑';
    case 'disabled':
      return '○';
  }
}

/** "1 tool", "3 tools". */
export function toolCount(n: number): string {
  return n === 1 ? '1 tool' : `${n} tools`;
}

/** "12 ms (last), median 10 ms of 8": the last health checks' round trips. */
export function latencyText(latencies: readonly number[]): string {
  const last = latencies.at(-1);
  if (last === undefined) return 'not measured yet';
  const sorted = [...latencies].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return latencies.length === 1
    ? `${last} ms`
    : `${last} ms (last), median ${median} ms of ${latencies.length}`;
}

/** "Added 1 server" style plurals for the import summary. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "just now", "5 minutes ago", "2 hours ago", "3 days ago". */
export function relativeTime(then: number, now: number): string {
  const seconds = Math.round((then - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return relative.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return relative.format(hours, 'hour');
  return relative.format(Math.round(hours / 24), 'day');
}

/** How Nexus identified itself to a server's authorization server, in words. */
export function identityText(identity: ClientIdentity): string {
  switch (identity) {
    case 'metadata-document':
      return "Nexus's client metadata document";
    case 'dynamic-registration':
      return 'registered dynamically';
    case 'pre-registered':
      return 'a client id you set';
  }
}

/** "expires in 5 minutes", "expired 2 hours ago": when an access token ends. */
export function expiryText(expiresAt: number, now: number): string {
  const when = relativeTime(expiresAt, now);
  if (expiresAt > now) return when === 'just now' ? 'expires in under a minute' : `expires ${when}`;
  return `expired ${when}`;
}

/** Turns whatever an action threw into a sentence. Hub errors arrive (through comlink) as `Error`s
 * whose message is already written for people; anything else is stringified. */
export function messageOf(error: unknown, fallback: string): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === 'string' && error) return error;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const message = (error as { message: unknown }).message;
    if (typeof message === 'string' && message) return message;
  }
  return fallback;
}

/**
 * The top bar's hub pill: "5/6 ready · 2 clients". Disabled servers are left out of the count:
 * the person turned them off, so they are not something waiting to be ready.
 */
export function hubSummary(
  servers: ReadonlyArray<{ enabled: boolean; status: Pick<ServerStatus, 'state'> }>,
  clients: number,
): string {
  const enabled = servers.filter((server) => server.enabled);
  const ready = enabled.filter((server) => server.status.state === 'ready').length;
  return `${ready}/${enabled.length} ready · ${plural(clients, 'client')}`;
}

/** The top bar's bridge pill, in words: nexus-bridge as the hub last reported it. */
export function bridgeText(state: BridgeView['state']): { glyph: string; text: string } {
  switch (state) {
    case 'connected':
      return { glyph: '●', text: 'connected' };
    case 'no-extension':
      return { glyph: '○', text: 'extension not installed' };
    case 'no-host':
      return { glyph: '○', text: 'not installed' };
    default:
      return { glyph: '◐', text: 'connecting' };
  }
}

/** "2.5 %" of calls that failed, or "—" with no calls. */
export function errorRate(errors: number, calls: number): string {
  return calls === 0 ? '—' : `${Math.round((errors / calls) * 1000) / 10} %`;
}

/** "≤ 40 ms": a latency from the hub's histogram is a bound, not a measurement; "—" if none. */
export function latencyBound(ms: number | undefined): string {
  return ms === undefined ? '—' : `≤ ${ms} ms`;
}
