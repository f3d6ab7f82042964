/**
 * The reference server, `@modelcontextprotocol/server-everything` (Streamable HTTP), used through
 * the hub by a client page exactly as an AI client would: every tool, prompt, resource and
 * template, argument completion, progress, resource subscriptions and logging. Wherever the
 * server's answer is deterministic, the hub's answer is compared with the answer the same server
 * gives a Node SDK client connected to it directly: the hub must pass content through intact.
 */
import { gunzipSync } from 'node:zlib';
import {
  Client,
  StreamableHTTPClientTransport,
  type LoggingLevel,
} from '@modelcontextprotocol/client';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { severity } from '../../src/hub/router/log-levels.ts';
import { startEverything } from '../fixtures/everything.ts';
import type { ReceivedNotification } from './page/clients.ts';
import { appForThisFile, nexus, openClientPage } from './support.ts';

const { app, stops } = appForThisFile();

/** The slug the hub gives the server registered below as `everything`. */
const SLUG = 'everything';
const hubName = (name: string): string => `${SLUG}__${name}`;

interface Setup {
  /** A client page with a v2 SDK client named `agent` connected through `nexus-client.js`. */
  page: Page;
  /** A Node SDK client connected straight to the same server, for comparison. */
  direct: Client;
  /** Opens one more client page (tab) on the same hub, with a client named `name`. */
  openPage(name: string): Promise<Page>;
}

/**
 * A fresh server-everything, a fresh browser profile whose hub registers it (as the deployment's
 * default server, so no dashboard is needed), a client page connected to that hub, and a direct
 * client. Everything is stopped after the test.
 */
async function everythingThroughHub(browser: Browser): Promise<Setup> {
  const server = await startEverything('streamableHttp');
  stops.push(() => server.stop());
  app.defaults = { mcpServers: { [SLUG]: { url: server.url } } };
  stops.push(async () => (app.defaults = undefined));
  const context = await browser.newContext();
  stops.push(() => context.close());
  // No client capabilities: the server offers this client only the tools that need none. The
  // hub's upstream client may declare more (sampling, elicitation, roots) and see more tools.
  const direct = new Client({ name: 'direct', version: '1.0.0' });
  await direct.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  stops.push(() => direct.close());
  const openPage = async (name: string): Promise<Page> => {
    const page = await openClientPage(context, app);
    await page.evaluate((n) => window.nexusTest.connect('v2', n), name);
    return page;
  };
  return { page: await openPage('agent'), direct, openPage };
}

// ------------------------------------------------------------------ comparing answers

const CLOCK_TIME = /\b\d{1,2}:\d{2}:\d{2}(?:\s?[AP]M)?/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

/**
 * An answer as plain JSON, with what legitimately differs between two calls replaced: the wall
 * clock time server-everything writes into dynamic resources, and its session ids (the hub's
 * upstream session is not the direct client's). Blobs are compared as their decoded bytes (one
 * char per byte), so a blob that embeds the time is compared too.
 */
function normalized(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(CLOCK_TIME, '<time>').replace(UUID, '<uuid>');
  if (Array.isArray(value)) return value.map(normalized);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([key, v]) => [
          key,
          key === 'blob' && typeof v === 'string'
            ? normalized(Buffer.from(v, 'base64').toString('latin1'))
            : normalized(v),
        ]),
    );
  }
  return value;
}

function decoded(base64: string): Buffer {
  return Buffer.from(base64, 'base64');
}

type Content = { type: string; [key: string]: unknown };
const blocks = (result: { content?: unknown }): Content[] => (result.content ?? []) as Content[];

// ------------------------------------------------------------------ the tools

const GZIP_INPUT = 'Nexus passes bytes through intact: \u00e9\u00e8\u00ea \u2713\n'.repeat(20);
const GZIP_DATA_URI = `data:text/plain;base64,${Buffer.from(GZIP_INPUT).toString('base64')}`;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface ToolCall {
  args: Record<string, unknown>;
  /** Checks the hub's answer on its own, before the direct client makes the same call. */
  check?(result: { content?: unknown; structuredContent?: unknown }, page: Page): Promise<void>;
}

