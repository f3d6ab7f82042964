/**
 * The client command that `npm run conformance` hands to the official conformance suite
 * (`@modelcontextprotocol/conformance`). The suite starts a mock MCP server for one scenario, runs
 *
 *   node --experimental-transform-types conformance/client.ts <server-url>
 *
 * with MCP_CONFORMANCE_SCENARIO, MCP_CONFORMANCE_PROTOCOL_VERSION (and, for some scenarios,
 * MCP_CONFORMANCE_CONTEXT) set, and judges what reached its mock. What it judges here is the hub's
 * client side: this command builds a hub in Node (in-memory stores) with the scenario's URL as its
 * ONLY server, connects one downstream client to it over an in-memory transport pair, and makes
 * that client do what the scenario expects, through the hub. Whatever the mock sees was sent by
 * the hub's upstream client, never by the downstream one.
 *
 * In the authorization scenarios (`auth/…`) this process also plays the person at the browser:
 * when the hub says the server needs a sign-in, it asks the hub to start one, opens the
 * authorization URL (the suite's mock authorization server answers at once with a redirect), and
 * hands the hub the redirect's query as `/oauth/callback` would. It never speaks OAuth itself:
 * discovery, registration, PKCE, scopes, the token request and every check on the answer are the
 * hub's, and they are what the suite judges.
 *
 * Node 22 runs this file and the hub's .ts sources directly; `--experimental-transform-types` (not
 * plain type stripping) because the hub uses constructor parameter properties.
 */
import dns from 'node:dns';
import { Client, InMemoryTransport, type Tool } from '@modelcontextprotocol/client';
import {
  allowAllPolicy,
  createHub,
  MemoryTokenStore,
  type Hub,
  type ServerView,
} from '../src/hub/index.ts';

/** The slug the scenario's server is registered under, so its tools are `scenario__<name>`. */
const SLUG = 'scenario';
/** The revision whose lifecycle is stateless (`server/discover`, per-request `_meta`). */
const MODERN = '2026-07-28';
/** How long the hub may take to connect to the mock before the run gives up. */
const READY_TIMEOUT_MS = 10_000;
/**
 * Where the authorization server sends the person back. Nothing listens there: the person (this
 * process) reads the redirect instead of following it, as the browser would land on the page.
 */
const REDIRECT_URL = 'http://127.0.0.1/oauth/callback';
/**
 * The Client ID Metadata Document URL auth/basic-cimd expects as the client id (the mock never
 * fetches it). Only that scenario gets one: auth/offline-access-scope would try to fetch it to
 * read the grant types, and this host is not on this machine.
 */
const CIMD_URL = 'https://conformance-test.local/client-metadata.json';
/** A person gives up after this many sign-ins in one run (auth/scope-retry-limit allows three). */
const MAX_SIGN_INS = 3;

interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/**
 * The person at the browser, for the authorization scenarios: signs in when the hub asks, the way
 * the dashboard's Sign in button and the `/oauth/callback` page would.
 */
class Person {
  readonly hub: Hub;
  readonly serverId: string;
  #signIns = 0;

  constructor(hub: Hub, serverId: string) {
    this.hub = hub;
    this.serverId = serverId;
  }

  /** Whether the hub asks the person to sign in to the server (the "Waiting for you" queue). */
  async asked(): Promise<boolean> {
    const requests = await this.hub.admin.listSignInRequests();
    return requests.some((request) => request.serverId === this.serverId);
  }

  /**
   * Signs in: the hub starts the flow; the person opens the URL it gives and brings the redirect
   * back. Resolves with the server's view once the hub has reconnected to it.
   */
  async signIn(): Promise<ServerView> {
    this.#signIns += 1;
    if (this.#signIns > MAX_SIGN_INS) {
      throw new Error(`the person gave up after ${MAX_SIGN_INS} sign-ins in one run`);
    }
    const { authorizationUrl } = await this.hub.admin.startSignIn(this.serverId);
    if (authorizationUrl) {
      log(`sign-in ${this.#signIns}: opening ${authorizationUrl}`);
      const params = await followAuthorization(authorizationUrl);
      const outcome = await this.hub.finishSignIn(params);
      if (outcome.error) throw new Error(`the hub did not finish the sign-in: ${outcome.error}`);
    } else {
      log(`sign-in ${this.#signIns}: the hub signed in without the person`);
    }
    // Signing in restarts the server at once (`connecting`), so this waits for the new attempt.
    return settled(this.hub, this.serverId);
  }
}

