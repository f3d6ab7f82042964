/**
 * Servers that ask the client: elicitation, sampling and the roots list, asked during a call and
 * answered by the client page that made the call, by the person in the dashboard when that client
 * cannot answer, and across protocol eras (a 2025 server asking a 2026-07-28 client and the
 * reverse). Real servers on 127.0.0.1: server-everything (2025 era) and tests/fixtures'
 * modern-server (2026-07-28 through the SDK's `createMcpHandler`).
 */
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { startEverything } from '../fixtures/everything.ts';
import { ASK_MESSAGE, startModernServer, type ModernServer } from '../fixtures/modern-server.ts';
import type { ConnectOptions } from './page/clients.ts';
import { appForThisFile, nexus, openClientPage } from './support.ts';

const { app, stops } = appForThisFile();

interface Hub {
  /** The modern server, when asked for. */
  modern?: ModernServer;
  /** Opens a client page with a client named `name` connected through `nexus-client.js`. */
  client(sdk: 'v1' | 'v2', name: string, options?: ConnectOptions): Promise<Page>;
  /** Opens the dashboard; `request` finds the elicitations waiting in it. */
  dashboard(): Promise<{ dashboard: Page; request: Locator }>;
}

/**
 * A fresh server-everything (slug `everything`), optionally the modern server (slug `modern`),
 * both registered as the deployment's default servers of a fresh browser profile's hub.
 */
async function hubWith(browser: Browser, options: { modern?: boolean } = {}): Promise<Hub> {
  const everything = await startEverything('streamableHttp');
  stops.push(() => everything.stop());
  const servers: Record<string, { url: string }> = { everything: { url: everything.url } };
  let modern: ModernServer | undefined;
  if (options.modern) {
    modern = await startModernServer();
    stops.push(() => modern!.stop());
    servers.modern = { url: modern.url };
  }
  app.defaults = { mcpServers: servers };
  stops.push(async () => (app.defaults = undefined));
  const context = await browser.newContext();
  stops.push(() => context.close());
  return {
    ...(modern ? { modern } : {}),
    async client(sdk, name, connectOptions) {
      const page = await openClientPage(context, app);
      await page.evaluate(([s, n, o]) => window.nexusTest.connect(s, n, o), [
        sdk,
        name,
        connectOptions ?? {},
      ] as const);
      return page;
    },
    async dashboard() {
      const dashboard = await context.newPage();
      await dashboard.goto(app.url);
      return { dashboard, request: dashboard.getByTestId('elicitation') };
    },
  };
}

/** The elicitation answer server-everything reports back, from the "Raw result" it appends. */
function rawElicitResult(text: string): { action: string; content?: Record<string, unknown> } {
  const marker = 'Raw result: ';
  const at = text.indexOf(marker);
  expect(at, text).toBeGreaterThanOrEqual(0);
  return JSON.parse(text.slice(at + marker.length)) as {
    action: string;
    content?: Record<string, unknown>;
  };
}

/** What server-everything's schema defaults to, for the fields the answers below leave out. */
const EVERYTHING_DEFAULTS = {
  firstLine: 'It was a dark and stormy night.',
  integer: 42,
  number: 3.14,
  untitledSingleSelectEnum: 'Monica',
};

test("a sampling request during a call is answered by that call's client", async ({ browser }) => {
  const hub = await hubWith(browser);
  const page = await hub.client('v2', 'writer', {
    answers: { sampling: 'Once upon a time, in a hub.' },
  });
  const text = await nexus(page, 'callText', 'writer', 'everything__trigger-sampling-request', {
    prompt: 'Tell a story',
    maxTokens: 20,
  });
  expect(text).toContain('LLM sampling result');
  expect(text).toContain('Once upon a time, in a hub.');
  expect(text).toContain('e2e-model');
  expect(await nexus(page, 'asked', 'writer')).toEqual(['sampling/createMessage']);
});

test("an elicitation is answered by the calling client, and the hub fills in the schema's defaults", async ({
  browser,
}) => {
  const hub = await hubWith(browser);
  const page = await hub.client('v2', 'form-filler', {
    answers: { elicitation: { name: 'Ada Lovelace', check: true } },
  });
  const text = await nexus(
    page,
    'callText',
    'form-filler',
    'everything__trigger-elicitation-request',
    {},
  );
  expect(text).toContain('User provided the requested information');
  expect(text).toContain('- Name: Ada Lovelace');
  expect(text).toContain('- Favorite Integer: 42');
  const raw = rawElicitResult(text);
  expect(raw.action).toBe('accept');
  expect(raw.content).toMatchObject({ name: 'Ada Lovelace', check: true, ...EVERYTHING_DEFAULTS });
  expect(await nexus(page, 'asked', 'form-filler')).toEqual(['elicitation/create']);
});

test('an elicitation for a client without the capability waits in the dashboard, which can decline it', async ({
  browser,
}) => {
  const hub = await hubWith(browser);
  const page = await hub.client('v2', 'plain');
  const call = nexus(page, 'callText', 'plain', 'everything__trigger-elicitation-request', {});

  const { dashboard, request } = await hub.dashboard();
  await expect(dashboard.getByRole('heading', { name: 'Waiting for you' })).toBeVisible();
  await expect(request).toHaveCount(1);
  await expect(request).toHaveAccessibleName('Request from everything');
  await expect(request).toContainText('Please provide inputs for the following fields:');
  await expect(request).toContainText('plain');
  await expect(request.getByLabel('String (required)')).toBeVisible();
  await request.getByRole('button', { name: 'Decline' }).click();

  const text = await call;
  expect(text).toContain('User declined to provide the requested information');
  expect(rawElicitResult(text)).toEqual({ action: 'decline' });
  await expect(dashboard.getByRole('heading', { name: 'Waiting for you' })).toHaveCount(0);
});

