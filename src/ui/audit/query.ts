/**
 * The Audit page's filters as the person typed them, turned into the hub's `AuditQuery`: empty
 * fields are left out, times from `datetime-local` inputs (local time) become clock ms.
 */
import type { AuditQuery } from '../../protocol/consent.ts';

export interface AuditFilters {
  kind: '' | 'audit' | 'security';
  client: string;
  server: string;
  target: string;
  decision: '' | 'allow' | 'ask' | 'deny';
  /** `YYYY-MM-DDTHH:MM` or empty. */
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = {
  kind: '',
  client: '',
  server: '',
  target: '',
  decision: '',
  from: '',
  to: '',
};

function time(local: string): number | undefined {
  if (!local) return undefined;
  const at = new Date(local).getTime();
  return Number.isFinite(at) ? at : undefined;
}

export function auditQuery(filters: AuditFilters): AuditQuery {
  const from = time(filters.from);
  // "To 10:42" includes the whole of that minute.
  const to = time(filters.to);
  return {
    ...(filters.kind ? { kind: filters.kind } : {}),
    ...(filters.client.trim() ? { client: filters.client.trim() } : {}),
    ...(filters.server ? { server: filters.server } : {}),
    ...(filters.target.trim() ? { target: filters.target.trim() } : {}),
    ...(filters.decision ? { decision: filters.decision } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to: to + 59_999 } : {}),
  };
}