/**
 * What the browser does with the authorization URL when the authorization server needs nothing
 * from the person (the suite's mocks): one request, whose redirect to REDIRECT_URL carries the
 * answer. Returns that answer's query parameters, all of them, for the hub to judge.
 */
async function followAuthorization(authorizationUrl: string): Promise<Record<string, string>> {
  const url = new URL(authorizationUrl);
  if (url.hostname !== 'localhost' && url.hostname !== '127.0.0.1') {
    throw new Error(`the authorization URL is not on this machine (${url.origin}); not opening it`);
  }
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status < 300 || response.status > 399 || !location) {
    throw new Error(`the authorization server answered ${response.status} without a redirect`);
  }
  const back = new URL(location, url);
  const expected = new URL(REDIRECT_URL);
  if (back.origin !== expected.origin || back.pathname !== expected.pathname) {
    throw new Error(
      `the authorization server redirected to ${back.origin}${back.pathname}, not back`,
    );
  }
  return Object.fromEntries(back.searchParams);
}

/** What a scenario step gets: the downstream client and the names the hub gave the mock's tools. */
class Run {
  readonly hub: Hub;
  readonly client: Client;
  /** Every problem met so far; the run exits non-zero when there is one. */
  readonly problems: string[];
  readonly person: Person;

  constructor(hub: Hub, client: Client, problems: string[], person: Person) {
    this.hub = hub;
    this.client = client;
    this.problems = problems;
    this.person = person;
  }

  /** The server view of the scenario's server (its status, tools and their aggregated names). */
  server(): ServerView {
    const view = this.hub.admin.listServers().find((server) => server.slug === SLUG);
    if (!view) throw new Error(`the hub lost the server '${SLUG}'`);
    return view;
  }

  /** The aggregated name the hub offers for the mock's tool `upstreamName`. */
  exposedName(upstreamName: string): string {
    const tool = this.server().tools.find((candidate) => candidate.upstreamName === upstreamName);
    if (!tool) {
      const offered = this.server()
        .tools.map((candidate) => candidate.upstreamName)
        .join(', ');
      throw new Error(
        `the hub does not offer the server's tool '${upstreamName}' (it offers: ${offered || 'none'})`,
      );
    }
    return tool.name;
  }

  /** tools/list through the hub: every aggregated tool, all pages. */
  async listTools(): Promise<Tool[]> {
    return (await this.client.listTools()).tools;
  }

  /**
   * tools/call through the hub of the mock's tool `upstreamName`. A call the hub refused because
   * the server wants more access (step-up) is made once more after the person signs in again,
   * as a client whose call failed so would after the person pressed Sign in.
   */
  async call(upstreamName: string, args: Record<string, unknown>): Promise<void> {
    const once = async () =>
      this.client.callTool({ name: this.exposedName(upstreamName), arguments: args });
    const result = await once().catch(async (error: unknown) => {
      if (!(await this.person.asked())) throw error;
      log(`${upstreamName} failed (${String(error)}); the hub asks the person to sign in again`);
      const view = await this.person.signIn();
      if (view.status.state !== 'ready') throw error;
      return once();
    });
    log(`${upstreamName} → ${JSON.stringify(result)}`);
  }

  /**
   * Runs one step; a failed step is recorded and the run goes on, so one run shows every problem
   * (and the scenario sees every request the later steps make).
   */
  async step(what: string, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      const message = `${what} failed: ${error instanceof Error ? error.message : String(error)}`;
      this.problems.push(message);
      log(message);
    }
  }
}

