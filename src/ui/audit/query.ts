/**
 * The Audit page's filters as the person set them (chips, the search box, the server, a time
 * range), turned into the hub's `AuditQuery`: empty fields are left out, times from
 * `datetime-local` inputs (local time) become clock ms.
 */
import type { AuditQuery } from '../../protocol/consent.ts';

/** Events fetched at most: the journal's window shows them all; export for more. */
export const JOURNAL_LIMIT = 10_000;

export interface AuditFilters {
  kind: '' | 'audit' | 'security';
  decision: '' | 'allow' | 'ask' | 'deny';
  errorsOnly: boolean;
  /** Words of a row: client, server, tool or URI, event, detail. */
  text: string;
  /** A server's slug, or empty for any. */
  server: string;
  /** `YYYY-MM-DDTHH:MM` or empty. */
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = {
  kind: '',
  decision: '',
  errorsOnly: false,
  text: '',
  server: '',
  from: '',
  to: '',
};

/** The chips, in order: each sets one field, and pressing a pressed chip clears it. */
export const KIND_CHIPS = [
  { value: 'audit', label: 'Actions' },
  { value: 'security', label: '⚠ Security' },
] as const;
export const DECISION_CHIPS = [
  { value: 'allow', label: 'Allowed' },
  { value: 'ask', label: 'Asked' },
  { value: 'deny', label: 'Denied' },
] as const;

function time(local: string): number | undefined {
  if (!local) return undefined;
  const at = new Date(local).getTime();
  return Number.isFinite(at) ? at : undefined;
}

export function auditQuery(filters: AuditFilters, limit = JOURNAL_LIMIT): AuditQuery {
  const from = time(filters.from);
  // "To 10:42" includes the whole of that minute.
  const to = time(filters.to);
  const text = filters.text.trim();
  return {
    ...(filters.kind ? { kind: filters.kind } : {}),
    ...(filters.decision ? { decision: filters.decision } : {}),
    ...(filters.errorsOnly ? { outcome: 'error' as const } : {}),
    ...(text ? { text } : {}),
    ...(filters.server ? { server: filters.server } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to: to + 59_999 } : {}),
    limit,
  };
}

/** How many filters are set, for the "Clear filters (N)" button. */
export function filterCount(filters: AuditFilters): number {
  return (Object.keys(NO_FILTERS) as Array<keyof AuditFilters>).filter(
    (field) => filters[field] !== NO_FILTERS[field],
  ).length;
}

const ADDRESS = /^#\/?audit\/(.*)$/;

/**
 * The search and server read from the page's address, `#/audit/q=<words>&server=<slug>`, so
 * other pages link to what the journal holds about a client or a tool, and a reload keeps it.
 * Anything else in it is ignored.
 */
export function filtersFromAddress(hash: string): Partial<AuditFilters> {
  const match = ADDRESS.exec(hash);
  if (!match) return {};
  const params = new URLSearchParams(match[1]);
  const filters: Partial<AuditFilters> = {};
  const text = params.get('q');
  const server = params.get('server');
  if (text) filters.text = text;
  if (server) filters.server = server;
  return filters;
}

/** The address of the journal searched for `text` (and one server's); the inverse of the above. */
export function auditAddress(filters: Partial<Pick<AuditFilters, 'text' | 'server'>>): string {
  const params = new URLSearchParams();
  if (filters.text) params.set('q', filters.text);
  if (filters.server) params.set('server', filters.server);
  const query = params.toString();
  return query ? `#/audit/${query}` : '#/audit';
}
