/**
 * The Playground's state: which tool is chosen, its definition (fetched with its server's detail,
 * since the list views carry no schemas), and the last run: its result or its error, and how long
 * it took. Calls go through the hub's own session (see src/hub/playground.ts).
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/client';
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

  constructor(private readonly hub: HubState) {}

  /** Every tool of every ready server, grouped by server in the order the hub lists them. */
  get choices(): ToolChoice[] {
    return this.hub.servers.flatMap((server) =>
      server.status.state !== 'ready'
        ? []
        : server.tools.map((tool) => ({
            name: tool.name,
            label: tool.title ?? tool.upstreamName,
            serverId: server.id,
            serverName: server.name,
          })),
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
      const detail = await this.hub.serverDetail(server.id);
      if (ticket !== this.#loading) return;
      const found = detail.toolDetails.find((tool) => tool.name === name);
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