/**
 * Every tool server-everything offers a client without sampling, elicitation, roots or tasks, with
 * valid arguments. Each call goes through the hub, then straight to the server; the answers must
 * match. Toggles are called twice (on, then off).
 */
const TOOL_CALLS: Record<string, ToolCall[]> = {
  echo: [{ args: { message: 'hello from a page, through Nexus \u2728' } }],
  'get-annotated-message': [
    {
      args: { messageType: 'error', includeImage: true },
      async check(result) {
        const [text, image] = blocks(result);
        expect(text).toMatchObject({ type: 'text', annotations: { priority: 1 } });
        expect(image).toMatchObject({ type: 'image', mimeType: 'image/png' });
        expect(decoded(image!.data as string).subarray(0, 8)).toEqual(PNG_SIGNATURE);
      },
    },
    { args: { messageType: 'debug', includeImage: false } },
  ],
  'get-env': [{ args: {} }],
  'get-resource-links': [
    {
      args: { count: 4 },
      async check(result) {
        const links = blocks(result).filter((block) => block.type === 'resource_link');
        expect(links.map((link) => link.uri)).toEqual([
          'demo://resource/dynamic/blob/1',
          'demo://resource/dynamic/text/2',
          'demo://resource/dynamic/blob/3',
          'demo://resource/dynamic/text/4',
        ]);
        expect(links[1]).toEqual({
          type: 'resource_link',
          uri: 'demo://resource/dynamic/text/2',
          name: 'Text Resource 2',
          description: 'Resource 2: plaintext resource',
          mimeType: 'text/plain',
        });
      },
    },
  ],
  'get-resource-reference': [
    {
      args: { resourceType: 'Blob', resourceId: 3 },
      async check(result) {
        const embedded = blocks(result).find((block) => block.type === 'resource');
        const resource = embedded?.resource as { uri: string; mimeType: string; blob: string };
        expect(resource).toMatchObject({ uri: 'demo://resource/dynamic/blob/3' });
        expect(decoded(resource.blob).toString()).toMatch(/^Resource 3: This is a base64 blob/);
      },
    },
    { args: { resourceType: 'Text', resourceId: 2 } },
  ],
  'get-structured-content': [
    {
      args: { location: 'Chicago' },
      async check(result) {
        expect(result.structuredContent).toEqual({
          temperature: 36,
          conditions: 'Light rain / drizzle',
          humidity: 82,
        });
      },
    },
  ],
  'get-sum': [
    {
      args: { a: 19, b: 23.5 },
      async check(result) {
        expect(blocks(result)).toEqual([{ type: 'text', text: 'The sum of 19 and 23.5 is 42.5.' }]);
      },
    },
  ],
  'get-tiny-image': [
    {
      args: {},
      async check(result) {
        const image = blocks(result).find((block) => block.type === 'image');
        expect(image?.mimeType).toBe('image/png');
        expect(decoded(image!.data as string).subarray(0, 8)).toEqual(PNG_SIGNATURE);
      },
    },
  ],
  'gzip-file-as-resource': [
    {
      args: { name: 'linked.txt.gz', data: GZIP_DATA_URI, outputType: 'resourceLink' },
      // The link names a resource the server registered in the hub's session (announced with
      // list_changed); it must be readable through the hub. (The direct client's identical call
      // replaces that registration, so this runs first.)
      async check(result, page) {
        const uri = 'demo://resource/session/linked.txt.gz';
        expect(blocks(result)).toEqual([
          { type: 'resource_link', uri, name: 'linked.txt.gz', mimeType: 'application/gzip' },
        ]);
        await expect
          .poll(async () => (await nexus(page, 'listResources', 'agent')).map((r) => r.uri))
          .toContain(uri);
        const read = await nexus(page, 'readResource', 'agent', uri);
        const [contents] = read.contents as Array<{ uri: string; blob: string }>;
        expect(contents).toMatchObject({ uri, mimeType: 'application/gzip' });
        expect(gunzipSync(decoded(contents!.blob)).toString()).toBe(GZIP_INPUT);
      },
    },
    {
      args: { name: 'embedded.txt.gz', data: GZIP_DATA_URI, outputType: 'resource' },
      async check(result) {
        const [embedded] = blocks(result);
        const resource = embedded?.resource as { uri: string; mimeType: string; blob: string };
        expect(resource).toMatchObject({
          uri: 'demo://resource/session/embedded.txt.gz',
          mimeType: 'application/gzip',
        });
        expect(gunzipSync(decoded(resource.blob)).toString()).toBe(GZIP_INPUT);
      },
    },
  ],
  'toggle-simulated-logging': [{ args: {} }, { args: {} }],
  'toggle-subscriber-updates': [{ args: {} }, { args: {} }],
  'trigger-long-running-operation': [{ args: { duration: 0.2, steps: 2 } }],
};

