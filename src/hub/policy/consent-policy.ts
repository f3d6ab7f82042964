/**
 * The person's policy: client approval, per-item grants with defaults from the settings and the
 * tools' annotations, and tool pins (DESIGN, "Consent, grants and pins"). It decides from what it
 * holds in memory (read once from the `GrantStore` and `PinStore`, written through on every
 * change, one transaction per decision), so a call pays a few map lookups, not a database read.
 *
 * It asks nobody: an `ask` verdict goes back to the session, which puts the question on the
 * person queue (../person/consent.ts) and reports the answer here (`answered`). Listeners hear of
 * every change of the decisions, so the hub can refresh clients' lists and end revoked sessions.
 */
import type { Prompt, Tool } from '@modelcontextprotocol/client';
import {
  DEFAULT_CONSENT_SETTINGS,
  type ClientId,
  type ClientRecord,
  type ConsentAnswer,
  type ConsentSettings,
  type Grant,
  type GrantTarget,
} from '../../protocol/consent.ts';
import type {
  Clock,
  GrantChange,
  GrantKey,
  GrantSnapshot,
  GrantStore,
  PinStore,
} from '../ports.ts';
import { clientVerdict, decide, type Item } from './decide.ts';
import { clientKey, grantKey } from './keys.ts';
import { Pins, type PinState } from './pins.ts';
import type { ListKind, ListedOf, Policy, PolicyAction, Principal, Verdict } from './policy.ts';

export type { ConsentAnswer };

/**
 * What changed: the clients whose standing changed, or every client; and the client decisions
 * written (`decided`: approved or refused; `forgotten`), for the audit journal.
 */
export interface ConsentChange {
  clients: ClientId[] | 'all';
  decided?: ClientRecord[];
  forgotten?: ClientId[];
  /** An import replaced every decision. */
  replaced?: boolean;
}

function toolItem(serverId: string, tool: Tool, pin: PinState): Item {
  return {
    serverId,
    target: 'tool',
    name: tool.name,
    annotations: tool.annotations,
    pinChanged: pin.state === 'changed',
  };
}

const ALLOW_PERSON: Verdict = { decision: 'allow', rule: 'person' };
const ALLOW_CLIENT: Verdict = { decision: 'allow', rule: 'client-approved' };
const LIST_EMPTIED: Verdict = { decision: 'allow', rule: 'client-not-approved:empty-list' };

export interface ConsentPolicyOptions {
  grants: GrantStore;
  pins: PinStore;
  clock: Clock;
}

export class ConsentPolicy implements Policy {
  #settings: ConsentSettings = DEFAULT_CONSENT_SETTINGS;
  readonly #clients = new Map<string, ClientRecord>();
  readonly #grants = new Map<string, Grant>();
  readonly pins: Pins;
  readonly #listeners = new Set<(change: ConsentChange) => void>();

  constructor(private readonly options: ConsentPolicyOptions) {
    this.pins = new Pins(options.pins, options.clock);
  }

  /** Reads the decisions and pins; the hub serves nobody before this resolved. */
  async load(): Promise<void> {
    const [snapshot] = await Promise.all([this.options.grants.load(), this.pins.load()]);
    this.#settings = snapshot.settings ?? DEFAULT_CONSENT_SETTINGS;
    for (const client of snapshot.clients) this.#clients.set(clientKey(client), client);
    for (const grant of snapshot.grants) this.#grants.set(grantKey(grant), grant);
  }

