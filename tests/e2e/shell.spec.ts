/**
 * The dashboard's shell in Chromium. The person's theme: Dark chosen in the header survives a
 * reload (applied before the first paint by the external theme-init.js, which the CSP allows),
 * overrides the system's light scheme, passes axe, and System gives the choice back to the
 * system. Pages other than Servers load on demand, and one whose chunk fails says so and retries.
 */
import { expect, test, type Page } from '@playwright/test';
import { appForThisFile, axeViolations } from './support.ts';

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