test("the dashboard sends server-everything's whole form, multi-select fields included", async ({
  browser,
}) => {
  const hub = await hubWith(browser);
  const page = await hub.client('v2', 'plain');
  const call = nexus(page, 'callText', 'plain', 'everything__trigger-elicitation-request', {});

  const { dashboard, request } = await hub.dashboard();
  await request.getByLabel('String (required)').fill('Grace Hopper');
  await request.getByRole('button', { name: 'Send' }).click();

  const text = await call;
  expect(text).toContain('- Name: Grace Hopper');
  const raw = rawElicitResult(text);
  expect(raw.action).toBe('accept');
  // The form starts from the schema's defaults, multi-select ones too.
  expect(raw.content).toMatchObject({
    name: 'Grace Hopper',
    ...EVERYTHING_DEFAULTS,
    untitledMultipleSelectEnum: ['Guitar'],
  });
  await expect(dashboard.getByTestId('elicitation')).toHaveCount(0);
});

test("the dashboard's answer to an elicitation reaches the server, with the schema's defaults", async ({
  browser,
}) => {
  const hub = await hubWith(browser, { modern: true });
  const page = await hub.client('v1', 'plain');
  const call = nexus(page, 'callText', 'plain', 'modern__ask', {});

  const { dashboard, request } = await hub.dashboard();
  await expect(request).toHaveAccessibleName('Request from modern');
  await expect(request).toContainText(ASK_MESSAGE);
  await request.getByLabel('Name (required)').fill('Grace Hopper');
  await request.getByRole('button', { name: 'Send' }).click();

  expect(JSON.parse(await call)).toEqual({
    action: 'accept',
    content: { name: 'Grace Hopper', nickname: 'Nemo' },
  });
  await expect(dashboard.getByTestId('elicitation')).toHaveCount(0);
});

test("the roots list is answered by the calling client's roots", async ({ browser }) => {
  const hub = await hubWith(browser);
  const roots = [
    { uri: 'file:///home/ada/notes', name: 'Notes' },
    { uri: 'file:///home/ada/engine', name: 'Analytical Engine' },
  ];
  const page = await hub.client('v2', 'rooted', { answers: { roots } });
  const text = await nexus(page, 'callText', 'rooted', 'everything__get-roots-list', {});
  expect(text).toContain('Current MCP Roots (2 total)');
  expect(text).toContain('1. Notes\n   URI: file:///home/ada/notes');
  expect(text).toContain('2. Analytical Engine\n   URI: file:///home/ada/engine');
});

const ERA_CLIENTS: Array<{
  title: string;
  sdk: 'v1' | 'v2';
  options: ConnectOptions;
  modernClient: boolean;
}> = [
  { title: 'a 2025 client (v1 SDK)', sdk: 'v1', options: {}, modernClient: false },
  {
    title: 'a 2026-07-28 client (v2 SDK)',
    sdk: 'v2',
    options: { versionNegotiation: { mode: 'auto' } },
    modernClient: true,
  },
];

for (const { title, sdk, options, modernClient } of ERA_CLIENTS) {
  test(`${title} uses and answers both a 2026-07-28 server and a 2025 server`, async ({
    browser,
  }) => {
    const hub = await hubWith(browser, { modern: true });
    const name = `${sdk}-client`;
    const page = await hub.client(sdk, name, {
      ...options,
      answers: { elicitation: { name: 'Ada' } },
    });

    const version = await nexus(page, 'protocolVersion', name);
    // The v1 SDK only speaks the 2025 handshake; a v2 client in `auto` mode must get 2026-07-28.
    if (modernClient) expect(version).toBe('2026-07-28');

    // The modern server was reached in its own era: the calls built 2026-07-28 instances only (the
    // one 2025 handshake it saw was the hub comparing what it declares, at connect).
    const legacyBefore = hub.modern!.eras().legacy;
    expect(await nexus(page, 'callText', name, 'modern__echo', { message: 'hi modern' })).toBe(
      'hi modern',
    );
    expect(
      await nexus(page, 'callText', name, 'everything__echo', { message: 'hi legacy' }),
    ).toContain('hi legacy');
    expect(hub.modern!.eras().modern).toBeGreaterThan(0);
    expect(hub.modern!.eras().legacy).toBe(legacyBefore);

    // The modern server's `input_required`, answered by this client; `nickname` was left out and
    // comes back with the schema's default.
    const asked = await nexus(page, 'callText', name, 'modern__ask', {});
    expect(JSON.parse(asked)).toEqual({
      action: 'accept',
      content: { name: 'Ada', nickname: 'Nemo' },
    });

    // server-everything's elicitation request, answered by the same client.
    const text = await nexus(page, 'callText', name, 'everything__trigger-elicitation-request', {});
    expect(rawElicitResult(text)).toMatchObject({
      action: 'accept',
      content: { name: 'Ada', ...EVERYTHING_DEFAULTS },
    });
    expect(await nexus(page, 'asked', name)).toEqual(['elicitation/create', 'elicitation/create']);
  });
}
