/**
 * A stand-in AI client page for the end-to-end tests: it loads `/nexus-client.js` exactly as an
 * embedder would and drives it with the v2 SDK Client and the v1 SDK Client. Bundled by the test
 * (see ../support.ts), served on the app's origin by a Playwright route, never shipped.
 */
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';

type AnyClient = ClientV2 | ClientV1;

interface NexusClientModule {
  connectHub(options: {
    name: string;
    version?: string;
  }): Promise<Parameters<ClientV2['connect']>[0]>;
}

const clients = new Map<string, AnyClient>();

async function nexusClient(): Promise<NexusClientModule> {
  const url = '/nexus-client.js';
  return (await import(/* @vite-ignore */ url)) as NexusClientModule;
}

const api = {
  /** Connects a client named `name` with SDK `sdk`; returns its key for later calls. */
  async connect(sdk: 'v1' | 'v2', name: string): Promise<string> {
    const { connectHub } = await nexusClient();
    const transport = await connectHub({ name, version: '1.0.0' });
    const client =
      sdk === 'v2'
        ? new ClientV2({ name, version: '1.0.0' })
        : new ClientV1({ name, version: '1.0.0' });
    await (client as ClientV2).connect(transport);
    clients.set(name, client);
    return name;
  },
  async toolNames(name: string): Promise<string[]> {
    const { tools } = await clients.get(name)!.listTools();
    return tools.map((tool) => tool.name);
  },
  async callText(name: string, tool: string, args: Record<string, unknown>): Promise<string> {
    const result = await (clients.get(name) as ClientV2).callTool({ name: tool, arguments: args });
    const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
    return content
      .map((block) => (block.type === 'text' ? block.text : `[${block.type}]`))
      .join('\n');
  },
  async close(name: string): Promise<void> {
    await clients.get(name)?.close();
    clients.delete(name);
  },
};

declare global {
  interface Window {
    nexusTest: typeof api;
  }
}

window.nexusTest = api;
document.title = 'e2e client ready';
