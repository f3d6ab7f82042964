/**
 * The Audit journal at 10,000 events (UI.md §3, the budget: no long task over 200 ms on a
 * page with 10,000 log rows), in real Chromium against the real hub and its IndexedDB journal: a
 * client page calls the built-in clock tool 10,000 times, then a dashboard opens Audit. Loading,
 * the keys, a search, a chip and opening a row each stay under 200 ms of main-thread work per task
 * (long tasks, measured with a PerformanceObserver); the DOM holds at most 80 rows, aria-rowcount
 * says the total; new calls while the person is scrolled up leave the rows in view where they are
 * and show "N new — jump to live" (the hub tells the page when the journal wrote); axe finds
 * nothing serious, and a screenshot is written to tests/e2e/screenshots/.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import {
  appForThisFile,
  axeViolations,
  clockCalls,
  longestTask,
  nexus,
  openClientPage,
  watchLongTasks,
} from './support.ts';

const { app, stops } = appForThisFile();
// Playwright's trace snapshots the DOM on the page's main thread at each action: no trace here.
test.use({ trace: 'off' });
const screenshots = path.resolve(import.meta.dirname, 'screenshots');

const EVENTS = 10_000;
const LONG_TASK_LIMIT_MS = 200;
const MAX_ROWS_IN_DOM = 80;

test('10,000 audit events: no main-thread task over 200 ms, at most 80 rows in the DOM, axe clean', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  await mkdir(screenshots, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  stops.push(() => context.close());
  await watchLongTasks(context);

  const client = await openClientPage(context, app);
  await nexus(client, 'connect', 'v2', 'load');
  const started = Date.now();
  await clockCalls(client, 'load', EVENTS);
  // The journal writes in batches: wait until every call is in it.
  const journaled = () =>
    client.evaluate(
      async (limit) =>
        (await window.nexusTest.admin('auditEvents', { text: 'nexus__clock', limit })).length,
      EVENTS,
    );
  await expect.poll(journaled, { timeout: 30_000 }).toBe(EVENTS);
  console.log(`${EVENTS} calls journaled in ${Date.now() - started} ms`);

  const longest: Record<string, number> = {};
  const page = await context.newPage();
  const grid = page.locator('[role="grid"][aria-label="Audit journal"]');
  const count = page.locator('[data-testid="journal-count"]');
  // Inside each measured step the test waits with plain CSS (role queries walk the page's
  // accessibility tree on its main thread, and would be measured too).
  const measure = async (where: string, act: () => Promise<unknown>, done: () => Promise<void>) => {
    await longestTask(page);
    await act();
    await done();
    longest[where] = await longestTask(page);
  };

  await page.goto(app.url);

  await expect(page.getByRole('heading', { name: 'Nexus', level: 1 })).toBeVisible();
  const appStart = await longestTask(page);
  const link = await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Audit' })
    .elementHandle();
  await measure(
    'load',
    () => link!.click(),
    () => expect(grid).toHaveAttribute('aria-rowcount', String(EVENTS + 1), { timeout: 30_000 }),
  );
  await expect(count).toContainText('The newest 10,000 events');
  // Live: the newest row is in view; only a window of rows is in the DOM.
  await expect(grid.locator(`[aria-rowindex="${EVENTS + 1}"]`)).toBeInViewport();
  const rendered = await grid.locator('[role="row"]').count();
  expect(rendered).toBeLessThanOrEqual(MAX_ROWS_IN_DOM);
  console.log(`${EVENTS} events; ${rendered} row elements in the DOM`);

  await grid.focus();
  await measure(
    'Home',
    () => page.keyboard.press('Home'),
    () => expect(grid.locator('[aria-rowindex="2"]')).toHaveAttribute('aria-selected', 'true'),
  );
  // New calls while the person is up at the top: the page hears the journal wrote, fetches the
  // newest 10,000 again, keeps the rows in view put and counts what is new.
  await clockCalls(client, 'load', 5, 1);
  const pill = page.getByRole('button', { name: /new — jump to live$/ });
  await expect(pill).toHaveText('5 new — jump to live');
  await expect(grid.locator('[aria-rowindex="2"]')).toBeInViewport();
  await measure(
    'End',
    () => page.keyboard.press('End'),
    () =>
      expect(grid.locator(`[aria-rowindex="${EVENTS + 1}"]`)).toHaveAttribute(
        'aria-selected',
        'true',
      ),
  );

  // A search that matches nothing, and back to all 10,000.
  const search = await page.getByRole('searchbox', { name: 'Search' }).elementHandle();
  await measure(
    'search',
    () => search!.fill('no such event'),
    () => expect(count).toContainText('Nothing in the journal matches'),
  );
  await measure(
    'search cleared',
    () => search!.fill(''),
    () => expect(grid).toHaveAttribute('aria-rowcount', String(EVENTS + 1)),
  );

  // A chip: only what was asked about (none of the clock's calls were).
  const asked = await page.getByRole('button', { name: 'Asked' }).elementHandle();
  await measure(
    'chip',
    () => asked!.click(),
    () => expect(count).toContainText('Nothing in the journal matches'),
  );
  await asked!.click();
  await expect(grid).toHaveAttribute('aria-rowcount', String(EVENTS + 1));

  // Opening a row in the middle of the list.
  await grid.evaluate((element) => (element.scrollTop = element.scrollHeight / 2));
  const target = grid.locator(`[aria-rowindex="${EVENTS / 2 + 4}"]`);
  await expect(target).toBeInViewport();
  const middle = await target.elementHandle();
  await measure(
    'open a row',
    () => middle!.click(),
    () => expect(page.locator('[data-testid="journal-detail"]')).toContainText('nexus__clock'),
  );

  console.log(
    `longest main-thread task (ms): the dashboard's start ${appStart}; with ${EVENTS} events in Audit: ` +
      Object.entries(longest)
        .map(([where, ms]) => `${where} ${ms}`)
        .join(', '),
  );
  for (const [where, ms] of Object.entries(longest)) {
    expect(ms, where).toBeLessThan(LONG_TASK_LIMIT_MS);
  }

  expect(await axeViolations(page)).toEqual([]);
  await page.screenshot({ path: path.join(screenshots, 'audit-10000.png'), fullPage: true });
});
