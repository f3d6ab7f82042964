/**
 * The router: what makes many servers look like one. It aggregates the servers' lists under
 * namespaced names (./aggregate.ts, ../registry/names.ts), pages them (./pagination.ts), and
 * routes a client's request to the one upstream that serves it: a tool or prompt by its
 * `slug__name`, a resource by its URI, a completion by its reference. A session asks it, after
 * the policy; it never talks to a client or decides what a client may do.
 *
 * A session scoped to one server (`connectHub({ server })`) sees that server alone, under its
 * own names; `Scope` is that server's id, or undefined for the whole hub.
 */
import type {
  CompleteRequest,
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  ServerCapabilities,
  Tool,
} from '@modelcontextprotocol/client';
import { invalidParams } from '../../protocol/errors.ts';
import type { ResourceCollision } from '../../protocol/views.ts';
import type { Exchange } from '../downstream/input.ts';
import type { ListKind, ListedOf } from '../policy/policy.ts';
import type { Clock } from '../ports.ts';
import { NameTable } from '../registry/names.ts';
import type {
  CallOptions,
  CatalogKind,
  InputCapableMethod,
  InputCapableResults,
  Upstream,
} from '../upstream/upstream.ts';
import { CatalogAggregator } from './aggregate.ts';
import { DEFAULT_PAGE_SIZE, paginate, type Page } from './pagination.ts';

export type Scope = string | undefined;

export interface Route {
  serverId: string;
  upstreamName: string;
}

export interface ListPages {
  tools: Page<Tool>;
  prompts: Page<Prompt>;
  resources: Page<Resource>;
  templates: Page<ResourceTemplate>;
}

export interface RouterOptions {
  /** The hub's upstreams by server id (the hub adds and removes them). */
  upstreams: ReadonlyMap<string, Upstream>;
  clock: Clock;
  /** Entries per page of the hub's own lists. */
  pageSize?: number;
}

export class Router {
  #names = new NameTable([]);
  /** Aggregated tools, prompts, resources and templates, rebuilt lazily after any list changes. */
  readonly #catalogs: CatalogAggregator;
  /** Each aggregated list with the server of each item, for the policy's filter (built lazily). */
  #listed: { [K in ListKind]?: ListedOf<K>[] } = {};
  #started: Promise<void> = Promise.resolve();
  /** Each server list → its items by name (see `definition`); dropped with the list. */
  readonly #byName = new WeakMap<readonly (Tool | Prompt)[], Map<string, Tool | Prompt>>();
  readonly #upstreams: ReadonlyMap<string, Upstream>;

