/**
 * The person's theme in Chromium: Dark chosen in the header survives a reload (applied before
 * the first paint by the external theme-init.js, which the CSP allows), overrides the system's
 * light scheme, passes axe, and System gives the choice back to the system.
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
