/**
 * The servers `npm run conformance` judges on the hub's downstream side: the fixture everything
 * server (tests/fixtures/conformance-server.ts) on its own, and the same server through the hub,
 * as a hub in Node whose only server it is, offered over the hub's HTTP front
 * (`createHttpFront`, scoped to it by slug so its tools keep their names). The suite's server
 * scenarios run against both URLs; the runner fails a scenario that passes directly and not
 * through the hub.
 *
 * Prints `DIRECT <url>` and `HUB <url>`, then `READY`, and stops on SIGTERM or when its parent
 * goes. Node 22 runs it (`--experimental-transform-types`), like conformance/client.ts.
 */
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { allowAllPolicy, createHttpFront, createHub } from '../src/hub/index.ts';
import { startConformanceServer } from '../tests/fixtures/conformance-server.ts';

const SLUG = 'everything';
const READY_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  const direct = await startConformanceServer();
  const hub = await createHub({
    policy: allowAllPolicy,
    log: (message) => process.stderr.write(`hub: ${message}\n`),
    // The health check is not what any scenario measures.
    pingIntervalMs: 60 * 60_000,
  });
  for (const builtin of hub.admin.listServers()) await hub.admin.removeServer(builtin.id);
  const added = await hub.admin.addServer({
    name: SLUG,
    slug: SLUG,
    url: direct.url,
    transport: 'streamable-http',
    headers: [],
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const status = hub.admin.listServers().find((server) => server.id === added.id)?.status;
    if (status?.state === 'ready') break;
    if (Date.now() > deadline)
      throw new Error(`the hub could not connect: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const front = createHttpFront(hub, { server: SLUG });
  const node = toNodeHandler(front);
  const http = createServer((req, res) => void node(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  process.stdout.write(`DIRECT ${direct.url}\nHUB http://127.0.0.1:${port}/mcp\nREADY\n`);

  const stop = async () => {
    http.closeAllConnections();
    http.close();
    await front.close();
    await hub.close();
    await direct.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  // The runner's pipe closes when it goes, however it went.
  process.stdin.once('end', () => void stop());
  process.stdin.resume();
}

await main();
