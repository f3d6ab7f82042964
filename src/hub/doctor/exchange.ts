/**
 * How the doctor talks to a server: one request with a deadline, reading only as much of the
 * body as it needs (an SSE stream would stay open for ever), and picking the JSON-RPC answer or
 * the legacy `endpoint` event out of what came back.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { networkCode } from '../upstream/connectors/http.ts';
export type Send = (
  init: RequestInit,
  read?: (text: string) => boolean,
  ms?: number,
) => Promise<Outcome>;

/** The id of the doctor's initialize request, to find its answer among what comes back. */
export const INITIALIZE_ID = 1;

export type Failed = { answered: false; timedOut: boolean; code?: string };
export type Outcome = { answered: true; response: Response; body: string } | Failed;

/**
 * One request with a deadline. `read` decides how much of the body to read: not at all when
 * absent; until it returns true, the body ends or 64 KiB otherwise. The request is aborted
 * afterwards, which closes any stream still open (an SSE GET would stay open for ever).
 */
export async function exchange(
  fetch: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  read?: (text: string) => boolean,
): Promise<Outcome> {
  // The platform's own timeout signal: the doctor keeps no timers of its own to clear.
  const deadline = AbortSignal.timeout(timeoutMs);
  const controller = new AbortController();
  try {
    const signal = AbortSignal.any([deadline, controller.signal]);
    const response = await fetch(url, { ...init, signal });
    const body = read ? await readText(response, read) : '';
    return { answered: true, response, body };
  } catch (error) {
    return { answered: false, timedOut: deadline.aborted, code: networkCode(error) };
  } finally {
    controller.abort();
  }
}

export async function readText(
  response: Response,
  enough: (text: string) => boolean,
): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < 65_536 && !enough(text)) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return text;
}

export interface JsonRpcAnswer {
  result?: unknown;
  error?: { message?: unknown };
}

/** The answer to the initialize request in a JSON body or an SSE stream, if it is there. */
export function jsonRpcAnswer(text: string, sse: boolean): JsonRpcAnswer | undefined {
  const candidates = sse ? sseData(text) : [text];
  for (const candidate of candidates) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(candidate);
    } catch {
      continue;
    }
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
      if (
        message !== null &&
        typeof message === 'object' &&
        (message as { id?: unknown }).id === INITIALIZE_ID &&
        ('result' in message || 'error' in message)
      ) {
        return message as JsonRpcAnswer;
      }
    }
  }
  return undefined;
}

/** The `error.message` of a JSON-RPC error body, shortened; undefined for anything else. */
export function errorMessage(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' && message !== '' ? excerpt(message) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Server text quoted in a sentence: untrusted, so only its first characters, on one line, with
 * control characters removed. (The UI shows it as text, never as HTML.)
 */
export function excerpt(value: unknown, max = 120): string {
  const text = String(value ?? '')
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Whether a GET opens an SSE stream whose first event is `endpoint` (HTTP+SSE transport). */
export async function isLegacySse(send: Send): Promise<boolean> {
  // Read until the first whole event; it says whether this is an HTTP+SSE server.
  const outcome = await send(
    { method: 'GET', headers: { accept: 'text/event-stream' } },
    (text) => sseEvents(text).length > 0,
    5_000,
  );
  return (
    outcome.answered &&
    outcome.response.ok &&
    sseEvents(outcome.body, true)[0]?.event === 'endpoint'
  );
}

/**
 * The events in an SSE text. `ended`: the text is all the doctor will read, so a last event the
 * server did not finish with a blank line counts too (a partial data line then fails as JSON).
 */
export function sseEvents(text: string, ended = false): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  createParser({ onEvent: (event) => events.push(event) }).feed(ended ? `${text}\n\n` : text);
  return events;
}

/** The data of each event in an SSE text (read as ended: see `sseEvents`). */
export function sseData(text: string): string[] {
  return sseEvents(text, true).map((event) => event.data);
}
