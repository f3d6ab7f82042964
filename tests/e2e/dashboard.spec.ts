/**
 * The dashboard as a new user meets it (issue 4): add a server through the form, watch it turn
 * ready, open its page, run one of its tools from the Playground, and find the playground among
 * the connected clients, where it can be disconnected. Real Chromium, real IndexedDB, and
 * server-everything over Streamable HTTP on 127.0.0.1.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startEverything } from '../fixtures/everything.ts';
import { appForThisFile } from './support.ts';

const { app, stops } = appForThisFile();

async function dashboardIn(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(app.url);
  await expect(page.getByRole('heading', { name: 'Nexus', level: 1 })).toBeVisible();
  return page;
}

test('a new user adds a server, opens it, runs a tool from the playground, finds it in the inspector and the activity, and sees the session', async ({
  browser,
}) => {
  const everything = await startEverything('streamableHttp');
  stops.push(() => everything.stop());
  const context = await browser.newContext();
  stops.push(() => context.close());
  const page = await dashboardIn(context);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Servers' })).toHaveAttribute('aria-current', 'page');

  const form = page.getByRole('form', { name: 'Add a server' });
  await form.getByLabel('URL').fill(everything.url);
  await form.getByLabel('Name', { exact: true }).fill('Everything');
  await form.getByRole('button', { name: 'Add server' }).click();
  const card = page.getByRole('article', { name: 'Everything' });
  await expect(card.getByTestId('status')).toHaveAttribute('data-state', 'ready');

  // Its page: what it declared, and its tools with their annotations as badges.
  await card.getByRole('link', { name: 'Everything' }).click();
  await expect(page.getByRole('heading', { name: 'Everything', level: 2 })).toBeVisible();
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-state', 'ready');
  const tools = page.getByRole('list', { name: /^Tools/ });
  const echo = tools.getByRole('listitem').filter({ hasText: 'Echo Tool' });
  await expect(echo.getByText('read-only', { exact: true })).toBeVisible();
  await expect(echo.getByText('idempotent', { exact: true })).toBeVisible();
  await echo.getByText('Input schema').click();
  await expect(echo.getByText('"message"')).toBeVisible();

  // Into the playground with the tool chosen; a run shows the result.
  await echo.getByRole('link', { name: /Try .*echo in the playground/ }).click();
  await expect(nav.getByRole('link', { name: 'Playground' })).toHaveAttribute(
    'aria-current',
    'page',
  );
  const args = page.getByLabel('Arguments (JSON)');
  await args.fill('{"message": 42');
  await page.getByRole('button', { name: /^Run / }).click();
  await expect(page.getByText(/This is not valid JSON/)).toBeVisible();
  await args.fill('{"message": "hello from the playground"}');
  await page.getByRole('button', { name: /^Run / }).click();
  await expect(page.getByTestId('playground-result')).toContainText(
    'Echo: hello from the playground',
  );

  // The Inspector shows the call on both sides, each response with the latency of its request.
  await nav.getByRole('link', { name: 'Inspector' }).click();
  const messages = page.getByRole('table', { name: 'Messages' });
  await page.getByLabel('Method').fill('tools/call');
  const rows = messages.locator('tbody tr[data-seq]');
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(0)).toContainText('client → hub');
  await expect(rows.nth(1)).toContainText('hub → server');
  await expect(rows.nth(2)).toContainText('server → hub');
  await expect(rows.nth(3)).toContainText('hub → client');
  for (const index of [2, 3]) await expect(rows.nth(index)).toContainText(/\d+ ms/);
  await rows
    .nth(3)
    .getByRole('button', { name: /^Details of message/ })
    .click();
  await expect(messages.getByText('Echo: hello from the playground')).toBeVisible();
  await rows
    .nth(1)
    .getByRole('button', { name: /^Details of message/ })
    .click();
  await expect(messages.getByRole('button', { name: 'Copy as cURL' })).toBeVisible();

  // Activity counts the call.
  await nav.getByRole('link', { name: 'Activity' }).click();
  await expect(
    page.getByRole('listitem').filter({ hasText: 'Everything' }).getByTestId('activity-calls'),
  ).toHaveText('1');

  // The playground is a client of the hub like any other, and can be disconnected.
  await nav.getByRole('link', { name: 'Clients' }).click();
  const clients = page.getByRole('table', { name: 'Connected clients' });
  const row = clients.getByRole('row', { name: /Nexus playground/ });
  await expect(row.getByRole('cell', { name: '1', exact: true }).first()).toBeVisible();
  page.once('dialog', (dialog) => void dialog.accept());
  await row.getByRole('button', { name: 'Disconnect Nexus playground' }).click();
  await expect(clients).toHaveCount(0);
  await expect(page.getByTestId('sessions-empty')).toBeVisible();
});