/**
 * Tools server-everything offers only to a client with a capability the hub does not declare
 * upstream yet (it registers them after `initialize`, from the client's capabilities), or that
 * need a protocol feature the hub does not relay yet. Listed so that when the hub grows the
 * feature, the coverage check below fails until the tool is exercised.
 */
const AWAITING_HUB_FEATURES: Record<string, string> = {
  'trigger-sampling-request': 'sampling',
  'trigger-sampling-request-async': 'sampling, as a task',
  'trigger-elicitation-request': 'elicitation',
  'trigger-elicitation-request-async': 'elicitation, as a task',
  'trigger-url-elicitation': 'URL elicitation',
  'get-roots-list': 'roots',
  'simulate-research-query': 'task-augmented tools/call (taskSupport: required)',
};

test('every tool of server-everything answers through the hub as it answers directly', async ({
  browser,
}) => {
  const { page, direct } = await everythingThroughHub(browser);
  const viaHub = (await nexus(page, 'listTools', 'agent')).filter((tool) =>
    tool.name.startsWith(hubName('')),
  );
  const offered = viaHub.map((tool) => tool.name.slice(hubName('').length));
  expect(
    offered.filter((name) => !(name in TOOL_CALLS) && !(name in AWAITING_HUB_FEATURES)),
    'tools this test neither calls nor knows to be waiting for a hub feature',
  ).toEqual([]);
  expect(Object.keys(TOOL_CALLS).filter((name) => !offered.includes(name))).toEqual([]);

  // The definitions reach the page as the server wrote them, under the namespaced name. (The
  // direct client declares no capabilities, so it may see fewer tools than the hub does.)
  const { tools: directTools } = await direct.listTools();
  for (const name of Object.keys(TOOL_CALLS)) {
    const tool = viaHub.find((candidate) => candidate.name === hubName(name));
    expect(normalized({ ...tool, name }), `definition of ${name}`).toEqual(
      normalized(directTools.find((candidate) => candidate.name === name)),
    );
  }

  for (const [tool, calls] of Object.entries(TOOL_CALLS)) {
    for (const { args, check } of calls) {
      const what = `${tool} ${JSON.stringify(args)}`;
      const throughHub = await nexus(page, 'callTool', 'agent', hubName(tool), args);
      expect(throughHub.isError, `${what}: ${JSON.stringify(throughHub.content)}`).toBeFalsy();
      await check?.(throughHub, page);
      const directly = await direct.callTool({ name: tool, arguments: args });
      expect(normalized(throughHub), what).toEqual(normalized(directly));
    }
  }
});

test('progress of a long-running tool reaches the page that asked for it, then the result', async ({
  browser,
}) => {
  const { page } = await everythingThroughHub(browser);
  const { result, progress } = await nexus(
    page,
    'callToolWithProgress',
    'agent',
    hubName('trigger-long-running-operation'),
    { duration: 1.5, steps: 3 },
  );
  expect(progress.length).toBeGreaterThan(1);
  expect(progress).toEqual([
    { progress: 1, total: 3 },
    { progress: 2, total: 3 },
    { progress: 3, total: 3 },
  ]);
  expect(result.content).toEqual([
    { type: 'text', text: 'Long running operation completed. Duration: 1.5 seconds, Steps: 3.' },
  ]);
});

