/**
 * The dashboard as a new user meets it (issue 4): add a server through the form, watch it turn
 * ready, open its page, run one of its tools from the Playground, and find the playground among
 * the connected clients, where it can be disconnected. Real Chromium, real IndexedDB, and
 * server-everything over Streamable HTTP on 127.0.0.1.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { startCountingServer } from '../fixtures/counting-server.ts';
import { freePort } from '../fixtures/ports.ts';
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
  // Its tabs: Overview first; Tools by arrow key (the tab's place is in the URL).
  const tablist = page.getByRole('tablist', { name: 'Everything' });
  await expect(tablist.getByRole('tab', { name: 'Overview' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await tablist.getByRole('tab', { name: 'Overview' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(tablist.getByRole('tab', { name: /^Tools/ })).toBeFocused();
  await expect(page).toHaveURL(/#\/servers\/[^/]+\/tools$/);
  const tools = page.getByRole('list', { name: /^Tools/ });
  const echo = tools.getByRole('listitem').filter({ hasText: 'Echo Tool' });
  await expect(echo.getByText('read-only', { exact: true })).toBeVisible();
  await expect(echo.getByText('idempotent', { exact: true })).toBeVisible();
  await echo.getByText('Input schema').click();
  await expect(echo.getByText('"message"')).toBeVisible();
  // The one JSON viewer: Find marks the first match and selects it for Copy value / Copy path.
  const schema = echo.getByRole('group', { name: 'Input schema of everything__echo' });
  await schema.getByRole('searchbox', { name: /^Find in/ }).fill('Message to');
  await expect(schema.getByText('1 match')).toBeVisible();
  await expect(schema.getByText('Selected:')).toContainText('/properties/message/description');

  // Into the playground with the tool chosen; a run shows the result.
  await echo.getByRole('link', { name: /Try .*echo in the playground/ }).click();
  await expect(nav.getByRole('link', { name: 'Playground' })).toHaveAttribute(
    'aria-current',
    'page',
  );
  // The form is generated from the tool's input schema: a required field says so when empty.
  const call = page.getByRole('form', { name: 'Call everything__echo' });
  await call.getByRole('button', { name: 'Run everything__echo' }).click();
  await expect(call.getByText('Required.')).toBeVisible();
  // Raw JSON mode says what is wrong with the text, and the form takes it back.
  await call.getByRole('button', { name: 'Edit as JSON' }).click();
  const raw = call.getByLabel('Arguments for everything__echo as JSON');
  await raw.fill('{"message": 42');
  await call.getByRole('button', { name: 'Edit as JSON' }).click();
  await expect(call.getByRole('alert')).toBeVisible();
  await raw.fill('{"message": "hello from JSON"}');
  await call.getByRole('button', { name: 'Edit as JSON' }).click();
  const message = call.getByRole('textbox', { name: /Message to echo|message/i });
  await expect(message).toHaveValue('hello from JSON');
  await message.fill('hello from the playground');
  // Ctrl+Enter in a field runs the tool.
  await message.press('Control+Enter');
  await expect(page.getByTestId('playground-result')).toContainText(
    'Echo: hello from the playground',
  );

  // Resources are read and prompts fetched the same way, with the server's completions.
  await page.getByLabel('Listed resources').selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Read', exact: true }).click();
  await expect(page.getByTestId('resource-result')).toContainText('Resource');
  // Completions use what is typed so far, and the other arguments as context.
  await page.getByLabel('Prompt', { exact: true }).selectOption('everything__completable-prompt');
  await page.getByLabel('department (required)').fill('Eng');
  const departments = page.getByTestId('suggestions-department').locator('option');
  await expect(departments).toHaveCount(1);
  await expect(departments).toHaveAttribute('value', 'Engineering');
  await page.getByLabel('department (required)').fill('Engineering');
  await page.getByLabel('name (required)').fill('B');
  await expect(page.getByTestId('suggestions-name').locator('option')).toHaveAttribute(
    'value',
    'Bob',
  );
  await page.getByLabel('name (required)').fill('Bob');
  await page.getByRole('button', { name: 'Get everything__completable-prompt' }).click();
  await expect(page.getByTestId('prompt-result')).toContainText(
    'Please promote Bob to the head of the Engineering team.',
  );

  // The Inspector shows the call on both sides, one row per leg: each request paired with its
  // response, with the latency between them. A row opens both messages in the detail pane.
  await nav.getByRole('link', { name: 'Inspector' }).click();
  const exchanges = page.getByRole('grid', { name: 'Exchanges' });
  await page.getByLabel('Method').fill('tools/call');
  const rows = exchanges.locator('[role="row"][data-key]');
  await expect(rows).toHaveCount(2);
  await expect(exchanges).toHaveAttribute('aria-rowcount', '3');
  await expect(rows.nth(0)).toContainText('client ▸ hub');
  await expect(rows.nth(1)).toContainText('hub ▸ server');
  for (const index of [0, 1]) {
    await expect(rows.nth(index)).toContainText(/ok\s*\d+ ms/);
  }
  const detail = page.getByTestId('exchange-detail');
  await rows.nth(0).click();
  await expect(detail.getByRole('article', { name: 'Response' })).toContainText(
    'Echo: hello from the playground',
  );
  // The decision about the call is in the journal: the pane links to the tool's events there.
  await expect(detail.getByRole('link', { name: /__echo in Audit$/ })).toHaveAttribute(
    'href',
    /^#\/audit\/q=.+__echo$/,
  );
  await rows.nth(1).click();
  await expect(detail.getByRole('button', { name: 'Copy as cURL' })).toBeVisible();
  // Replay: the client's call again from the Playground, its arguments filled in (the server's
  // leg names the tool as the server knows it, so only the client's is offered).
  await expect(detail.getByRole('button', { name: 'Replay in Playground' })).toHaveCount(0);
  await rows.nth(0).click();
  await detail.getByRole('button', { name: 'Replay in Playground' }).click();
  await expect(page).toHaveURL(/#\/playground\/[^/]+__echo$/);
  await expect(page.getByRole('textbox', { name: /message/ })).toHaveValue(
    'hello from the playground',
  );

  // Activity counts the calls: the tool, the resource read and the prompt.
  await nav.getByRole('link', { name: 'Activity' }).click();
  await expect(
    page.getByRole('listitem').filter({ hasText: 'Everything' }).getByTestId('activity-calls'),
  ).toHaveText('3');
  // The KPI row adds every server's calls (the built-in one had none).
  await expect(page.getByTestId('kpi-calls')).toHaveText('3');
  // Pivoted by client: the same three calls, made by the Playground (a client like any other).
  await page.getByRole('button', { name: 'Client', exact: true }).click();
  await expect(
    page
      .getByRole('list', { name: 'Activity by client' })
      .getByRole('listitem')
      .filter({ hasText: 'Nexus playground' })
      .getByTestId('activity-calls'),
  ).toHaveText('3');

  // A page opened at the Inspector's own address (not reached by a link) loads its settings as
  // well: they are asked for while the page first renders, before the hub is connected.
  const direct = await context.newPage();
  await direct.goto(`${app.url}/#/inspector`);
  await expect(direct.getByText('Recording settings')).toBeVisible();
  await direct.close();

  // The playground is a client of the hub like any other, and can be disconnected.
  await nav.getByRole('link', { name: 'Clients' }).click();
  const clients = page.getByRole('list', { name: 'Connected clients' });
  const row = clients.getByRole('article', { name: /Nexus playground/ });
  await expect(row.getByTestId('client-calls')).toHaveText('1');
  // Its messages: the Inspector narrowed to this client, by address.
  await row.getByRole('link', { name: 'Messages of Nexus playground' }).click();
  await expect(page).toHaveURL(/#\/inspector\/client=/);
  await expect(page.getByRole('combobox', { name: 'Client' })).toHaveValue(/.+/);
  await page.goBack();
  // Its events in the journal: Audit searched for its name, by address.
  await row.getByRole('link', { name: 'Audit of Nexus playground' }).click();
  await expect(page).toHaveURL(/#\/audit\/q=Nexus\+playground$/);
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('Nexus playground');
  await expect(page.getByTestId('audit-row').first()).toContainText('Nexus playground');
  await page.goBack();
  page.once('dialog', (dialog) => void dialog.accept());
  await row.getByRole('button', { name: 'Disconnect Nexus playground' }).click();
  await expect(clients).toHaveCount(0);
  await expect(page.getByTestId('sessions-empty')).toBeVisible();
});

test('a server that needs a token is fixed by editing it; the secret stays hidden and kept', async ({
  browser,
}) => {
  const token = 'tok-0123456789-abcdef';
  const counting = await startCountingServer({ bearer: token });
  stops.push(() => counting.stop());
  const context = await browser.newContext();
  stops.push(() => context.close());
  const page = await dashboardIn(context);

  const add = page.getByRole('form', { name: 'Add a server' });
  await add.getByLabel('URL').fill(counting.url);
  await add.getByLabel('Name', { exact: true }).fill('Locked');
  await add.getByRole('button', { name: 'Add server' }).click();
  const card = page.getByRole('article', { name: 'Locked', exact: true });
  // A 401 naming no OAuth metadata: signing in, or a token of its own (issue 15).
  await expect(card.getByTestId('status')).toContainText(
    'Needs sign-in: the server asks to sign in, or for an Authorization header if it takes a token',
  );

  await card.getByRole('link', { name: 'Locked', exact: true }).click();
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('form', { name: 'Edit Locked' });
  await edit.getByRole('button', { name: 'Add header' }).click();
  await edit.getByLabel('Header 1 name').fill('Authorization');
  await edit.getByLabel('Header 1 value').fill(`Bearer ${token}`);
  await edit.getByLabel('Header 1 secret').check();
  await edit.getByLabel('Timeout (s)', { exact: true }).fill('abc');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit.getByRole('alert')).toContainText('is not a number of seconds');
  await edit.getByLabel('Timeout (s)', { exact: true }).fill('30');
  await edit.getByLabel('Protocol version').selectOption('2025-11-25');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('detail-timeout')).toHaveText('30 s');
  await expect(page.getByTestId('detail-protocol')).toHaveText('2025-11-25 (stateful), pinned');
  // The token is never shown back: masked on the page, empty in the form.
  await expect(page.getByText(token)).toHaveCount(0);
  await expect(page.getByText('Authorization: ••••ef')).toBeVisible();

  await page.getByRole('button', { name: 'Edit' }).click();
  const again = page.getByRole('form', { name: 'Edit Locked' });
  await expect(again.getByLabel('Header 1 value')).toHaveValue('');
  await expect(again.getByLabel('Header 1 value')).toHaveAttribute(
    'placeholder',
    'unchanged (secret)',
  );
  // Saved with the value left empty, the hub keeps the token: the server restarts and is ready.
  await again.getByLabel('Name', { exact: true }).fill('Unlocked');
  await again.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { name: 'Unlocked', level: 2 })).toBeVisible();
  await page.getByRole('button', { name: 'Restart' }).click();
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-state', 'ready');
});

test('the connection doctor names the missing CORS header, and says unreachable for a closed port', async ({
  browser,
}) => {
  const hidden = await startCountingServer({ cors: 'hide-session-id' });
  stops.push(() => hidden.stop());
  const closedPort = await freePort();
  const context = await browser.newContext();
  stops.push(() => context.close());
  const page = await dashboardIn(context);
  const add = page.getByRole('form', { name: 'Add a server' });
  for (const [name, url] of [
    ['Hidden', hidden.url],
    ['Gone', `http://127.0.0.1:${closedPort}/mcp`],
  ] as const) {
    await add.getByLabel('URL').fill(url);
    await add.getByLabel('Name', { exact: true }).fill(name);
    await add.getByLabel('Transport').selectOption('streamable-http');
    await add.getByRole('button', { name: 'Add server' }).click();
    await expect(page.getByRole('article', { name }).getByTestId('status')).toHaveAttribute(
      'data-state',
      'error',
    );
  }

  // Each failure was announced as it happened.
  const notices = page.getByRole('status', { name: 'Notifications' });
  await expect(notices).toContainText('Hidden failed: CORS');
  await expect(notices).toContainText(`Gone failed: connection refused`);
  await notices.getByRole('button', { name: /^Dismiss: Hidden failed/ }).click();
  await expect(notices).not.toContainText('Hidden failed');

  await page.getByRole('link', { name: 'Diagnose the connection to Hidden' }).click();
  await page.getByRole('button', { name: 'Diagnose connection to Hidden' }).click();
  const findings = page.getByRole('list', { name: 'Connection findings for Hidden' });
  await expect(findings).toContainText('Access-Control-Expose-Headers: Mcp-Session-Id');
  await expect(page.getByTestId('doctor-status')).toContainText('Problem');

  await page.getByRole('link', { name: '← All servers' }).click();
  await page.getByRole('link', { name: 'Diagnose the connection to Gone' }).click();
  await page.getByRole('button', { name: 'Diagnose connection to Gone' }).click();
  await expect(page.getByTestId('doctor-status')).toContainText(
    `127.0.0.1:${closedPort} is unreachable`,
  );
});
