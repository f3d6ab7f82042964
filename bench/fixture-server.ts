/**
 * The benchmark's MCP servers, all in ONE Node process (run by bench/run.ts, never imported): v2
 * SDK `McpServer`s behind `WebStandardStreamableHTTPServerTransport` in stateful mode (one
 * transport and server per `initialize`, keyed by `Mcp-Session-Id`), answering POSTs with plain
 * JSON (`enableJsonResponse`), with the CORS headers a page on another origin needs. The direct
 * SDK client, the Nexus hub and mcp-hub all talk to the very same endpoints, so whatever the
 * server costs is in every row alike.
 *
 * - the server `bench`, tools `echo({ message })` (answers the message) and `blob({ bytes })`
 *   (answers one text block of that many bytes);
 * - the servers `scale-<i>`, i < --servers, each with --tools tools `t000`, `t001`, … (each with a
 *   description and a small input schema, like a real server's).
 *
 * Each endpoint is `/mcp` on a port of its own (all on 127.0.0.1), as separate servers would be.
 * On ONE port the hub could not bring up more than five of them: each connected server keeps a
 * GET stream open (the Streamable HTTP transport's stream for server messages), and Chromium
 * allows 6 HTTP/1.1 connections per host and port, so the sixth server's requests wait forever.
 *
 * Usage: node --experimental-transform-types bench/fixture-server.ts [--servers N] [--tools N]
 * Prints one line, `{"bench":<port>,"scale":[<port>,…]}`, once every endpoint listens.
 * Stops on SIGTERM or SIGINT (and, with the loopback preload, when its parent dies).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { McpServer, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import * as z from 'zod';
import {
  CORS_HEADERS,
  jsonRpcError,
  listenOnLoopback,
  readBody,
  sendResponse,
  webRequest,
  type LoopbackServer,
} from '../tests/fixtures/node-http.ts';

const { values } = parseArgs({
  options: {
    servers: { type: 'string', default: '50' },
    tools: { type: 'string', default: '100' },
  },
});
const SCALE_SERVERS = Number(values.servers);
const SCALE_TOOLS = Number(values.tools);

/** The largest `blob` a client may ask for: a little over the 10 MB row. */
const MAX_BLOB = 16 * 1024 * 1024;

function benchServer(): McpServer {
  const server = new McpServer({ name: 'bench', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Echoes the message back', inputSchema: z.object({ message: z.string() }) },
    ({ message }) => ({ content: [{ type: 'text', text: message }] }),
  );
  server.registerTool(
    'blob',
    {
      description: 'Answers one text block of `bytes` bytes',
      inputSchema: z.object({ bytes: z.number().int().min(0).max(MAX_BLOB) }),
    },
    ({ bytes }) => ({ content: [{ type: 'text', text: 'x'.repeat(bytes) }] }),
  );
  return server;
}

const scaleInput = z.object({
  query: z.string().describe('What to look for'),
  limit: z.number().int().min(1).max(100).optional().describe('At most this many results'),
});

function scaleServer(index: number): McpServer {
  const server = new McpServer({ name: `scale-${index}`, version: '1.0.0' });
  for (let t = 0; t < SCALE_TOOLS; t++) {
    const name = `t${String(t).padStart(3, '0')}`;
    server.registerTool(
      name,
      {
        description: `Tool ${name} of server scale-${index}: looks something up and says what it found.`,
        inputSchema: scaleInput,
      },
      ({ query }) => ({ content: [{ type: 'text', text: `${name}: ${query}` }] }),
    );
  }
  return server;
}

/** One MCP endpoint: its sessions, each a transport with its own server instance. */
class Endpoint {
  readonly #sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  readonly #pending = new Set<WebStandardStreamableHTTPServerTransport>();

  constructor(private readonly create: () => McpServer) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    const header = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    let transport: WebStandardStreamableHTTPServerTransport;
    if (sessionId !== undefined) {
      const known = this.#sessions.get(sessionId);
      if (!known) return jsonRpcError(res, CORS_HEADERS, 404, `Session not found: ${sessionId}`);
      transport = known;
    } else if (req.method === 'POST') {
      transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (id) => {
          this.#sessions.set(id, transport);
          this.#pending.delete(transport);
        },
        onsessionclosed: (id) => void this.#sessions.delete(id),
      });
      this.#pending.add(transport);
      await this.create().connect(transport);
    } else {
      return jsonRpcError(res, CORS_HEADERS, 400, 'Bad Request: Mcp-Session-Id header is required');
    }
    const response = await transport.handleRequest(webRequest(req, res, url, body));
    if (this.#pending.has(transport) && transport.sessionId === undefined) {
      // Not an initialize after all (a 2026-07-28 probe, say): nothing will address it again.
      this.#pending.delete(transport);
      void transport.close();
    }
    await sendResponse(response, res, CORS_HEADERS);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#sessions.values(), ...this.#pending].map((t) => t.close()));
  }
}

/**
 * Serves one endpoint at `/mcp` on a free port of its own. Idle connections stay open a minute, so
 * no row pays for a new connection that Node's 5 s default would have forced mid-run.
 */
function listen(endpoint: Endpoint): Promise<LoopbackServer> {
  return listenOnLoopback(
    'bench fixture',
    CORS_HEADERS,
    (req, res, url) => endpoint.handle(req, res, url),
    { keepAliveTimeoutMs: 60_000 },
  );
}

const endpoints = [
  new Endpoint(benchServer),
  ...Array.from({ length: SCALE_SERVERS }, (_, i) => new Endpoint(() => scaleServer(i))),
];
const servers = await Promise.all(endpoints.map(listen));
const [bench, ...scale] = servers;
process.stdout.write(
  `${JSON.stringify({ bench: bench!.port, scale: scale.map((server) => server.port) })}\n`,
);

async function stop(): Promise<void> {
  await Promise.allSettled(endpoints.map((endpoint) => endpoint.close()));
  await Promise.all(servers.map((server) => server.close()));
  process.exit(0);
}
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
