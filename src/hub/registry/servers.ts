/**
 * The registered servers: entries with stable ids and unique slugs, kept in the `RegistryStore`,
 * one upstream each. Adding, editing, enabling, removing and importing servers happen here, each
 * written to the store before the running hub changes, so a restart finds what the person saw.
 * First-run seeding (the built-in server, then a deployment's defaults) happens here too.
 */
import type { ImportSummary, ServerInput } from '../../protocol/views.ts';
import { onDemand } from '../admin/on-demand.ts';
import { secretValues } from '../journal/redaction.ts';
import { entryFromInput } from './entry-input.ts';
import type { Clock, Ids, NewServerEntry, RegistryStore, ServerEntry } from '../ports.ts';
import { SLUG_PATTERN } from '../ports.ts';
import type { Upstream } from '../upstream/upstream.ts';
import { slugify, uniqueSlug } from './names.ts';

const SEEDED_KEY = 'seeded-defaults';

/** The server every hub starts with, so it is useful with no network. */
const BUILTIN_NOTES: NewServerEntry = {
  kind: 'builtin',
  builtin: 'notes',
  name: 'Built-in notes',
  slug: 'nexus',
  enabled: true,
};

export interface ServersOptions {
  registry: RegistryStore;
  clock: Clock;
  ids: Ids;
  /** The hub's upstreams by id (this room adds and removes them through `start`/`forget`). */
  upstreams: ReadonlyMap<string, Upstream>;
  /** Makes and starts the upstream of a new entry. */
  start(entry: ServerEntry): Upstream;
  /** A server is gone: the hub drops its upstream, names and figures, and tells clients. */
  forget(upstream: Upstream): void;
  /** A server's slug changed: its old names are void (only its own). */
  renamed(serverId: string): Promise<void>;
  /** A change the audit journal keeps (`server-added`, …), with the entry it was made to. */
  audit(event: string, entry: ServerEntry, detail: string): void;
  log(message: string): void;
}

export class Servers {
  /** The registry meta key that says the first-run defaults were registered. */
  static readonly seededKey = SEEDED_KEY;

  constructor(private readonly options: ServersOptions) {}

  /** Every secret value the hub holds now: what no log or view may show (journal/redaction.ts). */
  secrets(): string[] {
    const values: string[] = [];
    for (const upstream of this.options.upstreams.values()) {
      const entry = upstream.entry;
      // A local server's environment, as an imported file gave it: its API keys stay unsaid.
      if (entry.kind === 'stdio') values.push(...secretValues(entry.env));
      if (entry.kind !== 'remote') continue;
      values.push(...secretValues(entry.headers));
      if (entry.oauthClient?.secret) values.push(entry.oauthClient.secret);
    }
    return values;
  }

