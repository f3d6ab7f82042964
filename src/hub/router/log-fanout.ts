/**
 * Server log messages fanned out to the sessions that want them, and the level each server is
 * asked for: the least severe any session set (each session then filters for itself), set on a
 * server only when it changes, and again after the server reconnects.
 */
import type { LoggingLevel, LoggingMessageNotification } from '@modelcontextprotocol/client';
import type { Upstream } from '../upstream/upstream.ts';
import { severity } from './log-levels.ts';

/** What the fan-out needs of a session. */
export interface LogListener {
  readonly scope: string | undefined;
  readonly logLevel: LoggingLevel | undefined;
  log(serverId: string, params: LoggingMessageNotification['params']): void;
}

export class LogFanout {
  /** The level each upstream was last set to, so it is set only when it changes. */
  readonly #levels = new Map<string, LoggingLevel>();

  constructor(
    private readonly upstreams: () => Iterable<Upstream>,
    private readonly sessions: () => Iterable<LogListener>,
    private readonly log: (message: string) => void,
  ) {}

  /** Relays a server's message to the sessions that see the server, naming it in `logger`. */
  message(source: Upstream, params: LoggingMessageNotification['params']): void {
    const logger = params.logger ? `${source.entry.slug}/${params.logger}` : source.entry.slug;
    for (const session of this.sessions())
      if (session.scope === undefined || session.scope === source.id)
        session.log(source.id, { ...params, logger });
  }

  /** A session changed its level: ask every upstream for the least severe level wanted. */
  async levelChanged(): Promise<void> {
    await Promise.all([...this.upstreams()].map((upstream) => this.apply(upstream)));
  }

  /** The server reconnected and forgot its level. */
  async reconnected(upstream: Upstream): Promise<void> {
    this.#levels.delete(upstream.id);
    await this.apply(upstream);
  }

  async apply(upstream: Upstream): Promise<void> {
    const levels = [...this.sessions()]
      .map((session) => session.logLevel)
      .filter((level): level is LoggingLevel => level !== undefined);
    if (levels.length === 0 || upstream.status.state !== 'ready') return;
    if (!upstream.offers('logging')) return;
    const lowest = levels.reduce((a, b) => (severity(a) <= severity(b) ? a : b));
    if (this.#levels.get(upstream.id) === lowest) return;
    this.#levels.set(upstream.id, lowest);
    await upstream.setLoggingLevel(lowest).catch((error: unknown) => {
      this.#levels.delete(upstream.id);
      this.log(`could not set the log level of '${upstream.entry.slug}': ${String(error)}`);
    });
  }
}
