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
import { ModernPathFailure } from './era.ts';

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

/** What kept an item out of a list, or a list out of the catalog, in words for the server page. */
export type CatalogWarning = string;

/** Each list as a person names it. */
export const LIST_NAMES: Record<CatalogKind, string> = {
  tools: 'tools',
  prompts: 'prompts',
  resources: 'resources',
  templates: 'resource templates',
};

/** The request that fetches each list. */
export const LIST_METHODS: Record<CatalogKind, string> = {
  tools: 'tools/list',
  prompts: 'prompts/list',
  resources: 'resources/list',
  templates: 'resources/templates/list',
};

const NOUN: Record<CatalogKind, string> = {
  tools: 'tool',
  prompts: 'prompt',
  resources: 'resource',
  templates: 'resource template',
};

/** The member that names an item to clients: two items with one key would be one to them. */
function keyOf(kind: CatalogKind, item: Catalog[CatalogKind][number]): unknown {
  return kind === 'resources' ? (item as Resource).uri : (item as { name?: unknown }).name;
}

/**
 * The list with each key once (the first wins, as a client that looked up a name would find it)
 * and a warning per key listed more than once. Prompts' arguments are de-duplicated by name the
 * same way: a form cannot ask for one argument twice.
 */
export function dedupe<K extends CatalogKind>(
  kind: K,
  list: Catalog[K],
): { list: Catalog[K]; warnings: CatalogWarning[] } {
  const counts = new Map<unknown, number>();
  const kept: Catalog[K][number][] = [];
  const warnings: CatalogWarning[] = [];
  for (const item of list) {
    const key = keyOf(kind, item);
    const count = counts.get(key) ?? 0;
    counts.set(key, count + 1);
    if (count > 0) continue;
    if (kind === 'prompts') {
      const prompt = uniqueArguments(item as Prompt);
      if (prompt !== item)
        warnings.push(
          `The prompt '${prompt.name}' names an argument more than once; Nexus keeps the first of each.`,
        );
      kept.push(prompt as Catalog[K][number]);
    } else kept.push(item);
  }
  if (kept.length === list.length && warnings.length === 0) return { list, warnings };
  for (const [key, count] of counts) {
    if (count > 1)
      warnings.push(
        `The server lists the ${NOUN[kind]} '${String(key)}' ${count} times; Nexus offers the first.`,
      );
  }
  return { list: kept as Catalog[K], warnings };
}

function uniqueArguments(prompt: Prompt): Prompt {
  const args = prompt.arguments;
  if (!args || args.length < 2) return prompt;
  const names = new Set<unknown>();
  const unique = args.filter((arg) => !names.has(arg.name) && names.add(arg.name));
  return unique.length === args.length ? prompt : { ...prompt, arguments: unique };
}

export function emptyCatalog(): Catalog {
  return { tools: [], prompts: [], resources: [], templates: [] };
}

/**
 * Pages the hub follows per list before giving up on a server whose cursor never ends. The SDK's
 * own default (64) is too small for a large server; 0 would trust every server blindly.
 */
export const MAX_UPSTREAM_PAGES = 10_000;

/** One list as a load left it: the list (undefined: it failed, keep the one held) and why not. */
export interface LoadedList {
  kind: CatalogKind;
  list: Catalog[CatalogKind] | undefined;
  warnings: CatalogWarning[];
}

/**
 * Fetches the lists of `kinds`, each on its own and de-duplicated: a list that fails (a server
 * that declares `resources` but has no `resources/templates/list`, say) comes back as a warning
 * and the others load. A list the server does not declare is empty. `strict` (a 2026-07-28 try
 * that 2025 may do better) throws on the first failure instead; `fatal` failures (a sign-in the
 * server wants) are the whole server's and always thrown.
 */
export async function fetchLists(
  client: Client,
  kinds: readonly CatalogKind[],
  options: { strict: boolean; fatal(error: unknown): boolean },
): Promise<LoadedList[]> {
  const offered = client.getServerCapabilities();
  return Promise.all(
    kinds.map(async (kind): Promise<LoadedList> => {
      const list = LISTS[kind];
      if (!offered?.[list.capability]) return { kind, list: [], warnings: [] };
      try {
        return { kind, ...dedupe(kind, await list.fetch(client)) };
      } catch (error) {
        if (options.fatal(error)) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        if (options.strict) throw new ModernPathFailure(LIST_METHODS[kind], reason);
        return {
          kind,
          list: undefined,
          warnings: [
            `Its ${LIST_NAMES[kind]} could not be listed (${reason}); the rest of the server works.`,
          ],
        };
      }
    }),
  );
}
