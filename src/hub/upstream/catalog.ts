/**
 * What a server offers, as it listed it (names not yet namespaced): its tools, prompts, resources
 * and resource templates, each list complete (every upstream page followed), fetched only when
 * the server declares the capability that says the list exists.
 */
import type {
  Client,
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/client';

/** What a server offers, as it listed it (names not yet namespaced). */
export interface Catalog {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  templates: ResourceTemplate[];
}

export type CatalogKind = keyof Catalog;
export const CATALOG_KINDS: readonly CatalogKind[] = ['tools', 'prompts', 'resources', 'templates'];

/**
 * How each list is fetched, and which server capability says it exists. No cursor: the SDK follows
 * every page and returns the whole list (up to MAX_UPSTREAM_PAGES). `bypass`: the hub keeps the
 * lists itself; the SDK's response cache would only hold a second copy.
 */
const bypass = { cacheMode: 'bypass' } as const;
export const LISTS: {
  [K in CatalogKind]: {
    capability: 'tools' | 'prompts' | 'resources';
    fetch(client: Client): Promise<Catalog[K]>;
  };
} = {
  tools: {
    capability: 'tools',
    fetch: async (client) => (await client.listTools(undefined, bypass)).tools,
  },
  prompts: {
    capability: 'prompts',
    fetch: async (client) => (await client.listPrompts(undefined, bypass)).prompts,
  },
  resources: {
    capability: 'resources',
    fetch: async (client) => (await client.listResources(undefined, bypass)).resources,
  },
  templates: {
    capability: 'resources',
    fetch: async (client) =>
      (await client.listResourceTemplates(undefined, bypass)).resourceTemplates,
  },
};

export function emptyCatalog(): Catalog {
  return { tools: [], prompts: [], resources: [], templates: [] };
}

/**
 * Pages the hub follows per list before giving up on a server whose cursor never ends. The SDK's
 * own default (64) is too small for a large server; 0 would trust every server blindly.
 */
export const MAX_UPSTREAM_PAGES = 10_000;
