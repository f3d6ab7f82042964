/**
 * Signing in to a server, as a person would in Chromium (issue 15): an MCP server that needs
 * OAuth and its authorization server on 127.0.0.1 (tests/fixtures/protected-server.ts); the
 * person adds the server in the dashboard; it waits with "Needs sign-in"; Sign in opens a popup on the authorization
 * server's consent page; Allow sends it to /oauth/callback, which hands the code to the hub and
 * closes; the server is ready and a client's call works. Expired tokens are refreshed once while
 * two tabs hold three clients calling at once; a reload and a hub restart keep the sign-in; the
 * tokens are nowhere a client page, the Inspector, the audit export or the config export shows;
 * Sign out sends the server back. An authorization server whose token endpoint sends no CORS
 * headers is named in the server's status.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { TrafficView } from '../../src/protocol/views.ts';
import { startProtectedServer, type ProtectedServer } from '../fixtures/protected-server.ts';
import { appForThisFile, axeViolations, nexus, openClientPage, sharedWorkers } from './support.ts';

const { app, stops } = appForThisFile();

/**
 * The protected server and its authorization server; `asDefault` registers it as the
 * deployment's default server (else the test adds it through the dashboard's form).
 */
async function protectedServer(
  options: Parameters<typeof startProtectedServer>[0],
  asDefault = true,
): Promise<ProtectedServer> {
  const server = await startProtectedServer(options);
  stops.push(() => server.stop());
  if (asDefault) {
    app.defaults = { mcpServers: { secure: { url: server.url } } };
    stops.push(async () => (app.defaults = undefined));
  }
  return server;
}

async function freshContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  stops.push(() => context.close());
  return context;
}

/** The server's card in the server list ("Waiting for you" has a card of its own). */
function card(page: Page) {
  return page
    .getByRole('region', { name: 'Servers' })
    .getByRole('article', { name: 'secure', exact: true });
}

async function dashboard(context: BrowserContext, state: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(app.url);
  await expect(card(page).getByTestId('status')).toHaveAttribute('data-state', state);
  return page;
}

/** Presses Sign in on the card; resolves with the popup the click opened. */
async function pressSignIn(page: Page): Promise<Page> {
  const popup = page.context().waitForEvent('page');
  await card(page).getByRole('button', { name: 'Sign in to secure', exact: true }).click();
  return popup;
}