// ------------------------------------------------------------------ prompts and completion

const PROMPT_ARGS: Record<string, Array<Record<string, string> | undefined>> = {
  'simple-prompt': [undefined],
  'args-prompt': [{ city: 'Lyon' }, { city: 'Lyon', state: 'Auvergne-Rh\u00f4ne-Alpes' }],
  'completable-prompt': [{ department: 'Sales', name: 'Eve' }],
  'resource-prompt': [
    { resourceType: 'Text', resourceId: '2' },
    { resourceType: 'Blob', resourceId: '5' },
  ],
};

interface CompletionCase {
  /** A prompt (by its server's name) or a resource template (by its URI template). */
  ref: 'prompt' | 'template';
  name: string;
  argument: { name: string; value: string };
  context?: { arguments: Record<string, string> };
  expected: string[];
}

test('every prompt is fetched with its arguments, and prompt and template arguments complete', async ({
  browser,
}) => {
  const { page, direct } = await everythingThroughHub(browser);
  const viaHub = (await nexus(page, 'listPrompts', 'agent')).filter((prompt) =>
    prompt.name.startsWith(hubName('')),
  );
  const { prompts: directPrompts } = await direct.listPrompts();
  expect(viaHub.map((prompt) => prompt.name).sort()).toEqual(
    directPrompts.map((prompt) => hubName(prompt.name)).sort(),
  );
  expect(Object.keys(PROMPT_ARGS).sort()).toEqual(directPrompts.map((p) => p.name).sort());
  for (const prompt of viaHub) {
    const name = prompt.name.slice(hubName('').length);
    expect({ ...prompt, name }).toEqual(directPrompts.find((p) => p.name === name));
  }

  for (const [prompt, argsList] of Object.entries(PROMPT_ARGS)) {
    for (const args of argsList) {
      const throughHub = await nexus(page, 'getPrompt', 'agent', hubName(prompt), args);
      const directly = await direct.getPrompt({
        name: prompt,
        ...(args ? { arguments: args } : {}),
      });
      expect(normalized(throughHub), `${prompt} ${JSON.stringify(args)}`).toEqual(
        normalized(directly),
      );
    }
  }
  const withLocation = await nexus(page, 'getPrompt', 'agent', hubName('args-prompt'), {
    city: 'Lyon',
    state: 'Auvergne-Rh\u00f4ne-Alpes',
  });
  expect(withLocation.messages).toEqual([
    {
      role: 'user',
      content: { type: 'text', text: "What's weather in Lyon, Auvergne-Rh\u00f4ne-Alpes?" },
    },
  ]);
  const embedding = await nexus(page, 'getPrompt', 'agent', hubName('resource-prompt'), {
    resourceType: 'Blob',
    resourceId: '5',
  });
  const embedded = embedding.messages[1]?.content as {
    type: string;
    resource: { uri: string; blob: string };
  };
  expect(embedded.type).toBe('resource');
  expect(embedded.resource.uri).toBe('demo://resource/dynamic/blob/5');
  expect(decoded(embedded.resource.blob).toString()).toMatch(/^Resource 5: This is a base64 blob/);

  // Completion: prompt references by their namespaced name, template references by URI template.
  const completions: CompletionCase[] = [
    {
      ref: 'prompt',
      name: 'completable-prompt',
      argument: { name: 'department', value: 'Ma' },
      expected: ['Marketing'],
    },
    {
      ref: 'prompt',
      name: 'completable-prompt',
      argument: { name: 'name', value: '' },
      context: { arguments: { department: 'Support' } },
      expected: ['John', 'Kim', 'Lee'],
    },
    {
      ref: 'prompt',
      name: 'resource-prompt',
      argument: { name: 'resourceType', value: 'B' },
      expected: ['Blob'],
    },
    {
      ref: 'prompt',
      name: 'resource-prompt',
      argument: { name: 'resourceId', value: '12' },
      expected: ['12'],
    },
    {
      ref: 'template',
      name: 'demo://resource/dynamic/text/{resourceId}',
      argument: { name: 'resourceId', value: '7' },
      expected: ['7'],
    },
    {
      ref: 'template',
      name: 'demo://resource/dynamic/blob/{resourceId}',
      argument: { name: 'resourceId', value: 'x' },
      expected: [],
    },
  ];
  for (const { ref, name, argument, context, expected } of completions) {
    const what = `${name} ${argument.name}=${JSON.stringify(argument.value)}`;
    const rest = { argument, ...(context ? { context } : {}) };
    const throughHub = await nexus(page, 'complete', 'agent', {
      ref:
        ref === 'prompt'
          ? { type: 'ref/prompt', name: hubName(name) }
          : { type: 'ref/resource', uri: name },
      ...rest,
    });
    const directly = await direct.complete({
      ref: ref === 'prompt' ? { type: 'ref/prompt', name } : { type: 'ref/resource', uri: name },
      ...rest,
    });
    expect(throughHub.completion.values, what).toEqual(expected);
    expect(throughHub, what).toEqual(JSON.parse(JSON.stringify(directly)));
  }
});