/**
 * What the downstream client does in each scenario: what the scenario's mock expects a client to
 * do (see each scenario's description in the suite), with tool names as the hub exposes them.
 */
const SCENARIOS: Record<string, (run: Run) => Promise<void>> = {
  initialize: async (run) => {
    await run.step('tools/list', () => run.listTools());
  },

  tools_call: async (run) => {
    await run.step('tools/list', () => run.listTools());
    await run.step('add_numbers', () => run.call('add_numbers', { a: 5, b: 3 }));
  },

  // The mock elicits five fields that all have defaults; the downstream client accepts with no
  // content at all (see `answerElicitation`), so every default must be filled in by the hub.
  'elicitation-sep1034-client-defaults': async (run) => {
    await run.step('tools/list', () => run.listTools());
    await run.step('test_client_elicitation_defaults', () =>
      run.call('test_client_elicitation_defaults', {}),
    );
  },

  // The mock closes the call's SSE stream after a priming event with `retry: 500`; the hub's
  // upstream transport must reconnect with GET after that long, sending Last-Event-ID.
  'sse-retry': async (run) => {
    await run.step('tools/list', () => run.listTools());
    await run.step('test_reconnection', () => run.call('test_reconnection', {}));
  },

  // Every request the hub sends must carry MCP-Protocol-Version and the `_meta` envelope; the
  // mock refuses the first one with -32022 to see the hub retry with a supported version.
  'request-metadata': async (run) => {
    await run.step('tools/list', () => run.listTools());
  },

  // Input-required results (multi round-trip requests): the hub must answer the embedded
  // elicitation, echo requestState byte for byte on a fresh id, keep unrelated calls clean, and
  // treat a result without resultType as complete.
  'sep-2322-client-request-state': async (run) => {
    await run.step('tools/list', () => run.listTools());
    for (const tool of ['test_mrtr_echo_state', 'test_mrtr_no_state', 'test_mrtr_unrelated']) {
      await run.step(tool, () => run.call(tool, {}));
    }
    // The mock answers this one without `resultType`. The scenario judges only that it is not
    // retried; the SDK's client rejects such a result from a 2026-07-28 server as malformed, so
    // the downstream client may well see an error, which is not this run's failure.
    await run
      .call('test_mrtr_no_result_type', {})
      .catch((error: unknown) => log(`test_mrtr_no_result_type refused: ${String(error)}`));
  },

  // Mcp-Method on every POST, Mcp-Name on tools/call, resources/read and prompts/get.
  'http-standard-headers': async (run) => {
    await run.step('tools/list', () => run.listTools());
    await run.step('tools/call', async () => {
      const [first] = run.server().tools;
      if (!first) throw new Error('the hub offers no tool of the server');
      await run.call(first.upstreamName, {});
    });
    await run.step('resources/read', async () => {
      const { resources } = await run.client.listResources();
      const [first] = resources;
      if (!first) throw new Error('the hub offers no resource of the server');
      await run.client.readResource({ uri: first.uri });
    });
    await run.step('prompts/get', async () => {
      const { prompts } = await run.client.listPrompts();
      const [first] = prompts;
      if (!first) throw new Error('the hub offers no prompt of the server');
      await run.client.getPrompt({ name: first.name, arguments: {} });
    });
  },

  // The suite names the calls to make; parameters marked `x-mcp-header` must reach the mock as
  // Mcp-Param-* headers, encoded as SEP-2243 says.
  'http-custom-headers': async (run) => {
    await run.step('tools/list', () => run.listTools());
    for (const call of contextToolCalls()) {
      await run.step(call.name, () => run.call(call.name, call.arguments));
    }
  },

  // The mock lists one valid tool and eleven whose x-mcp-header is malformed. The hub must not
  // offer the malformed ones; every tool it does offer is called, so offering one fails the check.
  'http-invalid-tool-headers': async (run) => {
    await run.step('tools/list', () => run.listTools());
    for (const tool of run.server().tools) {
      // A call the hub or the server refuses is not this scenario's failure: only which tools
      // reach the mock is judged.
      await run.client
        .callTool({ name: tool.name, arguments: { region: 'us-west1' } })
        .then(() => log(`${tool.upstreamName} was called`))
        .catch((error: unknown) => log(`${tool.upstreamName} refused: ${String(error)}`));
    }
  },

  // The tool's inputSchema has a `$ref` to a URL on the mock; nothing may fetch it.
  'json-schema-ref-no-deref': async (run) => {
    await run.step('tools/list', () => run.listTools());
  },

  // The schema the downstream client received for the focal tool goes back verbatim through the
  // echo tool; the mock compares it with what it served (2020-12 keywords must survive the hub).
  'json-schema-2020-12-preservation': async (run) => {
    await run.step('echo the schema', async () => {
      const tools = await run.listTools();
      const focal = tools.find((tool) => tool.name === run.exposedName('json_schema_2020_12_tool'));
      if (!focal) throw new Error('tools/list through the hub lacks json_schema_2020_12_tool');
      await run.call('json_schema_echo', { schema: focal.inputSchema });
    });
  },
};