/** A client's call as its text or its error message. */
function call(
  page: Page,
  client: string,
  tool: string,
): Promise<{ text?: string; error?: string }> {
  return page.evaluate(
    ([name, t]) =>
      window.nexusTest.callText(name, t, {}).then(
        (text) => ({ text }),
        (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
      ),
    [client, tool] as const,
  );
}

test('a person signs in through the consent page; refresh is shared, kept across restarts, and Sign out ends it', async ({
  browser,
}) => {
  const server = await protectedServer({ consentPage: true }, false);
  const context = await freshContext(browser);
  // The person adds the server by its URL, with no header: it answers 401 and waits for them.
  const first = await context.newPage();
  await first.goto(app.url);
  const add = first.getByRole('form', { name: 'Add a server' });
  await add.getByLabel('URL').fill(server.url);
  await add.getByLabel('Name', { exact: true }).fill('secure');
  await add.getByRole('button', { name: 'Add server' }).click();
  await expect(card(first).getByTestId('status')).toHaveAttribute('data-state', 'needs-sign-in');
  await expect(card(first)).toContainText('Needs sign-in');
  // Sign in on the card and under Waiting for you, as axe sees them.
  await expect(first.getByTestId('sign-in-request')).toBeVisible();
  expect(await axeViolations(first)).toEqual([]);

  const popup = await pressSignIn(first);
  await expect(popup.getByRole('heading', { name: /^Allow / })).toBeVisible();
  const closed = popup.waitForEvent('close');
  await popup.getByRole('button', { name: 'Allow' }).click();
  // The callback page hands the answer over and closes itself.
  await closed;
  await expect(card(first).getByTestId('status')).toHaveAttribute('data-state', 'ready');
  expect(server.oauth.counts.codes).toBe(1);

  // Two tabs, three clients: one call each, all at once, after the access token expired.
  const tabA = await openClientPage(context, app);
  const tabB = await openClientPage(context, app);
  await nexus(tabA, 'connect', 'v2', 'one');
  await nexus(tabA, 'connect', 'v2', 'two');
  await nexus(tabB, 'connect', 'v2', 'three');
  expect(await call(tabA, 'one', 'secure__whoami')).toEqual({ text: 'signed in' });
  server.oauth.expireAccessTokens();
  const results = await Promise.all([
    call(tabA, 'one', 'secure__whoami'),
    call(tabA, 'two', 'secure__whoami'),
    call(tabB, 'three', 'secure__whoami'),
  ]);
  expect(results).toEqual([{ text: 'signed in' }, { text: 'signed in' }, { text: 'signed in' }]);
  expect(server.oauth.counts.refreshes).toBe(1);
  expect(server.oauth.counts.reusedRefreshTokens).toBe(0);

  // Nothing a client page, the Inspector, the audit export or the config export sees holds a token.
  const seen = JSON.stringify([
    await nexus(tabA, 'toolNames', 'one'),
    await tabA.content(),
    await tabB.content(),
    await nexus(tabA, 'admin', 'traffic', 0),
    await nexus(tabA, 'admin', 'exportAudit', {}),
    await nexus(tabA, 'admin', 'exportConfig', 'mcpServers'),
    await nexus(tabA, 'admin', 'listServers'),
    await first.content(),
  ]);
  // The `nexus` helper's generic `admin` loses the method's result type: named here.
  const traffic = (await nexus(tabA, 'admin', 'traffic', 0)) as TrafficView[];
  const details = await Promise.all(
    traffic.map((entry) => nexus(tabA, 'admin', 'trafficDetail', entry.seq)),
  );
  // The Inspector recorded the calls (a dashboard is open), and its cURL lines say a token is
  // held without showing it.
  expect(traffic.length).toBeGreaterThan(0);
  expect(JSON.stringify(details)).toContain('Authorization: Bearer <token held by Nexus>');
  const everything = seen + JSON.stringify(details);
  const tokens = server.oauth.issued();
  expect(tokens.length).toBeGreaterThanOrEqual(4);
  for (const token of tokens) expect(everything).not.toContain(token);
  const audit = await nexus(tabA, 'admin', 'exportAudit', {});
  expect(audit).toContain('"event":"signed-in"');

  // A reload keeps it; so does a new hub (every page closed, the SharedWorker gone).
  await first.reload();
  await expect(card(first).getByTestId('status')).toHaveAttribute('data-state', 'ready');
  for (const page of context.pages()) await page.close();
  await expect.poll(() => sharedWorkers(browser)).toBe(0);
  const again = await dashboard(context, 'ready');
  expect(server.oauth.counts.codes).toBe(1);

  // Sign out, on the server's page: revoked at the authorization server, and back to waiting.
  await card(again).getByRole('link', { name: 'secure' }).first().click();
  await expect(again.getByRole('button', { name: 'Sign out of secure' })).toBeVisible();
  expect(await axeViolations(again)).toEqual([]);
  again.once('dialog', (dialog) => void dialog.accept());
  await again.getByRole('button', { name: 'Sign out of secure' }).click();
  await expect.poll(() => server.oauth.counts.revocations).toBe(2);
  await again.goto(app.url);
  await expect(card(again).getByTestId('status')).toHaveAttribute('data-state', 'needs-sign-in');
});

test('an authorization server whose token endpoint sends no CORS headers is named in the status', async ({
  browser,
}) => {
  const server = await protectedServer({ tokenWithoutCors: true });
  const context = await freshContext(browser);
  const page = await dashboard(context, 'needs-sign-in');

  const popup = await pressSignIn(page);
  await popup.waitForEvent('close');
  const status = card(page).getByTestId('status');
  await expect(status).toContainText(
    `CORS: the authorization server's token endpoint (${server.oauth.issuer}/token) answers but does not let Nexus read its replies`,
  );
  await expect(status).toContainText('Access-Control-Allow-Origin');
  await expect(status).toHaveAttribute('data-state', 'needs-sign-in');
  expect(server.counts.served).toBe(0);

  // The connection doctor names it too, with the line to send, before anyone signs in again.
  await card(page).getByRole('link', { name: 'secure' }).first().click();
  await page.getByText('Connection doctor', { exact: true }).click();
  await page.getByRole('button', { name: 'Diagnose connection to secure' }).click();
  const findings = page.getByRole('list', { name: 'Connection findings for secure' });
  await expect(findings).toContainText(
    `CORS: the authorization server's token endpoint (${server.oauth.issuer}/token) answers but does not let Nexus read its replies`,
  );
  await expect(findings).toContainText(`Access-Control-Allow-Origin: ${app.url}`);
});
