/**
 * The dashboard's shell in Chromium. The person's theme: Dark chosen in the header survives a
 * reload (applied before the first paint by the external theme-init.js, which the CSP allows),
 * overrides the system's light scheme, passes axe, and System gives the choice back to the
 * system. Pages other than Servers load on demand, and one whose chunk fails says so and retries.
 * The shell around every page: the sidebar's servers with glyph and words, the hub pill, the
 * "Waiting for you" drawer opening by itself for what a client asks (focus on Deny for a
 * destructive call, Esc denies), and the sidebar folded behind Menu on a phone.
 */
import { expect, test, type Page } from '@playwright/test';
import { appForThisFile, axeViolations, countingServer, nexus, openClientPage } from './support.ts';

const { app, stops } = appForThisFile();

const background = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.body).backgroundColor);

test('a theme chosen in the header holds across a reload and gives way to System', async ({
  browser,
}) => {
  const context = await browser.newContext({ colorScheme: 'light' });
  stops.push(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    // A script the CSP refused would say so here.
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(app.url);
  const theme = page.getByLabel('Theme');
  await expect(theme).toHaveValue('system');
  expect(await background(page)).toBe('rgb(255, 255, 255)');

  await theme.selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background(page)).toBe('rgb(22, 22, 22)');
  await page.reload();
  // Dark from the first paint: theme-init.js ran before the app's module.
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByLabel('Theme')).toHaveValue('dark');
  expect(await background(page)).toBe('rgb(22, 22, 22)');
  await expect(page.getByRole('heading', { name: 'Nexus', level: 1 })).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);

  await page.getByLabel('Theme').selectOption('system');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  expect(await background(page)).toBe('rgb(255, 255, 255)');
  expect(errors.filter((text) => /Content Security Policy|theme-init/.test(text))).toEqual([]);
});

test('a page loads on demand; when its chunk fails, the page says so and Try again loads it', async ({
  browser,
}) => {
  // No service worker: its cache would answer before the route below could refuse the chunk.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  stops.push(() => context.close());
  const page = await context.newPage();
  const chunks: string[] = [];
  page.on('request', (request) => {
    if (/\/assets\/InspectorPage-[^/]+\.js$/.test(request.url())) chunks.push(request.url());
  });
  let refuse = true;
  await page.route(/\/assets\/InspectorPage-[^/]+\.js$/, (route) =>
    refuse ? route.abort('failed') : route.continue(),
  );
  await page.goto(app.url);
  await expect(page.getByRole('heading', { name: 'Servers', level: 2, exact: true })).toBeVisible();
  // The Servers page did not need the Inspector's code.
  expect(chunks).toEqual([]);

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Inspector' })
    .click();
  const alert = page
    .getByRole('alert')
    .filter({ hasText: 'The Inspector page could not be loaded' });
  await expect(alert).toBeVisible();
  refuse = false;
  await alert.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { name: 'Inspector', level: 2 })).toBeVisible();
  await expect(alert).toHaveCount(0);
});

