/**
 * The Audit journal's rows, pure: the hub's events (newest first) as a list oldest first, the way
 * the Inspector and every log reads (the newest at the bottom, followed live), each with a key
 * that stays the same when the list is fetched again, so the row in view and the selected row stay
 * put; the words of a row; the links to its messages in the Inspector; and the CSV export.
 */
import type { JournalEvent } from '../../protocol/consent.ts';
import { addressOf } from '../inspector/row-format.ts';
import { NO_FILTER } from '../inspector/exchanges.ts';

export interface JournalRow {
  /** Increasing along the list; the same event keeps its key from one fetch to the next. */
  key: number;
  event: JournalEvent;
}

/**
 * Keys are the event's time in ms, scaled to leave room for events of the same millisecond, so
 * they survive a new fetch (new events at the end, the oldest trimmed). Where times do not
 * increase (two events of one ms, a clock set back) a key is one more than the one before: keys
 * must strictly increase, or the list would find the wrong row and the grid would repeat an id.
 */
const SAME_MS = 1_024;

export function journalRows(newestFirst: readonly JournalEvent[]): JournalRow[] {
  const rows: JournalRow[] = new Array<JournalRow>(newestFirst.length);
  let last = -Infinity;
  for (let i = newestFirst.length - 1, at = 0; i >= 0; i--, at++) {
    const event = newestFirst[i]!;
    const time = Number.isFinite(event.at) ? event.at : 0;
    const key = Math.max(time * SAME_MS, last + 1);
    rows[at] = { key, event };
    last = key;
  }
  return rows;
}

/** "allow", or "allow · grant": what the policy said and by which rule. */
export function decisionText(event: JournalEvent): string {
  if (!event.decision) return event.rule ?? '';
  return event.rule ? `${event.decision} · ${event.rule}` : event.decision;
}

/** "ok", "error", or "error -32603". */
export function outcomeText(event: JournalEvent): string {
  if (!event.outcome) return '';
  return event.errorCode === undefined ? event.outcome : `${event.outcome} ${event.errorCode}`;
}

/** What the row is about: the tool, prompt or URI, else the event's detail. */
export function subjectText(event: JournalEvent): string {
  return event.target ?? event.detail ?? '';
}

/**
 * The Inspector's views of this event's client and of its server (their messages, while the hub
 * still holds them). Two links, not one: the Inspector's rows are one leg each (client ↔ hub, or
 * hub ↔ server), so no row has both, and a filter on both would show nothing.
 */
export function inspectorLinks(event: JournalEvent): Array<{ label: string; address: string }> {
  const links: Array<{ label: string; address: string }> = [];
  if (event.sessionId) {
    links.push({
      label: "This client's messages in the Inspector",
      address: addressOf({ ...NO_FILTER, sessionId: event.sessionId }),
    });
  }
  if (event.serverId) {
    links.push({
      label: "This server's messages in the Inspector",
      address: addressOf({ ...NO_FILTER, serverId: event.serverId }),
    });
  }
  return links;
}

const CSV_COLUMNS = [
  'at',
  'kind',
  'event',
  'clientName',
  'origin',
  'serverSlug',
  'method',
  'target',
  'decision',
  'rule',
  'outcome',
  'errorCode',
  'durationMs',
  'detail',
  'arguments',
] as const satisfies ReadonlyArray<keyof JournalEvent>;

/**
 * One CSV cell (RFC 4180). A value a spreadsheet would run as a formula (a tool name or detail
 * from a server starting with `=`, `+`, `-`, `@`) gets a leading `'`: the journal's words are
 * other people's data.
 */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (typeof value !== 'number' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The events as CSV, oldest first, times as ISO 8601 (UTC), a header line first. */
export function journalCsv(newestFirst: readonly JournalEvent[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const event = newestFirst[i]!;
    lines.push(
      CSV_COLUMNS.map((column) =>
        column === 'at' ? cell(isoOrEmpty(event.at)) : cell(event[column]),
      ).join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

function isoOrEmpty(at: number): string {
  return Number.isFinite(at) ? new Date(at).toISOString() : '';
}