  constructor(private readonly options: RouterOptions) {
    this.#upstreams = options.upstreams;
    this.#catalogs = new CatalogAggregator(
      () => this.#names,
      () => this.#upstreams.values(),
    );
  }

  /** The persisted name table; replaced when the hub loads the registry. */
  get names(): NameTable {
    return this.#names;
  }

  set names(table: NameTable) {
    this.#names = table;
    this.invalidate();
  }

  /** Forget the aggregate after a server's lists changed or it left; the next read rebuilds. */
  invalidate(): void {
    this.#catalogs.invalidate();
    this.#listed = {};
  }

  /** Names a server's new items (keeping old names); returns the records minted (to persist). */
  assignNames(upstream: Upstream) {
    return this.#catalogs.assignNames(upstream);
  }

  /**
   * Resolves once every server has had its first connection attempt, or after `graceMs`,
   * whichever comes first, so a client that connects as the hub starts sees every tool at once.
   * Servers added later are not waited for: their tools arrive with list_changed.
   */
  waitForFirstAttempts(graceMs: number): void {
    const clock = this.options.clock;
    this.#started = new Promise<void>((resolve) => {
      const timer = clock.setTimeout(done, graceMs);
      function done(): void {
        clock.clearTimeout(timer);
        resolve();
      }
      void Promise.all([...this.#upstreams.values()].map((each) => each.firstSettled)).then(done);
    });
  }

  whenStarted(): Promise<void> {
    return this.#started;
  }

  /** One list with each item's server, as the policy filters it. */
  listed<K extends ListKind>(kind: K, scope: Scope): readonly ListedOf<K>[] {
    if (scope !== undefined) {
      const upstream = this.upstream(scope);
      return upstream.catalog[kind].map(
        (item) => ({ kind, serverId: upstream.id, item, original: item }) as ListedOf<K>,
      );
    }
    const cached = this.#listed[kind] as ListedOf<K>[] | undefined;
    if (cached) return cached;
    const current = this.#catalogs.current;
    const originals: readonly unknown[] =
      kind === 'resources' ? current.resources : current.originals[kind as 'tools'];
    const built = current[kind].map(
      (item, index) =>
        ({
          kind,
          serverId: current.owners[kind][index]!,
          item,
          original: originals[index],
        }) as ListedOf<K>,
    );
    (this.#listed as Record<K, ListedOf<K>[]>)[kind] = built;
    return built;
  }

  /**
   * One page of a list (`cursor` from the previous page, or none). `kept` is what the policy let
   * through of `listed(kind, scope)`; when it is that same array, the cached list is paged.
   */
  page<K extends CatalogKind>(
    kind: K,
    cursor: string | undefined,
    scope: Scope,
    kept: readonly ListedOf<K>[],
  ): ListPages[K] {
    const all = this.listed(kind, scope);
    const items: readonly unknown[] =
      kept === all
        ? scope === undefined
          ? this.#catalogs.current[kind]
          : this.upstream(scope).catalog[kind]
        : kept.map((listed) => listed.item);
    return paginate(
      kind,
      items,
      cursor,
      this.options.pageSize ?? DEFAULT_PAGE_SIZE,
    ) as ListPages[K];
  }

  /** URIs that more than one server lists, and which one serves each (the first registered). */
  resourceCollisions(): ResourceCollision[] {
    return this.#catalogs.current.collisions;
  }

  /** A name a client used → its server and upstream name (a scoped session uses the latter). */
  route(kind: 'tool' | 'prompt', name: string, scope: Scope): Route {
    if (scope !== undefined) return { serverId: this.upstream(scope).id, upstreamName: name };
    const route = this.#names.resolve(kind, name);
    if (!route || !this.#upstreams.has(route.serverId)) {
      throw invalidParams(
        `Unknown ${kind} '${name}': no server registered in Nexus offers it.`,
        `Call ${kind}s/list for the current ${kind}s.`,
        { tool: name },
      );
    }
    return route;
  }

  /** The hub-wide name of a routed tool or prompt: what the policy and grants know it by. */
  exposedName(kind: 'tool' | 'prompt', route: Route): string {
    return this.#names.exposedName(kind, route.serverId, route.upstreamName) ?? route.upstreamName;
  }

  /**
   * The routed tool's or prompt's definition as its server lists it (for the policy and pins).
   * Looked up by name in an index built once per list the server sent (a list is replaced, never
   * changed in place), so a call costs one lookup however many tools the server has.
   */
  definition(kind: 'tool', route: Route): Tool | undefined;
  definition(kind: 'prompt', route: Route): Prompt | undefined;
  definition(kind: 'tool' | 'prompt', route: Route): Tool | Prompt | undefined {
    const catalog = this.#upstreams.get(route.serverId)?.catalog;
    const items: readonly (Tool | Prompt)[] | undefined =
      kind === 'tool' ? catalog?.tools : catalog?.prompts;
    if (!items) return undefined;
    let byName = this.#byName.get(items);
    if (!byName) {
      byName = new Map();
      // The first of a repeated name wins, as `find` would.
      for (const item of items) if (!byName.has(item.name)) byName.set(item.name, item);
      this.#byName.set(items, byName);
    }
    return byName.get(route.upstreamName);
  }

  /** Starts a tool call, prompt or resource read on the routed server (see `Upstream.exchange`). */
  start<M extends InputCapableMethod>(
    method: M,
    route: Route,
    params: Record<string, unknown>,
    options: CallOptions,
  ): Exchange<InputCapableResults[M]> {
    const upstream =
      method === 'tools/call'
        ? this.#offering(route, 'tool')
        : method === 'prompts/get'
          ? this.#offering(route, 'prompt')
          : this.upstream(route.serverId);
    return upstream.exchange(method, params, options);
  }

  /**
   * The upstream a route leads to, once it is known to still offer the routed tool or prompt (a
   * persisted name can outlive the thing it named). A server that is not ready is returned as it
   * is: its own call then says why it cannot answer.
   */
  #offering(route: Route, kind: 'tool' | 'prompt'): Upstream {
    const upstream = this.upstream(route.serverId);
    if (upstream.status.state === 'ready' && !this.definition(kind as 'tool', route)) {
      throw invalidParams(
        `Server '${upstream.entry.slug}' no longer offers ${kind} '${route.upstreamName}'.`,
        `Call ${kind}s/list for the current ${kind}s.`,
        { server: upstream.entry.slug },
      );
    }
    return upstream;
  }

  /** The server that serves `uri`; throws an MCP error naming what to do when none does. */
  routeResource(uri: string, scope: Scope): string {
    // A scoped client knows one server: every URI it reads is that server's to answer.
    if (scope !== undefined) return this.upstream(scope).id;
    const route = this.#catalogs.routeResource(uri);
    if (!route || !this.#upstreams.has(route.serverId)) {
      throw invalidParams(
        `Resource not found: ${uri}. No server registered in Nexus lists it or has a template that matches it.`,
        'Call resources/list or resources/templates/list.',
        { uri },
      );
    }
    return route.serverId;
  }

  /** The server that owns `uri` (listed or by template), whatever the scope; undefined if none. */
  ownerOf(uri: string): string | undefined {
    return this.#catalogs.routeResource(uri)?.serverId;
  }

  /** The server a completion reference belongs to, and the reference in that server's names. */
  routeCompletion(
    ref: CompleteRequest['params']['ref'],
    scope: Scope,
  ): { serverId: string; ref: CompleteRequest['params']['ref'] } {
    if (scope !== undefined) return { serverId: this.upstream(scope).id, ref };
    if (ref.type === 'ref/prompt') {
      const route = this.route('prompt', ref.name, undefined);
      return { serverId: route.serverId, ref: { ...ref, name: route.upstreamName } };
    }
    const serverId = this.#catalogs.routeTemplate(ref.uri);
    if (serverId === undefined) {
      throw invalidParams(
        `No server registered in Nexus has the resource template '${ref.uri}'.`,
        'Call resources/templates/list for the current templates.',
      );
    }
    return { serverId, ref };
  }

  async complete(serverId: string, params: CompleteRequest['params'], signal: AbortSignal) {
    const upstream = this.upstream(serverId);
    // A server without the completions capability has nothing to offer: an empty answer is what
    // a client expects, not an error.
    if (upstream.status.state === 'ready' && !upstream.offers('completions')) {
      return { completion: { values: [], hasMore: false } };
    }
    return upstream.complete(params, signal);
  }

  /**
   * What a session announces: the union of the capabilities of the servers it sees (ready now, or
   * known from an earlier connection), plus `listChanged` (servers come and go), and their
   * instructions, each under the server's name.
   */
  announce(scope: Scope): { capabilities: ServerCapabilities; instructions?: string } {
    const upstreams = scope === undefined ? [...this.#upstreams.values()] : [this.upstream(scope)];
    const offered = upstreams.map((upstream) => upstream.capabilities ?? {});
    const capabilities: ServerCapabilities = {
      tools: { listChanged: true },
      prompts: { listChanged: true },
      resources: {
        listChanged: true,
        ...(offered.some((each) => each.resources?.subscribe) ? { subscribe: true } : {}),
      },
    };
    if (offered.some((each) => each.completions)) capabilities.completions = {};
    if (offered.some((each) => each.logging)) capabilities.logging = {};
    const instructions = upstreams
      .filter((upstream) => upstream.instructions)
      .map((upstream) =>
        scope === undefined
          ? `## ${upstream.entry.name} (tools, prompts and templates named ${upstream.entry.slug}__…)\n\n${upstream.instructions}`
          : upstream.instructions!,
      )
      .join('\n\n');
    return instructions ? { capabilities, instructions } : { capabilities };
  }

  /** The upstream of a server a request was routed to; it may have been removed meanwhile. */
  upstream(serverId: string): Upstream {
    const upstream = this.#upstreams.get(serverId);
    if (!upstream) {
      throw invalidParams(
        'That server was removed from Nexus.',
        'Call tools/list for what is offered now.',
      );
    }
    return upstream;
  }

  /** The slug of a server, for messages (the id when the server is gone). */
  slugOf(serverId: string): string {
    return this.#upstreams.get(serverId)?.entry.slug ?? serverId;
  }
}