/**
 * Every authorization scenario (`auth/…`), once the person has signed in: what the suite's own
 * client does, list the tools and call `test-tool`. Most mocks judge only the sign-in; the
 * step-up one refuses the call with 403 `insufficient_scope` until the person signs in again
 * with more scope (see `Run.call`), and the migration one refuses the old token after its first
 * request so that the hub must sign in with the new authorization server.
 */
async function authorized(run: Run): Promise<void> {
  await run.step('tools/list', () => run.listTools());
  await run.step('test-tool', () => run.call('test-tool', {}));
}

function log(message: string): void {
  console.error(`[conformance-client] ${message}`);
}

/** The client auth/pre-registration registered by hand, from MCP_CONFORMANCE_CONTEXT. */
function contextClient(): { id: string; secret?: string } | undefined {
  const raw = process.env.MCP_CONFORMANCE_CONTEXT;
  if (!raw) return undefined;
  const context = JSON.parse(raw) as { client_id?: string; client_secret?: string };
  if (!context.client_id) return undefined;
  return {
    id: context.client_id,
    ...(context.client_secret ? { secret: context.client_secret } : {}),
  };
}

/** The tool calls the suite passes in MCP_CONFORMANCE_CONTEXT (http-custom-headers). */
function contextToolCalls(): ToolCall[] {
  const raw = process.env.MCP_CONFORMANCE_CONTEXT;
  if (!raw) throw new Error('MCP_CONFORMANCE_CONTEXT is not set; this scenario needs it');
  const context = JSON.parse(raw) as { toolCalls?: ToolCall[] };
  return context.toolCalls ?? [];
}

