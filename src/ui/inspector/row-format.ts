/**
 * How an Inspector row reads: its route, its status in words (with a glyph, never colour alone),
 * its latency on a log scale, the counts the live region announces, and the page's address for a
 * filtered view. Pure: text a person reads, no markup.
 */
import type { TrafficView } from '../../protocol/views.ts';
import { NO_FILTER, type Exchange, type ExchangeFilter, type ExchangeStatus } from './exchanges.ts';

/** Who sent the row's first message to whom: "client ▸ hub", "hub ▸ server", … */
export function routeText(first: Pick<TrafficView, 'side' | 'direction'>): string {
  if (first.side === 'client') return first.direction === 'in' ? 'client ▸ hub' : 'hub ▸ client';
  return first.direction === 'out' ? 'hub ▸ server' : 'server ▸ hub';
}

/** A time for a `datetime` attribute; '' for one no date can hold (a message's `at` is data). */
export function isoTime(at: number): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** A message's route in words, for the detail pane: "client → hub". */
export function messageRoute(message: Pick<TrafficView, 'side' | 'direction'>): string {
  return routeText(message).replace('▸', '→');
}

export const STATUS_WORDS: Record<ExchangeStatus, string> = {
  ok: 'ok',
  error: 'error',
  invalid: 'invalid',
  pending: 'pending',
  'one-way': 'one-way',
};

/** A shape per status, so it reads without colour (in a lane, the glyph is all there is). */
export const STATUS_GLYPHS: Record<ExchangeStatus, string> = {
  ok: '●',
  error: '▲',
  invalid: '✕',
  pending: '◌',
  'one-way': '→',
};

/** Latencies past this fill the whole bar: a minute is past any server's timeout. */
const FULL_BAR_MS = 60_000;

/**
 * How much of the latency bar `ms` fills, 0–1, on a log scale: 1 ms and 10 s must both show,
 * and a linear bar would make everything under a second a sliver.
 */
export function latencyFraction(ms: number | undefined): number {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return 0;
  return Math.min(1, Math.log10(1 + ms) / Math.log10(1 + FULL_BAR_MS));
}

/** "12 ms", "1,234 ms": always milliseconds, so rows compare at a glance. */
export function latencyText(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  return `${Math.round(ms).toLocaleString()} ms`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** What the live region says: counts only ("40 of 5,000 exchanges match the filters"). */
export function countsText(shown: number, total: number, messages: number): string {
  if (total === 0) return 'No messages yet.';
  const all = `${plural(total, 'exchange')} (${plural(messages, 'message')})`;
  return shown === total ? `${all}.` : `${shown.toLocaleString()} of ${all} match the filters.`;
}

/** The lanes of the Lanes view: the clients' side first, then one lane per server. */
export interface Lane {
  id: string;
  label: string;
}

export const CLIENTS_LANE: Lane = { id: '', label: 'clients' };

export function lanesOf(servers: ReadonlyArray<{ id: string; slug: string }>): Lane[] {
  const sorted = [...servers].sort((a, b) => a.slug.localeCompare(b.slug));
  return [CLIENTS_LANE, ...sorted.map((server) => ({ id: server.id, label: server.slug }))];
}

/** The lane a row's mark goes in: its server's, or the clients' for a client-side row. */
export function laneOf(row: Exchange, lanes: readonly Lane[]): number {
  if (row.first.side === 'client') return 0;
  return row.serverId === undefined ? -1 : lanes.findIndex((lane) => lane.id === row.serverId);
}

/**
 * A filter's options, as `[id, name]`: the servers or clients connected now, then those gone that
 * still have rows ("(gone)"), then the one the address chose if neither knows it, so the choice
 * still shows in the select.
 */
export function choices(
  connected: ReadonlyArray<readonly [string, string]>,
  seen: ReadonlyArray<readonly [string, string]>,
  chosen: string,
): Array<[string, string]> {
  const named = new Map<string, string>(connected);
  for (const [id, name] of seen) if (!named.has(id)) named.set(id, `${name} (gone)`);
  if (chosen && !named.has(chosen)) named.set(chosen, `${chosen} (no messages)`);
  return [...named];
}

const ADDRESS = /^#\/?inspector\/(.*)$/;

/**
 * A filter read from the page's address, `#/inspector/client=<session id>&server=<server id>`,
 * so a per-client (or per-server) view can be linked to and reloaded. Anything else is ignored.
 */
export function filterFromAddress(hash: string): Partial<ExchangeFilter> {
  const match = ADDRESS.exec(hash);
  if (!match) return {};
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(match[1]);
  } catch {
    return {};
  }
  const filter: Partial<ExchangeFilter> = {};
  const client = params.get('client');
  const server = params.get('server');
  if (client) filter.sessionId = client;
  if (server) filter.serverId = server;
  return filter;
}

/** The address of the Inspector with `filter`'s client and server (the inverse of the above). */
export function addressOf(filter: ExchangeFilter = NO_FILTER): string {
  const params = new URLSearchParams();
  if (filter.sessionId) params.set('client', filter.sessionId);
  if (filter.serverId) params.set('server', filter.serverId);
  const query = params.toString();
  return query ? `#/inspector/${query}` : '#/inspector';
}

/** Methods whose request names what the audit journal records as the event's target. */
const AUDITED_TARGET: Record<string, 'name' | 'uri'> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'resources/subscribe': 'uri',
};
/** Longer request text is not parsed just to find a name for a link. */
const SUBJECT_SCAN_CHARS = 1_000_000;

/** A request's `params`, read from its JSON (as the hub formatted it); undefined if none. */
function paramsOf(json: string): Record<string, unknown> | undefined {
  if (json.length > SUBJECT_SCAN_CHARS) return undefined;
  let message: unknown;
  try {
    message = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof message !== 'object' || message === null) return undefined;
  const params = (message as { params?: unknown }).params;
  return typeof params === 'object' && params !== null && !Array.isArray(params)
    ? (params as Record<string, unknown>)
    : undefined;
}

/** A short, non-empty string, or undefined: a name to put in a link. */
function shortName(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 2_048 ? value : undefined;
}

/**
 * The tool, prompt or URI a request names, read from its JSON, for a link to the journal's
 * events about it; undefined when the method names none, the text is cut or too long, or the
 * name is not a short string. The JSON is a client's or server's: anything.
 */
export function auditedSubject(method: string | undefined, json: string): string | undefined {
  const field = method === undefined ? undefined : AUDITED_TARGET[method];
  return field ? shortName(paramsOf(json)?.[field]) : undefined;
}

/**
 * The tool call a client sent the hub, to run again from the Playground: its tool's name (the
 * hub's name for it, which the Playground lists) and its arguments. Only a client's own request
 * (a server's leg names the tool as its server knows it); undefined for anything else.
 */
export function replayOf(
  message: Pick<TrafficView, 'side' | 'direction' | 'kind' | 'method'>,
  json: string,
): { tool: string; arguments: Record<string, unknown> } | undefined {
  if (message.side !== 'client' || message.direction !== 'in') return undefined;
  if (message.kind !== 'request' || message.method !== 'tools/call') return undefined;
  const params = paramsOf(json);
  const tool = shortName(params?.name);
  const args = params?.arguments;
  if (!tool) return undefined;
  if (args === undefined) return { tool, arguments: {} };
  return typeof args === 'object' && args !== null && !Array.isArray(args)
    ? { tool, arguments: args as Record<string, unknown> }
    : undefined;
}
