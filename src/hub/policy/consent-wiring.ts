/**
 * How the person's policy meets the rest of the hub, in one place so hub.ts stays composition:
 * - a change of the person's decisions refreshes the lists of the clients it touches and ends
 *   the sessions of a client refused from now on;
 * - every new list of a server's tools is checked against the pins: new tools are pinned (their
 *   server was approved when the person added it), a changed one is blocked, raises a security
 *   event, and the clients' lists drop it;
 * - a client that connects is asked about (../person/consent.ts);
 * - a removed server takes its grants and pins with it.
 */
import type { Tool } from '@modelcontextprotocol/client';
import { Consent, type ConsentDeps } from '../person/consent.ts';
import type { EventRetention, JournalEvent } from '../ports.ts';
import type { ConsentChange, ConsentPolicy } from './consent-policy.ts';
import { clientKey } from './keys.ts';
import type { Principal } from './policy.ts';

/** The hub's pieces this wiring works with. */
export interface ConsentWiringDeps extends Omit<ConsentDeps, 'policy'> {
  policy: ConsentPolicy;
  /** The live sessions, with what this needs of each. */
  sessions: () => Iterable<{
    principal: Principal;
    listsChanged(kinds: readonly ('tools' | 'prompts' | 'resources' | 'templates')[]): void;
    close(): Promise<void>;
  }>;
  record: (event: Omit<JournalEvent, 'at'>) => void;
  /** Dashboards refetch what the person decided (and what waits for review). */
  changed: () => void;
  log: (message: string) => void;
}

const EVERY_LIST = ['tools', 'prompts', 'resources', 'templates'] as const;
const DAY_MS = 86_400_000;

export class ConsentWiring {
  readonly consent: Consent;
  readonly #stop: () => void;

  constructor(private readonly deps: ConsentWiringDeps) {
    this.consent = new Consent(deps);
    this.#stop = deps.policy.listen((change) => this.#decided(change));
  }

  get policy(): ConsentPolicy {
    return this.deps.policy;
  }

  #decided(change: ConsentChange): void {
    const touched =
      change.clients === 'all' ? undefined : new Set(change.clients.map((c) => clientKey(c)));
    for (const session of this.deps.sessions()) {
      if (touched && !touched.has(clientKey(session.principal))) continue;
      if (this.deps.policy.standing(session.principal) === 'denied') void session.close();
      else session.listsChanged(EVERY_LIST);
    }
    this.#audit(change);
    this.deps.changed();
  }

  /** The person's decisions about clients are security events (who may use Nexus changed). */
  #audit(change: ConsentChange): void {
    if (change.replaced)
      this.deps.record({
        kind: 'security',
        event: 'decisions-imported',
        detail: 'Every client decision and grant was replaced by an imported file.',
      });
    for (const client of change.decided ?? [])
      this.deps.record({
        kind: 'security',
        event: client.state === 'approved' ? 'client-approved' : 'client-refused',
        origin: client.origin,
        clientName: client.clientName,
        detail: `Client '${client.clientName}' (${client.origin}) was ${client.state === 'approved' ? 'approved' : 'refused'}${client.servers ? `, limited to ${client.servers.length} server(s)` : ''}.`,
      });
    for (const client of change.forgotten ?? [])
      this.deps.record({
        kind: 'security',
        event: 'client-forgotten',
        origin: client.origin,
        clientName: client.clientName,
        detail: `Client '${client.clientName}' (${client.origin}) was forgotten: it is asked about again when it connects.`,
      });
  }

  /** A client connected (any era, any entry). */
  arrived(principal: Principal): void {
    this.consent.arrived(principal);
  }

  /**
   * A server's tools as listed now. Resolves once the pins are written; a changed definition
   * is recorded as a security event and its clients' lists are refreshed (it leaves them).
   */
  async toolsListed(server: { id: string; slug: string }, tools: readonly Tool[]): Promise<void> {
    try {
      const { changed } = await this.deps.policy.pins.observe(server.id, tools, 'server-approved');
      for (const change of changed) {
        this.deps.record({
          kind: 'security',
          event: 'pin-mismatch',
          serverId: server.id,
          serverSlug: server.slug,
          target: change.tool,
          detail: `The definition of tool '${change.tool}' on server '${server.slug}' changed since it was approved; it is blocked for every client until the person reviews the change.`,
        });
      }
      if (changed.length > 0) {
        for (const session of this.deps.sessions()) session.listsChanged(['tools']);
        this.deps.changed();
      }
    } catch (error) {
      this.deps.log(`could not check the pins of server '${server.slug}': ${String(error)}`);
    }
  }

  async serverRemoved(serverId: string): Promise<void> {
    try {
      await this.deps.policy.forgetServer(serverId);
    } catch (error) {
      this.deps.log(`could not remove the grants and pins of a removed server: ${String(error)}`);
    }
  }

  /** What the audit journal keeps, by the person's settings. */
  retention(): EventRetention {
    const { keepCount, keepDays } = this.deps.policy.settings.audit;
    return { count: keepCount, since: this.deps.clock.now() - keepDays * DAY_MS };
  }

  close(): void {
    this.#stop();
  }
}