// ------------------------------------------------------------------ resources

test('every listed resource and both resource templates are read through the hub as directly', async ({
  browser,
}) => {
  const { page, direct } = await everythingThroughHub(browser);
  const { resources: directResources } = await direct.listResources();
  expect(directResources.length).toBeGreaterThan(3);
  const viaHub = await nexus(page, 'listResources', 'agent');
  // URIs are global: the hub lists them as the server does, without renaming.
  for (const resource of directResources) {
    expect(viaHub.find((listed) => listed.uri === resource.uri)).toEqual(
      JSON.parse(JSON.stringify(resource)),
    );
  }
  for (const { uri } of directResources) {
    const throughHub = await nexus(page, 'readResource', 'agent', uri);
    expect(throughHub.contents.length, uri).toBeGreaterThan(0);
    expect(normalized(throughHub), uri).toEqual(normalized(await direct.readResource({ uri })));
  }
  const instructions = await nexus(
    page,
    'readResource',
    'agent',
    'demo://resource/static/document/instructions.md',
  );
  expect(instructions.contents[0]).toMatchObject({ mimeType: 'text/markdown' });
  expect((instructions.contents[0] as { text: string }).text.length).toBeGreaterThan(100);

  const { resourceTemplates: directTemplates } = await direct.listResourceTemplates();
  const hubTemplates = await nexus(page, 'listResourceTemplates', 'agent');
  expect(directTemplates.map((template) => template.uriTemplate).sort()).toEqual([
    'demo://resource/dynamic/blob/{resourceId}',
    'demo://resource/dynamic/text/{resourceId}',
  ]);
  for (const template of directTemplates) {
    const listed = hubTemplates.find((t) => t.uriTemplate === template.uriTemplate);
    // Template names are namespaced like tools, and fit the names popular clients accept.
    expect(listed?.name).toMatch(/^everything__[a-zA-Z0-9_-]+$/);
    expect(listed!.name.length).toBeLessThanOrEqual(64);
    expect({ ...listed, name: template.name }).toEqual(JSON.parse(JSON.stringify(template)));
  }
  for (const uri of ['demo://resource/dynamic/text/5', 'demo://resource/dynamic/blob/6']) {
    const throughHub = await nexus(page, 'readResource', 'agent', uri);
    expect(normalized(throughHub), uri).toEqual(normalized(await direct.readResource({ uri })));
  }
  const blob = await nexus(page, 'readResource', 'agent', 'demo://resource/dynamic/blob/6');
  const [contents] = blob.contents as Array<{ uri: string; blob: string }>;
  expect(contents!.uri).toBe('demo://resource/dynamic/blob/6');
  expect(decoded(contents!.blob).toString()).toMatch(
    /^Resource 6: This is a base64 blob created at/,
  );
});

// ------------------------------------------------------------------ subscriptions

const DOC = (name: string): string => `demo://resource/static/document/${name}`;