test('the shell: servers in the sidebar, the hub pill, the Waiting drawer, and a phone’s Menu', async ({
  browser,
}) => {
  await countingServer(app, stops, { asDefault: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  stops.push(() => context.close());
  const page = await context.newPage();
  await page.goto(`${app.url}/#/audit`);
  // The first Tab reaches "Skip to content", which moves focus to the page and stays on it.
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();
  await expect(page).toHaveURL(/#\/audit$/);

  // From a page that is not Servers, the sidebar shows the server turn ready, glyph and words.
  const servers = page.getByRole('navigation', { name: 'Servers' });
  const link = servers.getByRole('link', { name: /^counting/ });
  await expect(link).toHaveAttribute('data-state', 'ready');
  await expect(link).toHaveAccessibleName('counting , ready');
  await expect(link).toContainText('●');
  await expect(page.getByTestId('hub-pill')).toContainText(/\d+\/\d+ ready · 0 clients/);

  // A new client asks: the drawer opens by itself on this page, and the top bar counts it.
  const waitingButton = page.getByRole('button', { name: /^Waiting for you/ });
  await expect(waitingButton).toHaveAttribute('aria-expanded', 'false');
  const client = await openClientPage(context, app, { consent: 'person' });
  await nexus(client, 'connect', 'v2', 'agent');
  const drawer = page.getByRole('complementary', { name: 'Waiting for you' });
  await expect(drawer.getByRole('form', { name: 'Approve agent' })).toBeVisible();
  await expect(waitingButton).toHaveAttribute('aria-expanded', 'true');
  await expect(waitingButton).toContainText('1');
  await expect(page.getByTestId('hub-pill')).toContainText('1 client');
  // Closed by the person, it stays closed while the same request waits; the button reopens it.
  await drawer.getByRole('button', { name: 'Close' }).click();
  await expect(drawer).toHaveCount(0);
  await waitingButton.click();
  await drawer.getByRole('button', { name: 'Approve' }).click();
  // Nothing waits any more: the drawer goes, the count is 0.
  await expect(drawer).toHaveCount(0);
  await expect(waitingButton).toContainText('0');

  // A destructive call waits in the drawer with focus on Deny; Esc denies.
  const pending = client.evaluate(() =>
    window.nexusTest.callText('agent', 'counting__wipe', { reason: 'shell' }).then(
      (text) => text,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    ),
  );
  const request = drawer.getByTestId('consent-request');
  await expect(request).toContainText('counting › counting__wipe');
  await expect(request.getByRole('button', { name: 'Deny', exact: true })).toBeFocused();
  await page.keyboard.press('Escape');
  expect(await pending).toMatch(/call counting__wipe: the person said no/);
  await expect(drawer).toHaveCount(0);

  // On a phone the sidebar folds behind Menu, and choosing a page folds it again.
  await page.setViewportSize({ width: 390, height: 844 });
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav).toBeHidden();
  const menu = page.getByRole('button', { name: 'Menu' });
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await nav.getByRole('link', { name: 'Clients' }).click();
  await expect(page).toHaveURL(/#\/clients$/);
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBe(0);
});

test('Ctrl+K jumps to a tool, a server or a page, by keyboard alone', async ({ browser }) => {
  await countingServer(app, stops, { asDefault: true });
  const context = await browser.newContext();
  stops.push(() => context.close());
  const page = await context.newPage();
  await page.goto(app.url);
  await expect(
    page.getByRole('navigation', { name: 'Servers' }).getByRole('link', { name: /^counting/ }),
  ).toHaveAttribute('data-state', 'ready');

  await page.keyboard.press('Control+k');
  const dialog = page.getByRole('dialog', { name: 'Go to' });
  const box = dialog.getByRole('combobox');
  await expect(box).toBeFocused();
  await page.keyboard.type('wipe');
  await expect(dialog.getByRole('option').first()).toContainText('counting__wipe');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/playground\/counting__wipe$/);
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('form', { name: 'Call counting__wipe' })).toBeVisible();

  // A server by name, the second result chosen with ↓ when the first is not it.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('counting');
  const options = dialog.getByRole('option');
  const names = await options.allTextContents();
  const server = names.findIndex((text) => /Server/.test(text) && !/__/.test(text));
  expect(server).toBeGreaterThanOrEqual(0);
  for (let i = 0; i < server; i++) await page.keyboard.press('ArrowDown');
  await expect(box).toHaveAttribute(
    'aria-activedescendant',
    (await options.nth(server).getAttribute('id'))!,
  );
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/servers\/[^/]+$/);
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-state', 'ready');

  // Esc closes it, and focus goes back to where it was.
  const opener = page.getByRole('button', { name: /^Go to/ });
  await opener.click();
  await expect(box).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
  expect(await axeViolations(page)).toEqual([]);
});