  /**
   * The stored entries, oldest first; on the very first start, seeded with the built-in server
   * and `defaults` (a function is called only then, so a deployment's list is fetched once).
   */
  async load(
    entries: ServerEntry[],
    seeded: unknown,
    defaults: NewServerEntry[] | (() => Promise<NewServerEntry[]>) | undefined,
  ): Promise<ServerEntry[]> {
    if (!seeded) {
      const fresh = [BUILTIN_NOTES, ...(await this.#defaults(defaults))];
      const added = this.materialize(fresh, entries);
      await this.options.registry.putServers(added);
      await this.options.registry.setMeta(SEEDED_KEY, true);
      entries.push(...added);
    }
    return entries.sort((a, b) => a.createdAt - b.createdAt);
  }

  async #defaults(
    defaults: NewServerEntry[] | (() => Promise<NewServerEntry[]>) | undefined,
  ): Promise<NewServerEntry[]> {
    try {
      return typeof defaults === 'function' ? await defaults() : (defaults ?? []);
    } catch (error) {
      this.options.log(`could not load the default servers: ${String(error)}`);
      return [];
    }
  }

  entries(): ServerEntry[] {
    return [...this.options.upstreams.values()].map((upstream) => upstream.entry);
  }

  /** The upstream of a server the dashboard names; the error says what may have happened. */
  upstream(id: string): Upstream {
    const upstream = this.options.upstreams.get(id);
    if (!upstream)
      throw new Error(`No server with id ${id}; it may have been removed in another tab.`);
    return upstream;
  }

  /** Turns new entries into full ones with ids and unique slugs (against `existing` too). */
  materialize(fresh: NewServerEntry[], existing: Iterable<ServerEntry>): ServerEntry[] {
    const taken = new Set([...existing].map((entry) => entry.slug));
    const now = this.options.clock.now();
    return fresh.map((entry, index) => {
      const slug = entry.slug ?? uniqueSlug(slugify(entry.name || hostOf(entry)), taken);
      if (entry.slug !== undefined) {
        if (!SLUG_PATTERN.test(slug)) {
          throw new Error(
            `The slug "${slug}" is not valid: use 1–32 lowercase letters, digits, "-" or single "_".`,
          );
        }
        if (taken.has(slug))
          throw new Error(`The slug "${slug}" is already used by another server.`);
      }
      taken.add(slug);
      // createdAt + index keeps a batch in its given order when sorted.
      return { ...entry, id: this.options.ids.next(), slug, createdAt: now + index } as ServerEntry;
    });
  }

  async add(input: ServerInput): Promise<Upstream> {
    return this.addEntry(entryFromInput(input));
  }

  /** Adds one entry of any kind (a local server from the bridge's allowlist, a remote one). */
  async addEntry(fresh: NewServerEntry): Promise<Upstream> {
    const [entry] = this.materialize([fresh], this.entries());
    await this.options.registry.putServer(entry!);
    this.options.audit('server-added', entry!, `Server ${describe(entry!)} was added.`);
    return this.options.start(entry!);
  }

  async edit(id: string, input: Partial<ServerInput>): Promise<Upstream> {
    const upstream = this.upstream(id);
    const old = upstream.entry;
    if (old.kind !== 'remote' && (input.url !== undefined || input.headers !== undefined)) {
      throw new Error(
        `Server '${old.slug}' is not a remote server; only its name, slug and timeout can change.`,
      );
    }
    const next = { ...old } as ServerEntry;
    if (input.name !== undefined) next.name = input.name.trim() || old.name;
    if (input.timeoutMs !== undefined) next.timeoutMs = input.timeoutMs;
    if (input.connectTimeoutMs !== undefined) {
      if (!(input.connectTimeoutMs > 0))
        throw new Error('The connect timeout must be a positive number of milliseconds.');
      next.connectTimeoutMs = input.connectTimeoutMs;
    }
    if (next.kind === 'remote' && old.kind === 'remote') {
      const merged = entryFromInput({
        url: input.url ?? old.url,
        transport: input.transport ?? old.transport,
        era: input.era ?? old.era,
        headers: (input.headers ?? old.headers).map((header) => ({
          ...header,
          // A header sent back without a value keeps the stored one (secrets never leave the hub).
          value: header.value ?? old.headers.find((h) => h.name === header.name)?.value ?? '',
        })),
        // Absent keeps the client; null removes it; a secret left out keeps the stored one.
        oauthClient:
          input.oauthClient === undefined
            ? old.oauthClient
            : input.oauthClient === null
              ? undefined
              : {
                  id: input.oauthClient.id,
                  secret:
                    input.oauthClient.secret ??
                    (input.oauthClient.id === old.oauthClient?.id
                      ? old.oauthClient.secret
                      : undefined),
                },
      });
      if (merged.kind === 'remote') {
        Object.assign(next, {
          url: merged.url,
          transport: merged.transport,
          headers: merged.headers,
        });
        if (next.kind === 'remote') {
          if (merged.oauthClient) next.oauthClient = merged.oauthClient;
          else delete next.oauthClient;
        }
      }
      // `auto` is the absence of a pin.
      if (next.kind === 'remote' && merged.kind === 'remote') {
        if (merged.era === undefined) delete next.era;
        else next.era = merged.era;
      }
    }
    if (input.slug !== undefined && input.slug !== old.slug) {
      const others = this.entries().filter((entry) => entry.id !== id);
      next.slug = this.materialize(
        [{ ...next, slug: input.slug } as NewServerEntry],
        others,
      )[0]!.slug;
      // A new slug renames this server's tools (and only its tools): forget the old names.
      await this.options.renamed(id);
    }
    await this.options.registry.putServer(next);
    this.options.audit('server-edited', next, `Server ${describe(next)} was edited.`);
    upstream.entry = next;
    upstream.start();
    return upstream;
  }

  async remove(id: string): Promise<void> {
    const upstream = this.upstream(id);
    await this.options.registry.deleteServer(id);
    this.options.audit(
      'server-removed',
      upstream.entry,
      `Server ${describe(upstream.entry)} was removed.`,
    );
    upstream.stop();
    this.options.forget(upstream);
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    const upstream = this.upstream(id);
    const next = { ...upstream.entry, enabled };
    await this.options.registry.putServer(next);
    this.options.audit(
      enabled ? 'server-enabled' : 'server-disabled',
      next,
      `Server ${describe(next)} was ${enabled ? 'enabled' : 'disabled'}.`,
    );
    upstream.entry = next;
    upstream.start();
  }

  restart(id: string): void {
    this.upstream(id).start();
  }

  /** Imports a config file: all of its servers, or (on any error) none. */
  async importConfig(text: string): Promise<ImportSummary> {
    const { parseConfig } = await onDemand('config importer', () => import('./config-format.ts'));
    const imported = parseConfig(text);
    const entries = this.materialize(
      imported.map((item) => item.entry),
      this.entries(),
    );
    await this.options.registry.putServers(entries);
    for (const entry of entries) {
      this.options.audit('server-added', entry, `Server ${describe(entry)} was imported.`);
      this.options.start(entry);
    }
    return {
      added: entries.map((entry) => entry.name),
      needsBridge: entries.filter((entry) => entry.kind === 'stdio').map((entry) => entry.name),
    };
  }

  async exportConfig(format: 'mcpServers' | 'vscode'): Promise<string> {
    const { exportConfig } = await onDemand('config exporter', () => import('./config-format.ts'));
    return exportConfig(this.entries(), format);
  }
}

/** `'slug' (host)`: enough to tell servers apart, without a path or query that may hold a token. */
function describe(entry: ServerEntry): string {
  return entry.kind === 'remote' ? `'${entry.slug}' (${hostOf(entry)})` : `'${entry.slug}'`;
}

function hostOf(entry: NewServerEntry): string {
  if (entry.kind !== 'remote') return 'server';
  try {
    return new URL(entry.url).hostname;
  } catch {
    return 'server';
  }
}
