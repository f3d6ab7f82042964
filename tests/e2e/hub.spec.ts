/**
 * The hub end to end, as a person and an AI client page use it: real Chromium, real IndexedDB,
 * the built app, and real MCP servers on 127.0.0.1.
 */
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import {
  startCountingServer,
  type CorsMode,
  type CountingServer,
} from '../fixtures/counting-server.ts';
import { startEverything, type EverythingServer } from '../fixtures/everything.ts';
import { appForThisFile, openClientPage } from './support.ts';

const { app, stops } = appForThisFile();

async function everything(mode: 'streamableHttp' | 'sse'): Promise<EverythingServer> {
  const server = await startEverything(mode);
  stops.push(() => server.stop());
  return server;
}

async function counting(cors?: CorsMode): Promise<CountingServer> {
  const server = await startCountingServer(cors ? { cors } : {});
  stops.push(() => server.stop());
  return server;
}

async function freshContext(browser: import('@playwright/test').Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  stops.push(() => context.close());
  return context;
}

async function openDashboard(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(app.url);
  await expect(page.getByRole('heading', { name: 'Nexus', level: 1 })).toBeVisible();
  return page;
}

function server(page: Page, name: string): Locator {
  return page.getByRole('article', { name });
}

function status(page: Page, name: string): Locator {
  return server(page, name).getByTestId('status');
}

async function addServer(
  page: Page,
  options: { url: string; name: string; transport?: 'auto' | 'streamable-http' | 'sse' },
): Promise<void> {
  const form = page.getByRole('form', { name: 'Add a server' });
  await form.getByLabel('URL').fill(options.url);
  await form.getByLabel('Name', { exact: true }).fill(options.name);
  await form.getByLabel('Transport').selectOption(options.transport ?? 'auto');
  await form.getByRole('button', { name: 'Add server' }).click();
  await expect(server(page, options.name)).toBeVisible();
}

/** Goes to the dashboard's Clients page and returns its list of client cards. */
async function clientCards(dashboard: Page) {
  await dashboard
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Clients' })
    .click();
  return dashboard.getByRole('list', { name: 'Connected clients' });
}

test('remote servers over Streamable HTTP and legacy SSE serve v2 and v1 clients through the hub', async ({
  browser,
}) => {
  const modern = await everything('streamableHttp');
  const legacy = await everything('sse');
  const context = await freshContext(browser);
  const dashboard = await openDashboard(context);

  await addServer(dashboard, { url: modern.url, name: 'modern', transport: 'streamable-http' });
  // Automatic: the POST to the legacy endpoint fails with 4xx and the hub falls back to HTTP+SSE.
  await addServer(dashboard, { url: legacy.url, name: 'legacy', transport: 'auto' });
  await expect(status(dashboard, 'modern')).toHaveAttribute('data-state', 'ready');
  await expect(status(dashboard, 'legacy')).toHaveAttribute('data-state', 'ready');
  await expect(status(dashboard, 'Built-in notes')).toHaveAttribute('data-state', 'ready');

  const page = await openClientPage(context, app);
  for (const sdk of ['v2', 'v1'] as const) {
    const name = `agent-${sdk}`;
    await page.evaluate(([s, n]) => window.nexusTest.connect(s, n), [sdk, name] as const);
    const tools = await page.evaluate((n) => window.nexusTest.toolNames(n), name);
    expect(tools).toEqual(
      expect.arrayContaining(['modern__echo', 'legacy__echo', 'nexus__clock', 'nexus__add_note']),
    );
    for (const tool of ['modern__echo', 'legacy__echo']) {
      const text = await page.evaluate(
        ([n, t]) => window.nexusTest.callText(n, t, { message: `hello from ${n}` }),
        [name, tool] as const,
      );
      expect(text).toContain(`hello from ${name}`);
    }
  }
});

test('the default servers of a deployment are registered on the first run only', async ({
  browser,
}) => {
  const modern = await everything('streamableHttp');
  app.defaults = { mcpServers: { everything: { url: modern.url } } };
  stops.push(async () => (app.defaults = undefined));
  const context = await freshContext(browser);
  let dashboard = await openDashboard(context);
  await expect(status(dashboard, 'everything')).toHaveAttribute('data-state', 'ready');
  await expect(status(dashboard, 'Built-in notes')).toHaveAttribute('data-state', 'ready');

  // Removing it is the person's choice: the next start of the hub must not bring it back.
  dashboard.once('dialog', (dialog) => void dialog.accept());
  await server(dashboard, 'everything').getByRole('button', { name: 'Remove' }).click();
  await expect(server(dashboard, 'everything')).toHaveCount(0);
  await dashboard.close();
  dashboard = await openDashboard(context);
  await expect(status(dashboard, 'Built-in notes')).toHaveAttribute('data-state', 'ready');
  await expect(server(dashboard, 'everything')).toHaveCount(0);
});