  /** Hears of every change of the person's decisions; returns the way to stop. */
  listen(listener: (change: ConsentChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get settings(): ConsentSettings {
    return this.#settings;
  }

  client(client: ClientId): ClientRecord | undefined {
    return this.#clients.get(clientKey(client));
  }

  clients(): ClientRecord[] {
    return [...this.#clients.values()];
  }

  grants(): Grant[] {
    return [...this.#grants.values()];
  }

  /** Whether a client may use Nexus now: `approved`, `waiting` for the person, or `denied`. */
  standing(principal: Principal): 'approved' | 'waiting' | 'denied' {
    if (principal.person) return 'approved';
    const refusal = clientVerdict(this.#settings, this.client(principal));
    if (!refusal) return 'approved';
    return refusal.rule === 'client-waiting' ? 'waiting' : 'denied';
  }

  /** Synchronous but for a tool whose definition was never hashed yet (see `Pins.checkNow`). */
  authorize(principal: Principal, action: PolicyAction): Verdict | Promise<Verdict> {
    if (principal.person) return ALLOW_PERSON;
    const client = this.client(principal);
    switch (action.type) {
      case 'list':
        // Always answered: a client that is not approved (waiting, or refused) gets an empty
        // list from `filter`, not an error, so it keeps working and fills on approval.
        return clientVerdict(this.#settings, client) ? LIST_EMPTIED : ALLOW_CLIENT;
      case 'set-log-level':
        return clientVerdict(this.#settings, client) ?? ALLOW_CLIENT;
      case 'complete':
        return clientVerdict(this.#settings, client, action.serverId) ?? ALLOW_CLIENT;
      case 'call-tool': {
        const definition = action.definition;
        const decide = (pinChanged: boolean) =>
          this.#decide(client, {
            serverId: action.serverId,
            target: 'tool',
            name: definition?.name ?? action.tool,
            annotations: definition?.annotations,
            pinChanged,
          });
        if (definition === undefined) return decide(false);
        const known = this.pins.checkNow(action.serverId, definition);
        if (known) return decide(known.state === 'changed');
        return this.pins
          .check(action.serverId, definition)
          .then((state) => decide(state.state === 'changed'));
      }
      case 'get-prompt':
        return this.#decide(client, {
          serverId: action.serverId,
          target: 'prompt',
          name: action.definition?.name ?? action.prompt,
        });
      case 'read-resource':
      case 'subscribe-resource':
        return this.#decide(client, {
          serverId: action.serverId,
          target: 'resource',
          name: action.uri,
        });
    }
  }

  /**
   * The items a client may see: not those it is denied (by grant, default, a server it may not
   * see, or a changed pin); `ask` ones stay, as their call will ask. The same array when all stay.
   */
  async filter<K extends ListKind>(
    principal: Principal,
    items: readonly ListedOf<K>[],
  ): Promise<readonly ListedOf<K>[]> {
    if (principal.person) return items;
    const client = this.client(principal);
    if (clientVerdict(this.#settings, client)) return [];
    const kept: ListedOf<K>[] = [];
    for (const listed of items) {
      // Every listed tool was hashed when its list arrived: the item is known at once, and a
      // list of thousands is decided without a wait per item (bench row 5c).
      const known = this.#itemOf(listed);
      const item = known instanceof Promise ? await known : known;
      if (this.#decide(client, item).decision !== 'deny') kept.push(listed);
    }
    return kept.length === items.length ? items : kept;
  }

  /** What `listed` is to the decision table; a promise only for a tool not hashed yet. */
  #itemOf(listed: ListedOf<ListKind>): Item | Promise<Item> {
    const { serverId } = listed;
    switch (listed.kind) {
      case 'tools': {
        const tool = listed.original;
        const pin = this.pins.checkNow(serverId, tool);
        return pin
          ? toolItem(serverId, tool, pin)
          : this.pins.check(serverId, tool).then((checked) => toolItem(serverId, tool, checked));
      }
      case 'prompts':
        return { serverId, target: 'prompt', name: listed.original.name };
      case 'resources':
        return { serverId, target: 'resource', name: listed.original.uri };
      case 'templates':
        // A template is not a resource yet: its reads are decided per URI. Shown to approved
        // clients that may see its server.
        return { serverId, target: 'resource', name: listed.original.uriTemplate };
    }
  }

  #decide(client: ClientRecord | undefined, item: Item): Verdict {
    const key = { serverId: item.serverId, target: item.target, name: item.name };
    return decide(item, {
      settings: this.#settings,
      client,
      grant: client && this.#grants.get(grantKey({ ...key, client })),
      everyone: this.#grants.get(grantKey(key)),
      now: this.options.clock.now(),
    });
  }

  /** The person approved or refused a client (and chose the servers it may see). */
  async decideClient(
    client: ClientId,
    decision: Pick<ClientRecord, 'state' | 'servers' | 'label'>,
  ): Promise<ClientRecord> {
    const record: ClientRecord = {
      origin: client.origin,
      clientName: client.clientName,
      state: decision.state,
      ...(decision.servers ? { servers: [...decision.servers] } : {}),
      ...(decision.label ? { label: decision.label } : {}),
      decidedAt: this.options.clock.now(),
    };
    await this.#commit({ putClients: [record] }, { clients: [client] });
    return record;
  }

  /** Revokes a client: refused from now on, its own grants dropped (its sessions end). */
  revokeClient(client: ClientId): Promise<void> {
    return this.#revoke([client]);
  }

  /** Revokes every approved client at once (one decision, one transaction). */
  revokeAll(): Promise<void> {
    return this.#revoke(this.clients().filter((client) => client.state === 'approved'));
  }

  async #revoke(clients: ClientId[]): Promise<void> {
    const keys = new Set(clients.map((client) => clientKey(client)));
    const own = this.grants().filter((grant) => grant.client && keys.has(clientKey(grant.client)));
    const decidedAt = this.options.clock.now();
    const records: ClientRecord[] = clients.map((client) => ({
      origin: client.origin,
      clientName: client.clientName,
      state: 'denied',
      decidedAt,
    }));
    await this.#commit({ deleteGrants: own, putClients: records }, { clients });
  }

  /** Forgets a client entirely: it is asked about again when it next connects. */
  async forgetClient(client: ClientId): Promise<void> {
    await this.#commit({ deleteClients: [client] }, { clients: [client] });
  }

  /** Sets one grant (a switch on the Permissions page; no `client`: for everyone). */
  async setGrant(grant: Omit<Grant, 'grantedAt'>): Promise<void> {
    const full: Grant = { ...grant, grantedAt: this.options.clock.now() };
    await this.#commit({ putGrants: [full] }, { clients: grant.client ? [grant.client] : 'all' });
  }

  async removeGrant(key: GrantKey): Promise<void> {
    await this.#commit({ deleteGrants: [key] }, { clients: key.client ? [key.client] : 'all' });
  }

  async setSettings(settings: ConsentSettings): Promise<void> {
    await this.#commit({ settings }, { clients: 'all' });
  }

  /**
   * Records the person's answer to an `ask`: an "always" answer becomes this client's grant; any
   * allow pins the tool's definition as the one the person approved, if it had no pin yet.
   */
  async answered(
    principal: Principal,
    target: { serverId: string; target: GrantTarget; name: string; tool?: Tool | Prompt },
    answer: ConsentAnswer,
  ): Promise<void> {
    const client = { origin: principal.origin, clientName: principal.clientName };
    if (answer === 'allow-always' || answer === 'deny-always') {
      await this.setGrant({
        client,
        serverId: target.serverId,
        target: target.target,
        name: target.name,
        permission: answer === 'allow-always' ? 'allow' : 'deny',
      });
    }
    if (answer.startsWith('allow') && target.target === 'tool' && target.tool) {
      const tool = target.tool as Tool;
      if (!this.pins.get(target.serverId, tool.name))
        await this.pins.pin(target.serverId, tool, 'person');
    }
  }

  /** The person approved a changed definition: it is pinned as it is now, and unblocked. */
  async approveDefinition(serverId: string, tool: Tool): Promise<void> {
    await this.pins.pin(serverId, tool, 'person');
    this.#tell({ clients: 'all' });
  }

  /** Everything decided, as the decisions file holds it. */
  snapshot(): GrantSnapshot {
    return { clients: this.clients(), grants: this.grants(), settings: this.#settings };
  }

  /** Replaces every client, grant and the settings with an imported file's (ONE transaction). */
  async replaceAll(snapshot: GrantSnapshot): Promise<void> {
    await this.#commit(
      {
        clearAll: true,
        putClients: snapshot.clients,
        putGrants: snapshot.grants,
        settings: snapshot.settings ?? DEFAULT_CONSENT_SETTINGS,
      },
      { clients: 'all' },
    );
  }

  /** A server was removed: its grants and pins go with it. */
  async forgetServer(serverId: string): Promise<void> {
    await this.#commit({ deleteServerGrants: [serverId] }, { clients: 'all' });
    await this.pins.forgetServer(serverId);
  }

  /** Writes one decision (ONE transaction), then applies it in memory and tells the listeners. */
  async #commit(change: GrantChange, told: ConsentChange): Promise<void> {
    // Expired grants apply no more: they leave with the next decision written.
    const now = this.options.clock.now();
    const replaced = new Set((change.putGrants ?? []).map(grantKey));
    const lapsed = change.clearAll
      ? []
      : this.grants().filter(
          (grant) =>
            grant.expiresAt !== undefined &&
            grant.expiresAt <= now &&
            !replaced.has(grantKey(grant)),
        );
    if (lapsed.length > 0)
      change = { ...change, deleteGrants: [...(change.deleteGrants ?? []), ...lapsed] };
    await this.options.grants.commit(change);
    if (change.clearAll) {
      this.#clients.clear();
      this.#grants.clear();
    }
    for (const client of change.putClients ?? []) this.#clients.set(clientKey(client), client);
    for (const client of change.deleteClients ?? []) {
      const key = clientKey(client);
      this.#clients.delete(key);
      for (const [id, grant] of this.#grants)
        if (grant.client && clientKey(grant.client) === key) this.#grants.delete(id);
    }
    for (const grant of change.putGrants ?? []) this.#grants.set(grantKey(grant), grant);
    for (const grant of change.deleteGrants ?? []) this.#grants.delete(grantKey(grant));
    for (const serverId of change.deleteServerGrants ?? [])
      for (const [id, grant] of this.#grants)
        if (grant.serverId === serverId) this.#grants.delete(id);
    if (change.settings) this.#settings = change.settings;
    this.#tell({
      ...told,
      ...(change.putClients?.length ? { decided: change.putClients } : {}),
      ...(change.deleteClients?.length ? { forgotten: change.deleteClients } : {}),
      ...(change.clearAll ? { replaced: true } : {}),
    });
  }

  #tell(change: ConsentChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