function updatedUris(notifications: ReceivedNotification[]): string[] {
  return notifications
    .filter((entry) => entry.method === 'notifications/resources/updated')
    .map((entry) => entry.params?.uri as string);
}

async function updatesOf(page: Page, name: string): Promise<string[]> {
  return updatedUris(await nexus(page, 'notifications', name));
}

test('a resource update reaches the pages that subscribed to it and no other page', async ({
  browser,
}) => {
  const { page: alice, openPage } = await everythingThroughHub(browser);
  const bob = await openPage('bob');
  const onlyAlice = DOC('architecture.md');
  const onlyBob = DOC('extension.md');
  const both = DOC('features.md');
  await nexus(alice, 'subscribe', 'agent', onlyAlice);
  await nexus(bob, 'subscribe', 'bob', onlyBob);
  await nexus(alice, 'subscribe', 'agent', both);
  await nexus(bob, 'subscribe', 'bob', both);

  // server-everything sends one round of updates at once when its updates are switched on (then
  // one every 5 s): for each URI its session subscribed to, in the order first subscribed —
  // onlyAlice, onlyBob, both — on one ordered stream. Each page's port delivers in order, so once
  // a page has the update for `both`, a wrongly routed earlier update would already be there.
  await nexus(alice, 'callTool', 'agent', hubName('toggle-subscriber-updates'), {});
  await expect.poll(() => updatesOf(alice, 'agent')).toContain(both);
  await expect.poll(() => updatesOf(bob, 'bob')).toContain(both);
  const aliceFirst = await updatesOf(alice, 'agent');
  const bobFirst = await updatesOf(bob, 'bob');
  expect(aliceFirst.slice(0, 2)).toEqual([onlyAlice, both]);
  expect(bobFirst.slice(0, 2)).toEqual([onlyBob, both]);
  expect(new Set(aliceFirst)).toEqual(new Set([onlyAlice, both]));
  expect(new Set(bobFirst)).toEqual(new Set([onlyBob, both]));

  // Unsubscribing: Alice leaves onlyAlice (its last subscriber, so the hub unsubscribes
  // upstream), Bob leaves both (Alice still holds it) and takes a new URI, subscribed last so
  // its update comes last in the next round: onlyBob, both, bobLater.
  await nexus(alice, 'callTool', 'agent', hubName('toggle-subscriber-updates'), {});
  await nexus(alice, 'unsubscribe', 'agent', onlyAlice);
  await nexus(bob, 'unsubscribe', 'bob', both);
  const bobLater = DOC('how-it-works.md');
  await nexus(bob, 'subscribe', 'bob', bobLater);
  // A page learns where the next round starts from the server's own log line about that last
  // subscription (relayed to every page, no level set): it precedes the round on the same stream.
  const roundStart = async (page: Page, name: string): Promise<number> => {
    const all = await nexus(page, 'notifications', name);
    return all.findIndex(
      (entry) =>
        entry.method === 'notifications/message' &&
        String(entry.params?.data).includes(`Subscribe Resource request for URI: ${bobLater}`),
    );
  };
  await expect.poll(() => roundStart(alice, 'agent')).toBeGreaterThanOrEqual(0);
  await expect.poll(() => roundStart(bob, 'bob')).toBeGreaterThanOrEqual(0);
  await nexus(alice, 'callTool', 'agent', hubName('toggle-subscriber-updates'), {});
  const secondRound = async (page: Page, name: string): Promise<string[]> => {
    const all = await nexus(page, 'notifications', name);
    return updatedUris(all.slice(await roundStart(page, name)));
  };
  await expect.poll(() => secondRound(alice, 'agent')).toContain(both);
  await expect.poll(() => secondRound(bob, 'bob')).toContain(bobLater);
  // Alice's `both` comes after where onlyAlice's would have been; Bob's bobLater after `both`.
  expect((await secondRound(alice, 'agent'))[0]).toBe(both);
  expect(await secondRound(alice, 'agent')).not.toContain(onlyAlice);
  expect((await secondRound(bob, 'bob')).slice(0, 2)).toEqual([onlyBob, bobLater]);
  expect(new Set(await secondRound(bob, 'bob'))).toEqual(new Set([onlyBob, bobLater]));
});