test('two tabs share one upstream session per server', async ({ browser }) => {
  const fixture = await counting();
  const context = await freshContext(browser);
  const dashboard = await openDashboard(context);
  await addServer(dashboard, { url: fixture.url, name: 'counted', transport: 'streamable-http' });
  await expect(status(dashboard, 'counted')).toHaveAttribute('data-state', 'ready');

  const tabs = [await openClientPage(context, app), await openClientPage(context, app)];
  for (const [index, tab] of tabs.entries()) {
    await tab.evaluate((n) => window.nexusTest.connect('v2', n), `tab-${index}`);
  }
  for (const [index, tab] of tabs.entries()) {
    const reported = await tab.evaluate(
      (n) => window.nexusTest.callText(n, 'counted__session_count', {}),
      `tab-${index}`,
    );
    expect(reported).toBe('1');
  }
  expect(fixture.sessions()).toBe(1);
  await expect(
    (await clientCards(dashboard)).getByRole('article', { name: 'tab-1' }),
  ).toBeVisible();
});

test('a client scoped to one server sees its tools under their own names, through the hub', async ({
  browser,
}) => {
  const fixture = await counting();
  const context = await freshContext(browser);
  const dashboard = await openDashboard(context);
  await addServer(dashboard, { url: fixture.url, name: 'counted', transport: 'streamable-http' });
  await expect(status(dashboard, 'counted')).toHaveAttribute('data-state', 'ready');

  const page = await openClientPage(context, app);
  await page.evaluate(() => window.nexusTest.connect('v1', 'scoped', { server: 'counted' }));
  const tools = await page.evaluate(() => window.nexusTest.toolNames('scoped'));
  expect(tools.sort()).toEqual(['ask', 'echo', 'look', 'session_count', 'slow', 'wipe']);
  const echoed = await page.evaluate(() =>
    window.nexusTest.callText('scoped', 'echo', { message: 'just me' }),
  );
  expect(echoed).toBe('just me');
  // Still a hub session: the person sees it, and the call went through the shared upstream.
  const scopedCard = (await clientCards(dashboard)).getByRole('article', { name: /scoped/ });
  await expect(scopedCard.getByText('only counted', { exact: true })).toBeVisible();
  expect(fixture.sessions()).toBe(1);

  const refused = await page.evaluate(() =>
    window.nexusTest
      .connect('v2', 'lost', { server: 'nowhere' })
      .catch((error: unknown) => String(error)),
  );
  expect(refused).toMatch(/No server with the slug 'nowhere'/);
});

test('the registry survives a reload and a restart of the hub, and servers reconnect on their own', async ({
  browser,
}) => {
  const modern = await everything('streamableHttp');
  const context = await freshContext(browser);
  let dashboard = await openDashboard(context);
  await addServer(dashboard, { url: modern.url, name: 'modern' });
  await expect(status(dashboard, 'modern')).toHaveAttribute('data-state', 'ready');

  await dashboard.reload();
  await expect(status(dashboard, 'modern')).toHaveAttribute('data-state', 'ready');

  // Closing every page ends the SharedWorker; the next page starts a new hub from IndexedDB.
  await dashboard.close();
  dashboard = await openDashboard(context);
  await expect(status(dashboard, 'modern')).toHaveAttribute('data-state', 'ready');
  await expect(server(dashboard, 'modern').getByTestId('target')).toHaveText(modern.url);
});

test('a server that stops turns to error with a reason, and comes back by itself', async ({
  browser,
}) => {
  const modern = await everything('streamableHttp');
  const context = await freshContext(browser);
  const dashboard = await openDashboard(context);
  await addServer(dashboard, { url: modern.url, name: 'modern' });
  await expect(status(dashboard, 'modern')).toHaveAttribute('data-state', 'ready');

  await modern.stop();
  await expect(status(dashboard, 'modern')).toHaveAttribute('data-state', 'error', {
    timeout: 10_000,
  });
  await expect(status(dashboard, 'modern')).toHaveText(/^error: .+/);

  await modern.start();
  await expect(status(dashboard, 'modern')).toHaveAttribute('data-state', 'ready', {
    timeout: 20_000,
  });
});

test('a server the browser may not read says CORS, and which header is missing', async ({
  browser,
}) => {
  // The app and the servers are on different ports of 127.0.0.1: cross-origin, as in real use.
  const hidden = await counting('hide-session-id');
  const closed = await counting('none');
  const context = await freshContext(browser);
  const dashboard = await openDashboard(context);
  await addServer(dashboard, { url: hidden.url, name: 'hidden', transport: 'streamable-http' });
  await addServer(dashboard, { url: closed.url, name: 'closed', transport: 'streamable-http' });
  await expect(status(dashboard, 'hidden')).toHaveText(
    /^error: CORS: the server does not expose Mcp-Session-Id/,
  );
  await expect(status(dashboard, 'closed')).toHaveText(
    /^error: CORS: 127\.0\.0\.1:\d+ answers but does not allow this page to read its replies/,
  );
  // The initialize did reach the first server: its session id was only hidden from the hub.
  expect(hidden.initializeCount()).toBeGreaterThan(0);
});

