/**
 * The hub's combined catalog: every ready server's tools, prompts and resource templates under
 * namespaced names (`slug__name`, see ../registry/names.ts), and its resources under their own URIs.
 *
 * URIs are never rewritten (a client may have them from elsewhere, and resource links inside tool
 * results carry them too). Instead a `uri → server` map routes reads; when two servers list the
 * same URI, the server registered first serves it, every time, and the collision is reported.
 * URIs no server listed are routed by the resource templates that match them, in the same order.
 */
import type { ResourceCollision } from '../../protocol/views.ts';
import {
  UriTemplate,
  type Prompt,
  type Resource,
  type ResourceTemplateType as ResourceTemplate,
  type Tool,
} from '@modelcontextprotocol/server';
import type { NameTable } from '../registry/names.ts';
import type { NameKind, NameRecord } from '../ports.ts';
import type { Catalog } from '../upstream/upstream.ts';

/** What the aggregate needs of an upstream: who it is and what it lists. */
export interface CatalogSource {
  readonly id: string;
  readonly entry: { readonly slug: string };
  readonly catalog: Catalog;
}

export interface Aggregate {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  templates: ResourceTemplate[];
  collisions: ResourceCollision[];
  /** The server id of each item, index for index: what the policy's filter needs to know. */
  owners: Record<'tools' | 'prompts' | 'resources' | 'templates', string[]>;
  /**
   * Each tool, prompt and template as its server lists it (its own name), index for index: what
   * grants and pins are about, so renaming a server's slug keeps them.
   */
  originals: { tools: Tool[]; prompts: Prompt[]; templates: ResourceTemplate[] };
}

export interface ResourceRoute {
  serverId: string;
  /** How the route was found, for error messages and the admin API. */
  via: 'listed' | 'template';
}

interface TemplateRoute {
  serverId: string;
  uriTemplate: string;
  matcher: UriTemplate | undefined;
}

/**
 * Builds aggregates and routes resources. Rebuilt lazily after any catalog change: building is
 * linear in the number of entries, and a change invalidates its order anyway.
 */
export class CatalogAggregator {
  #current: Aggregate | undefined;
  #owners = new Map<string, string>();
  #templates: TemplateRoute[] = [];

  /** `names` is read on every use: the hub replaces its table when it loads the registry. */
  constructor(
    private readonly names: () => NameTable,
    private readonly sources: () => Iterable<CatalogSource>,
  ) {}

  /** Forget the aggregate; the next read rebuilds it. */
  invalidate(): void {
    this.#current = undefined;
  }

  get current(): Aggregate {
    this.#current ??= this.#build();
    return this.#current;
  }

  /**
   * Names `source`'s tools, prompts and templates, keeping the names it already had. Returns the
   * records minted now (to persist).
   */
  assignNames(source: CatalogSource): NameRecord[] {
    const minted: NameRecord[] = [];
    for (const [kind, names] of namedLists(source.catalog)) {
      minted.push(...this.names().assign(source.id, source.entry.slug, kind, names).added);
    }
    return minted;
  }

  /** The server that serves `uri`: the first that listed it, else the first whose template matches. */
  routeResource(uri: string): ResourceRoute | undefined {
    void this.current;
    const owner = this.#owners.get(uri);
    if (owner !== undefined) return { serverId: owner, via: 'listed' };
    for (const template of this.#templates) {
      if (template.matcher?.match(uri)) return { serverId: template.serverId, via: 'template' };
    }
    return undefined;
  }

  /** The server whose template is exactly `uriTemplate` (completion references name it so). */
  routeTemplate(uriTemplate: string): string | undefined {
    void this.current;
    return this.#templates.find((template) => template.uriTemplate === uriTemplate)?.serverId;
  }

  #build(): Aggregate {
    const aggregate: Aggregate = {
      tools: [],
      prompts: [],
      resources: [],
      templates: [],
      collisions: [],
      owners: { tools: [], prompts: [], resources: [], templates: [] },
      originals: { tools: [], prompts: [], templates: [] },
    };
    const owners = new Map<string, string>();
    const shadowed = new Map<string, string[]>();
    const templates: TemplateRoute[] = [];
    for (const source of this.sources()) {
      const { catalog } = source;
      const exposed = (kind: NameKind, items: Array<{ name: string }>) =>
        this.names().assign(
          source.id,
          source.entry.slug,
          kind,
          items.map((item) => item.name),
        ).exposed;
      const toolNames = exposed('tool', catalog.tools);
      for (const tool of catalog.tools) {
        aggregate.tools.push({ ...tool, name: toolNames.get(tool.name)! });
        aggregate.owners.tools.push(source.id);
        aggregate.originals.tools.push(tool);
      }
      const promptNames = exposed('prompt', catalog.prompts);
      for (const prompt of catalog.prompts) {
        aggregate.prompts.push({ ...prompt, name: promptNames.get(prompt.name)! });
        aggregate.owners.prompts.push(source.id);
        aggregate.originals.prompts.push(prompt);
      }
      const templateNames = exposed('template', catalog.templates);
      for (const template of catalog.templates) {
        aggregate.templates.push({ ...template, name: templateNames.get(template.name)! });
        aggregate.owners.templates.push(source.id);
        aggregate.originals.templates.push(template);
        templates.push({
          serverId: source.id,
          uriTemplate: template.uriTemplate,
          matcher: compile(template.uriTemplate),
        });
      }
      for (const resource of catalog.resources) {
        const owner = owners.get(resource.uri);
        if (owner === undefined) {
          owners.set(resource.uri, source.id);
          aggregate.resources.push(resource);
          aggregate.owners.resources.push(source.id);
        } else if (owner !== source.id) {
          const others = shadowed.get(resource.uri) ?? [];
          if (!others.includes(source.id)) others.push(source.id);
          shadowed.set(resource.uri, others);
        }
      }
    }
    for (const [uri, others] of shadowed) {
      aggregate.collisions.push({ uri, servedBy: owners.get(uri)!, shadowed: others });
    }
    this.#owners = owners;
    this.#templates = templates;
    return aggregate;
  }
}

function namedLists(catalog: Catalog): Array<[NameKind, string[]]> {
  return [
    ['tool', catalog.tools.map((tool) => tool.name)],
    ['prompt', catalog.prompts.map((prompt) => prompt.name)],
    ['template', catalog.templates.map((template) => template.name)],
  ];
}

/** A matcher for a server's URI template; a template the SDK cannot parse routes nothing. */
function compile(uriTemplate: string): UriTemplate | undefined {
  try {
    return new UriTemplate(uriTemplate);
  } catch {
    return undefined;
  }
}