// ------------------------------------------------------------------ logging

interface LogEntry {
  level: LoggingLevel;
  logger?: string;
  data: unknown;
}

async function logsOf(page: Page, name: string): Promise<LogEntry[]> {
  const all = await nexus(page, 'notifications', name, 'notifications/message');
  return all.map((entry) => entry.params as unknown as LogEntry);
}

function about(uri: string): (entry: LogEntry) => boolean {
  return (entry) => String(entry.data).includes(`for URI: ${uri}`);
}

test('log messages reach each page at the level it set, named after their server', async ({
  browser,
}) => {
  const { page: alice, openPage } = await everythingThroughHub(browser);
  const bob = await openPage('bob');
  await nexus(alice, 'setLoggingLevel', 'agent', 'debug');
  await nexus(bob, 'setLoggingLevel', 'bob', 'error');

  // Simulated logging sends one message at once, at a random level: at 'debug' every level is
  // delivered, so Alice gets it.
  await nexus(alice, 'callTool', 'agent', hubName('toggle-simulated-logging'), {});
  await expect
    .poll(async () =>
      (await logsOf(alice, 'agent')).filter((entry) =>
        /^\w+[- ]level[- ]message - SessionId /.test(String(entry.data)),
      ),
    )
    .toEqual([expect.objectContaining({ logger: SLUG })]);
  await nexus(alice, 'callTool', 'agent', hubName('toggle-simulated-logging'), {});

  // server-everything logs every subscription at 'info'.
  const first = DOC('architecture.md');
  const second = DOC('extension.md');
  await nexus(alice, 'subscribe', 'agent', first);
  await expect
    .poll(async () => (await logsOf(alice, 'agent')).filter(about(first)))
    .toEqual([{ level: 'info', logger: SLUG, data: expect.stringContaining(first) }]);
  await nexus(bob, 'subscribe', 'bob', second);
  await expect
    .poll(async () => (await logsOf(alice, 'agent')).filter(about(second)))
    .toEqual([{ level: 'info', logger: SLUG, data: expect.stringContaining(second) }]);
  // Bob (at 'error') must have neither info message. Both precede, on the server's one stream,
  // the updates that switching updates on sends; once Bob has his update, they would be there.
  await nexus(alice, 'callTool', 'agent', hubName('toggle-subscriber-updates'), {});
  await expect.poll(() => updatesOf(bob, 'bob')).toContain(second);
  const bobLogs = await logsOf(bob, 'bob');
  expect(bobLogs.filter((entry) => severity(entry.level) < severity('error'))).toEqual([]);
  await nexus(alice, 'callTool', 'agent', hubName('toggle-subscriber-updates'), {});

  // Alice raises her level too: the next info message does not reach her either.
  await nexus(alice, 'setLoggingLevel', 'agent', 'error');
  const third = DOC('features.md');
  await nexus(alice, 'subscribe', 'agent', third);
  const updatesBefore = (await updatesOf(alice, 'agent')).length;
  await nexus(alice, 'callTool', 'agent', hubName('toggle-subscriber-updates'), {});
  await expect
    .poll(async () => (await updatesOf(alice, 'agent')).slice(updatesBefore))
    .toContain(third);
  expect((await logsOf(alice, 'agent')).filter(about(third))).toEqual([]);
  await nexus(alice, 'callTool', 'agent', hubName('toggle-subscriber-updates'), {});

  // And back to 'debug': info messages arrive again.
  await nexus(alice, 'setLoggingLevel', 'agent', 'debug');
  const fourth = DOC('how-it-works.md');
  await nexus(alice, 'subscribe', 'agent', fourth);
  await expect
    .poll(async () => (await logsOf(alice, 'agent')).filter(about(fourth)))
    .toEqual([{ level: 'info', logger: SLUG, data: expect.stringContaining(fourth) }]);
});
