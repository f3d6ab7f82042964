/**
 * The Playground's state: which tool is chosen, its definition (fetched with its server's detail,
 * since the list views carry no schemas), and the last run: its result or its error, and how long
 * it took. Calls go through the hub's own session (see src/hub/admin/playground.ts).
 */
import type {
  CallToolResult,
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/client';
import type { HubState } from './hub.svelte.ts';

export interface ToolChoice {
  /** The name clients call it by (`slug__tool`). */
  name: string;
  label: string;
  serverId: string;
  serverName: string;
}

export class PlaygroundState {
  /** The chosen tool's definition, once loaded. */
  tool = $state.raw<Tool | undefined>(undefined);
  loadError = $state.raw<string | undefined>(undefined);
  running = $state.raw(false);
  result = $state.raw<CallToolResult | undefined>(undefined);
  error = $state.raw<string | undefined>(undefined);
  /** How long the last call took, in ms, as the dashboard measured it. */
  elapsedMs = $state.raw<number | undefined>(undefined);
  #loading = 0;

  /**
   * Every tool of every ready server, grouped by server in the order the hub lists them. Derived
   * once per change of the server list: read several times a render, and a server may have
   * 10,000 tools.
   */
  readonly choices: ToolChoice[];

  constructor(private readonly hub: HubState) {
    this.choices = $derived(
      this.hub.servers.flatMap((server) =>
        server.status.state !== 'ready'
          ? []
          : server.tools.map((tool) => ({
              name: tool.name,
              label: tool.title ?? tool.upstreamName,
              serverId: server.id,
              serverName: server.name,
            })),
      ),
    );
  }

  /** Loads the definition of `name` (clears the last run when the tool changes). */
  async choose(name: string | undefined): Promise<void> {
    const ticket = ++this.#loading;
    if (this.tool?.name !== name) {
      this.result = undefined;
      this.error = undefined;
      this.elapsedMs = undefined;
    }
    this.loadError = undefined;
    if (!name) {
      this.tool = undefined;
      return;
    }
    const server = this.hub.servers.find((each) => each.tools.some((tool) => tool.name === name));
    if (!server) {
      this.tool = undefined;
      this.loadError = `No ready server offers a tool named '${name}'. Pick one from the list.`;
      return;
    }
    try {
      // The one definition, not the server's whole catalog (which may hold 10,000 tools).
      const found = await this.hub.query((api) => api.toolDefinition(name));
      if (ticket !== this.#loading) return;
      // The same definition again (the server list changes with every health check): keep the
      // object, so the form built from it, and what the person typed, stay.
      if (found && this.tool && JSON.stringify(found) === JSON.stringify(this.tool)) return;
      this.tool = found;
      if (!found) this.loadError = `Server '${server.name}' no longer offers '${name}'.`;
    } catch (error) {
      if (ticket !== this.#loading) return;
      this.tool = undefined;
      this.loadError = (error as Error).message;
    }
  }

  /** Runs the chosen tool with `args`; the outcome lands in `result` or `error`. */
  async run(args: Record<string, unknown>): Promise<void> {
    const tool = this.tool;
    if (!tool || this.running) return;
    this.running = true;
    this.error = undefined;
    this.result = undefined;
    const started = performance.now();
    try {
      this.result = await this.hub.query((api) => api.callTool(tool.name, args));
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.elapsedMs = Math.round(performance.now() - started);
      this.running = false;
    }
  }
}

/** What the playground can read and get: fetched through its own session, as a client sees it. */
export interface PlaygroundLists {
  resources: Resource[];
  templates: ResourceTemplate[];
  prompts: Prompt[];
}

/** Reading a resource by hand: a listed one, or any URI (e.g. one a template describes). */
export class ResourceTry {
  uri = $state('');
  running = $state.raw(false);
  result = $state.raw<ReadResourceResult | undefined>(undefined);
  error = $state.raw<string | undefined>(undefined);

  constructor(private readonly hub: HubState) {}

  async read(): Promise<void> {
    const uri = this.uri.trim();
    if (this.running) return;
    if (!uri) {
      this.error = 'Write the URI of the resource to read, or pick one from the list.';
      return;
    }
    this.running = true;
    this.error = undefined;
    this.result = undefined;
    try {
      this.result = await this.hub.query((api) => api.readResource(uri));
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.running = false;
    }
  }
}

/** Getting a prompt by hand, with a field per argument and the server's completions for each. */
export class PromptTry {
  name = $state('');
  values = $state<Record<string, string>>({});
  /** Suggestions per argument, from `completion/complete`. */
  suggestions = $state.raw<Record<string, string[]>>({});
  running = $state.raw(false);
  result = $state.raw<GetPromptResult | undefined>(undefined);
  error = $state.raw<string | undefined>(undefined);
  #asked = 0;

  constructor(private readonly hub: HubState) {}

  choose(name: string): void {
    this.name = name;
    this.values = {};
    this.suggestions = {};
    this.result = undefined;
    this.error = undefined;
  }

  /** Asks the server what could complete `argument`, given what is typed so far. */
  async complete(argument: string): Promise<void> {
    const ticket = ++this.#asked;
    const name = this.name;
    const value = this.values[argument] ?? '';
    const context = { arguments: { ...this.values } };
    try {
      const answer = await this.hub.query((api) =>
        api.complete({
          ref: { type: 'ref/prompt', name },
          argument: { name: argument, value },
          context,
        }),
      );
      if (ticket !== this.#asked) return;
      this.suggestions = { ...this.suggestions, [argument]: answer.completion.values };
    } catch {
      // Completions are a convenience: a server without them leaves the field as it is.
    }
  }

  async get(prompt: Prompt): Promise<void> {
    if (this.running) return;
    const missing = (prompt.arguments ?? []).filter(
      (argument) => argument.required && !(this.values[argument.name] ?? '').trim(),
    );
    if (missing.length > 0) {
      this.error = `Fill in ${missing.map((argument) => argument.name).join(', ')}: the prompt needs ${missing.length === 1 ? 'it' : 'them'}.`;
      return;
    }
    const args = Object.fromEntries(
      Object.entries(this.values).filter(([, value]) => value.trim() !== ''),
    );
    this.running = true;
    this.error = undefined;
    this.result = undefined;
    try {
      this.result = await this.hub.query((api) => api.getPrompt(prompt.name, args));
    } catch (error) {
      this.error = (error as Error).message;
    } finally {
      this.running = false;
    }
  }
}
