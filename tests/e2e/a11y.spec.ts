/**
 * Every page of the dashboard, in the light and the dark theme (the system's, emulated), at desktop
 * and phone width: no serious or critical accessibility violation by axe (WCAG 2.1 A and AA), no
 * horizontal scrolling of the page at phone width, nothing refused by the app's
 * Content-Security-Policy, and a screenshot of each written to
 * tests/e2e/screenshots/ (not committed) for a person to look at.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startEverything } from '../fixtures/everything.ts';
import { appForThisFile, nexus, openClientPage } from './support.ts';

const { app, stops } = appForThisFile();
const screenshots = path.resolve(import.meta.dirname, 'screenshots');

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const THEMES = ['light', 'dark'] as const;

/** Each page, and how to bring it to a state worth checking (content, not just empty). */
const PAGES: Array<{ name: string; hash: string; ready(page: Page): Promise<void> }> = [
  {
    name: 'servers',
    hash: '#/servers',
    ready: (page) =>
      expect(
        page.getByRole('article', { name: 'everything' }).getByTestId('status'),
      ).toHaveAttribute('data-state', 'ready'),
  },
  {
    name: 'server',
    hash: '',
    ready: (page) => expect(page.getByRole('heading', { name: /^Tools \(/ })).toBeVisible(),
  },
  {
    name: 'server-overview',
    hash: '',
    ready: (page) => expect(page.getByTestId('detail-status')).toBeVisible(),
  },
  {
    // The server's Activity tab: its calls, and which clients made them (from the journal).
    name: 'server-activity',
    hash: '',
    ready: (page) =>
      expect(page.getByRole('list', { name: 'Clients of everything' })).toContainText(
        'a11y-client',
      ),
  },
  {
    name: 'clients',
    hash: '#/clients',
    ready: (page) =>
      expect(page.getByRole('list', { name: 'Connected clients' })).toContainText('a11y-client'),
  },
  {
    name: 'playground',
    hash: '#/playground/everything__echo',
    ready: (page) =>
      expect(page.getByRole('form', { name: 'Call everything__echo' })).toBeVisible(),
  },
  {
    name: 'inspector',
    hash: '#/inspector',
    ready: (page) =>
      expect(
        page.getByRole('grid', { name: 'Exchanges' }).locator('[role="row"][data-key]').first(),
      ).toBeVisible(),
  },
  {
    name: 'activity',
    hash: '#/activity',
    ready: (page) => expect(page.getByTestId('activity-calls').first()).toBeVisible(),
  },
  {
    name: 'permissions',
    hash: '#/permissions',
    ready: async (page) => {
      await expect(page.getByTestId('client-row')).toContainText('a11y-client');
      // The matrix opens on the server the person added, a column for the client.
      await expect(
        page.getByTestId('permission-matrix').getByRole('columnheader', { name: /^a11y-client/ }),
      ).toBeVisible();
    },
  },
  {
    name: 'audit',
    hash: '#/audit',
    ready: (page) =>
      expect(page.getByTestId('audit-row').filter({ hasText: 'everything__echo' })).toBeVisible(),
  },
];

test('every page passes axe in both themes at desktop and phone width', async ({ browser }) => {
  test.setTimeout(180_000);
  await mkdir(screenshots, { recursive: true });
  const everything = await startEverything('streamableHttp');
  stops.push(() => everything.stop());
  app.defaults = { mcpServers: { everything: { url: everything.url } } };
  stops.push(async () => (app.defaults = undefined));
  const context = await browser.newContext();
  stops.push(() => context.close());

  // Something in every list: a connected client, a call (inspector, activity), a server page.
  const client = await openClientPage(context, app);
  await nexus(client, 'connect', 'v2', 'a11y-client');
  const page = await context.newPage();
  // The app runs under its Content-Security-Policy: nothing on any page may be refused by it.
  const refusals: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) refusals.push(message.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(
        `Content-Security-Policy refused ${event.blockedURI} (${event.violatedDirective})`,
      ),
    );
  });
  await page.goto(app.url);
  await PAGES[0]!.ready(page);
  await nexus(client, 'callText', 'a11y-client', 'everything__echo', { message: 'hi' });
  const serverHash = await page
    .getByRole('article', { name: 'everything' })
    .getByRole('link', { name: 'everything', exact: true })
    .getAttribute('href');
  PAGES[1]!.hash = `${serverHash!}/tools`;
  PAGES[2]!.hash = serverHash!;
  PAGES[3]!.hash = `${serverHash!}/activity`;

  const failures: string[] = [];
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      for (const each of PAGES) {
        await page.goto(`${app.url}/${each.hash}`);
        await each.ready(page);
        const results = await new AxeBuilder({ page })
          .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
          .analyze();
        for (const violation of results.violations) {
          if (violation.impact !== 'serious' && violation.impact !== 'critical') continue;
          const where = violation.nodes.map((node) => node.target.join(' ')).slice(0, 3);
          failures.push(
            `${each.name} (${theme}, ${viewport.name}): ${violation.id}: ${violation.help} at ${where.join('; ')}`,
          );
        }
        // A phone must not have to scroll the page sideways (wide tables scroll in their box).
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        if (overflow > 0) {
          failures.push(`${each.name} (${theme}, ${viewport.name}): page ${overflow} px too wide`);
        }
        await page.screenshot({
          path: path.join(screenshots, `${each.name}-${theme}-${viewport.name}.png`),
          fullPage: true,
        });
      }
    }
  }
  expect(failures).toEqual([]);
  expect(refusals).toEqual([]);
});