/** Resolves with the server's view once its first connection attempt has an outcome. */
function settled(hub: Hub, id: string): Promise<ServerView> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const view = hub.admin.listServers().find((server) => server.id === id);
      if (!view || view.status.state === 'connecting') return false;
      clearTimeout(timer);
      unsubscribe();
      resolve(view);
      return true;
    };
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`the hub did not connect to the server within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    const unsubscribe = hub.events.subscribe(() => void check());
    check();
  });
}

/**
 * The downstream client accepts every elicitation without filling in anything: defaults the
 * server's schema declares must be applied by the hub (SEP-1034), not left to each client.
 */
function answerElicitation(client: Client): void {
  client.setRequestHandler('elicitation/create', async (request) => {
    log(`elicitation: ${JSON.stringify(request.params)}`);
    return { action: 'accept', content: {} };
  });
}

async function main(): Promise<number> {
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  const version = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION ?? '2025-11-25';
  const serverUrl = process.argv.at(-1) ?? '';
  const auth = scenario.startsWith('auth/');
  const actions = SCENARIOS[scenario] ?? (auth ? authorized : undefined);
  if (!actions) {
    log(
      `no steps for scenario '${scenario}' (known: ${Object.keys(SCENARIOS).join(', ')}, auth/…)`,
    );
    return 2;
  }
  // The suite's mocks listen on 127.0.0.1 and hand out `localhost` URLs, which stay as they are:
  // the protected resource metadata names the server by that URL, and the authorization server
  // is identified by its own, so a client that renamed them would fail the checks of both.
  // `localhost` resolves to 127.0.0.1 first instead (nothing here may leave 127.0.0.1).
  dns.setDefaultResultOrder('ipv4first');
  const url = new URL(serverUrl);
  log(`scenario ${scenario} at ${version}, server ${url.href}`);

  const hub = await createHub({
    policy: allowAllPolicy,
    log: (message) => log(`hub: ${message}`),
    // The periodic health check is not what any scenario measures; a ping landing mid-scenario
    // would only make runs differ by timing.
    pingIntervalMs: 60 * 60_000,
    signIn: {
      tokens: new MemoryTokenStore(),
      redirectUrl: REDIRECT_URL,
      ...(scenario === 'auth/basic-cimd' ? { clientMetadataUrl: CIMD_URL } : {}),
    },
  });
  const problems: string[] = [];
  let client: Client | undefined;
  try {
    // auth/pre-registration: the authorization server registers no clients; the suite passes
    // the one registered by hand, which the person would enter on the server's form.
    const oauthClient = auth ? contextClient() : undefined;
    // The scenario's server is the hub's only server: the built-in one goes.
    for (const builtin of hub.admin.listServers().filter((server) => server.kind === 'builtin')) {
      await hub.admin.removeServer(builtin.id);
    }
    const added = await hub.admin.addServer({
      name: scenario,
      slug: SLUG,
      url: url.href,
      transport: 'streamable-http',
      // The suite names the revision a client must speak, and a 2026-07-28 mock judges every
      // request: in `auto` the hub may also send one 2025 `initialize` to compare what the
      // server declares (src/hub/upstream/attempt.ts), which such a mock rightly flags. A dated
      // run stays in `auto`, whose `server/discover` probe the 2025 mocks answer as legacy.
      era: version === MODERN ? MODERN : 'auto',
      headers: [],
      ...(oauthClient ? { oauthClient } : {}),
    });
    const person = new Person(hub, added.id);
    let view = await settled(hub, added.id);
    // A server may ask again after a sign-in (auth/authorization-server-migration: its first
    // token stops working once the server has moved to another authorization server).
    while (view.status.state === 'needs-sign-in') {
      log(`the hub asks the person to sign in: ${view.status.reason}`);
      view = await person.signIn();
    }
    if (view.status.state !== 'ready') {
      const why = view.status.state === 'error' ? view.status.reason : view.status.state;
      log(`the hub could not connect to the server: ${why}`);
      return 1;
    }
    const warnings = view.status.warnings?.length
      ? `; warnings: ${view.status.warnings.join('; ')}`
      : '';
    log(
      `connected: protocol ${view.protocolVersion ?? '?'}, tools ${view.tools.length}${warnings}`,
    );

    const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
    await hub.connect(hubSide, {
      origin: 'http://127.0.0.1',
      clientName: 'nexus-conformance-client',
      sessionId: crypto.randomUUID(),
    });
    client = new Client(
      { name: 'nexus-conformance-client', version: '1.0.0' },
      {
        capabilities: { elicitation: { form: {} } },
        // A 2026-07-28 run drives the hub in the stateless era too; a dated one in the stateful.
        versionNegotiation: version === MODERN ? { mode: { pin: MODERN } } : undefined,
      },
    );
    answerElicitation(client);
    await client.connect(clientSide);
    await actions(new Run(hub, client, problems, person));
  } catch (error) {
    problems.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
    log(problems.at(-1)!);
  } finally {
    await client?.close().catch(() => {});
    await hub.close();
  }
  if (problems.length > 0) log(`${problems.length} step(s) failed`);
  return problems.length > 0 ? 1 : 0;
}

// Exit explicitly: an upstream SSE stream the mock keeps open must not keep the process alive.
process.exit(await main());
