/**
 * The hub as its own client: what the dashboard's Playground uses to call a tool, read a resource
 * or get a prompt by hand. It is an ordinary session (an SDK client over an in-memory transport),
 * so the person's calls take the same road as an AI client's: policy, routing, names, logging,
 * and the sessions list, where it shows as "Nexus playground". It declares no client capabilities,
 * so a server's elicitation during a playground call comes to the dashboard's "Waiting for you".
 */
import {
  Client,
  InMemoryTransport,
  type CallToolResult,
  type CompleteRequest,
  type CompleteResult,
  type GetPromptResult,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplateType as ResourceTemplate,
} from '@modelcontextprotocol/client';
import { SDK_TIMEOUT_OFF } from '../upstream/deadline.ts';
import type { Hub } from '../hub.ts';
import { RelayedResults } from '../upstream/relay.ts';

export const PLAYGROUND_CLIENT_NAME = 'Nexus playground';

export class Playground {
  #client: Promise<Client> | undefined;
  /**
   * The Playground's SDK client refuses what the hub relays unchanged (an unknown content type):
   * it reads such results through a relay of its own, so the page can show them as JSON.
   */
  readonly #relay: RelayedResults;

  constructor(
    private readonly hub: Hub,
    /** The origin the playground's session is recorded under (the dashboard's own). */
    private readonly origin: string,
    private readonly version: string,
  ) {
    this.#relay = new RelayedResults(hub.ids);
  }

  async callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const client = await this.#connected();
    // No timeout of the client's own: each server's timeout (kept by the hub) applies, and a
    // person may be answering an elicitation in the dashboard meanwhile.
    const result = await client.callTool({ name, arguments: args }, { timeout: SDK_TIMEOUT_OFF });
    return this.#relay.restoreResult(result) as CallToolResult;
  }

  async readResource(uri: string): Promise<ReadResourceResult> {
    const client = await this.#connected();
    return this.#relay.restoreResult(
      await client.readResource({ uri }, { timeout: SDK_TIMEOUT_OFF, cacheMode: 'bypass' }),
    );
  }

  async getPrompt(name: string, args: Record<string, string>): Promise<GetPromptResult> {
    const client = await this.#connected();
    return this.#relay.restoreResult(
      await client.getPrompt({ name, arguments: args }, { timeout: SDK_TIMEOUT_OFF }),
    );
  }

  async complete(params: CompleteRequest['params']): Promise<CompleteResult> {
    const client = await this.#connected();
    return client.complete(params);
  }

  /** What a client of the hub can read and get, as the hub lists it (names prefixed). */
  async lists(): Promise<{
    resources: Resource[];
    templates: ResourceTemplate[];
    prompts: Prompt[];
  }> {
    const client = await this.#connected();
    const [resources, templates, prompts] = await Promise.all([
      client.listResources(undefined, { cacheMode: 'bypass' }),
      client.listResourceTemplates(undefined, { cacheMode: 'bypass' }),
      client.listPrompts(undefined, { cacheMode: 'bypass' }),
    ]);
    return {
      resources: resources.resources,
      templates: templates.resourceTemplates,
      prompts: prompts.prompts,
    };
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await (await client?.catch(() => undefined))?.close();
  }

  /** The session, opened on first use and again after it was closed (e.g. disconnected). */
  #connected(): Promise<Client> {
    this.#client ??= (async () => {
      const client = new Client({ name: PLAYGROUND_CLIENT_NAME, version: this.version });
      const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
      await this.hub.connect(hubSide, {
        origin: this.origin,
        clientName: PLAYGROUND_CLIENT_NAME,
        sessionId: `playground-${this.hub.ids.next()}`,
        // The person, in the dashboard: audited, not asked.
        person: true,
      });
      client.onclose = () => {
        if (this.#client === opened) this.#client = undefined;
      };
      await client.connect(this.#relay.sanitizing(clientSide));
      return client;
    })();
    const opened = this.#client;
    opened.catch(() => {
      if (this.#client === opened) this.#client = undefined;
    });
    return opened;
  }
}