test('importing a Claude Desktop file adds its servers; a malformed one changes nothing', async ({
  browser,
}) => {
  const fixture = await counting();
  const context = await freshContext(browser);
  const dashboard = await openDashboard(context);
  const config = {
    mcpServers: {
      counted: { url: fixture.url },
      files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
    },
  };
  await dashboard.getByLabel('Import config file').setInputFiles({
    name: 'claude_desktop_config.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(config)),
  });
  await expect(dashboard.getByTestId('import-summary')).toContainText('counted');
  await expect(status(dashboard, 'counted')).toHaveAttribute('data-state', 'ready');
  await expect(server(dashboard, 'files').getByTestId('note')).toHaveText('needs the local bridge');
  const articles = dashboard.getByRole('article');
  const before = await articles.count();

  await dashboard
    .getByLabel('Or paste a config')
    .fill(JSON.stringify({ mcpServers: { good: { url: fixture.url }, bad: { url: 42 } } }));
  await dashboard.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dashboard.getByRole('alert')).toContainText('Entry "bad": "url" must be a string');
  await expect(articles).toHaveCount(before);
  await expect(server(dashboard, 'good')).toHaveCount(0);
});

test('a page that closes without a goodbye leaves the sessions list within 5 s', async ({
  browser,
}) => {
  const context = await freshContext(browser);
  const dashboard = await openDashboard(context);
  const page = await openClientPage(context, app);
  await page.evaluate(() => window.nexusTest.connect('v2', 'short-lived'));
  const sessions = await clientCards(dashboard);
  await expect(sessions.getByRole('article', { name: 'short-lived' })).toBeVisible();

  await page.close();
  await expect(sessions.getByRole('article', { name: 'short-lived' })).toHaveCount(0, {
    timeout: 5_000,
  });
});

test('a hub that cannot start refuses clients at once, saying why', async ({ browser }) => {
  const context = await freshContext(browser);
  // No settings through the admin API first: that would start the hub before the database
  // below is in place.
  const page = await openClientPage(context, app, { consent: 'person' });
  // A database left at a higher version by a newer Nexus: this hub must not open it downwards.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.open('nexus', 999);
        request.onsuccess = () => {
          request.result.close();
          resolve();
        };
        request.onerror = () => reject(request.error);
      }),
  );
  const failure = await page.evaluate(() =>
    window.nexusTest.connect('v2', 'early').then(
      () => 'connected',
      (error: Error) => error.message,
    ),
  );
  expect(failure).toMatch(
    /^The Nexus hub refused the connection: The Nexus hub could not start: the Nexus database 'nexus' was upgraded by a newer version of Nexus; reload this page/,
  );
});

test('the dashboard and the hub worker run under script-src self', async ({ browser }) => {
  const context = await freshContext(browser);
  const dashboard = await openDashboard(context);
  await expect(status(dashboard, 'Built-in notes')).toHaveAttribute('data-state', 'ready');
  // Code run by page.evaluate is exempt from the page's policy, so ask the page itself: an inline
  // script it is handed must be refused, and the refusal reported as a violation of script-src.
  const outcome = await dashboard.evaluate(
    () =>
      new Promise<{ ran: boolean; violated: string }>((resolve) => {
        const flag = window as { inlineRan?: boolean };
        document.addEventListener('securitypolicyviolation', (event) =>
          resolve({ ran: flag.inlineRan === true, violated: event.effectiveDirective }),
        );
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true;';
        document.head.append(script);
      }),
  );
  expect(outcome).toEqual({ ran: false, violated: 'script-src-elem' });
  // The worker takes its policy from its own script's response, not from the page.
  const hubScript = await context.request.get(`${app.url}/nexus-hub.js`);
  expect(hubScript.headers()['content-security-policy']).toContain("script-src 'self'");
});

test('without SharedWorker the hub runs in a dedicated Worker and the dashboard says so', async ({
  browser,
}) => {
  const context = await freshContext(browser);
  await context.addInitScript(() => {
    // Chrome on Android before 148 has no SharedWorker.
    delete (window as { SharedWorker?: unknown }).SharedWorker;
  });
  const dashboard = await openDashboard(context);
  await expect(dashboard.getByTestId('dedicated-notice')).toBeVisible();
  await expect(status(dashboard, 'Built-in notes')).toHaveAttribute('data-state', 'ready');
});
