/**
 * Issue 12 in the browser: a client page sends thousands of seeded hostile frames (text and
 * structured clone) to the hub over its real SharedWorker port while a dashboard records in the
 * Inspector. Every frame with a readable id gets exactly one answer with the right code, nothing
 * throws in the hub worker or in either page, and the Inspector still shows the calls that follow.
 */
import { expect, test, type Browser, type Locator, type Page } from '@playwright/test';
import { startHostileServer } from '../fixtures/hostile-server.ts';
import {
  appForThisFile,
  attachToHub,
  longestTask,
  nexus,
  openClientPage,
  watchLongTasks,
} from './support.ts';

const { app, stops } = appForThisFile();

function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

/**
 * A fresh context with a dashboard on the Inspector (so the hub records everything), its page
 * errors collected, and the hub worker attached through DevTools.
 */
async function recordingDashboard(browser: Browser) {
  const context = await browser.newContext();
  stops.push(() => context.close());
  const dashboard = await context.newPage();
  const dashboardErrors = pageErrors(dashboard);
  await dashboard.goto(`${app.url}/#/inspector`);
  await expect(dashboard.getByRole('heading', { name: 'Inspector' })).toBeVisible();
  return { context, dashboard, dashboardErrors, hub: await attachToHub(browser) };
}

test('3,000 hostile frames: one answer per readable id, no uncaught error, the Inspector keeps recording', async ({
  browser,
}) => {
  const { context, dashboard, dashboardErrors, hub } = await recordingDashboard(browser);

  const client = await openClientPage(context, app);
  const clientErrors = pageErrors(client);
  const report = await nexus(client, 'fuzz', 20261203, 3_000);
  expect(report.wrong.slice(0, 20)).toEqual([]);
  expect(report.answered).toBe(report.expected);
  expect(report.unexpected).toBe(0);
  expect(report.expected).toBeGreaterThan(1_500);
  console.log(
    `fuzz: ${report.sent} frames sent, ${report.expected} answers due, ${report.answered} answered, ` +
      `${hub.errors.length} uncaught errors in the hub worker`,
  );

  // A well-behaved client afterwards: its call shows in the Inspector that watched the fuzz.
  await nexus(client, 'connect', 'v2', 'after-fuzz');
  expect(await nexus(client, 'callText', 'after-fuzz', 'nexus__clock', {})).toMatch(
    /\d{4}-\d\d-\d\d/,
  );
  await dashboard.getByLabel('Method').fill('tools/call');
  const rows = dashboard.getByRole('grid', { name: 'Exchanges' }).locator('[role="row"][data-key]');
  await expect(rows.filter({ hasText: 'after-fuzz' }).first()).toBeVisible();

  expect(hub.errors).toEqual([]);
  expect(dashboardErrors).toEqual([]);
  expect(clientErrors).toEqual([]);
});

test('four 50 MB frames are answered, shown truncated, and the hub heap returns near its baseline', async ({
  browser,
}) => {
  const { context, dashboard, dashboardErrors, hub } = await recordingDashboard(browser);
  const client = await openClientPage(context, app);
  await nexus(client, 'connect', 'v2', 'warm-up');
  await nexus(client, 'callText', 'warm-up', 'nexus__clock', {});
  const before = await hub.heapAfterGc();

  expect(await nexus(client, 'hugeFrames', 4, 50_000_000)).toBe(4);
  // The recorder measures what it recorded within a second; then only previews stay.
  let after = 0;
  await expect
    .poll(async () => (after = await hub.heapAfterGc()) - before, { timeout: 20_000 })
    .toBeLessThan(16 * 1024 * 1024);
  console.log(
    `worker heap after GC: ${(before / 2 ** 20).toFixed(1)} MiB before four 50 MB frames, ` +
      `${(after / 2 ** 20).toFixed(1)} MiB after`,
  );

  // The Inspector lists them with their real size and shows the beginning, saying so.
  await dashboard.getByLabel('Method').fill('ping');
  const rows = dashboard.getByRole('grid', { name: 'Exchanges' }).locator('[role="row"][data-key]');
  const huge = rows.filter({ hasText: 'huge' }).filter({ hasText: /MB/ }).first();
  await expect(huge).toBeVisible();
  await huge.click();
  // The row opens the ping and its answer; the ping is the one of 50 MB.
  const ping = dashboard.getByTestId('exchange-detail').getByRole('article', { name: 'Request' });
  await expect(ping.getByTestId('truncated')).toContainText('kept only the beginning');
  expect(hub.errors).toEqual([]);
  expect(dashboardErrors).toEqual([]);
});

declare global {
  interface Window {
    __xss?: number;
  }
}

test('a hostile server registered in the dashboard: every page renders, names are unique, long tasks stay short', async ({
  browser,
}) => {
  const hostile = await startHostileServer();
  stops.push(() => hostile.stop());
  const context = await browser.newContext();
  stops.push(() => context.close());
  await watchLongTasks(context);
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.goto(app.url);
  const form = page.getByRole('form', { name: 'Add a server' });
  await form.getByLabel('URL').fill(hostile.url);
  await form.getByLabel('Name', { exact: true }).fill('Hostile');
  await form.getByRole('button', { name: 'Add server' }).click();
  const card = page.getByRole('article', { name: 'Hostile' });
  await expect(card.getByTestId('status')).toHaveText(/^ready \(\d+ warnings\)$/, {
    timeout: 20_000,
  });
  await expect(card.getByRole('list', { name: 'Warnings about Hostile' })).toContainText(
    "The server lists the tool 'echo' 2 times",
  );
  await expect(card.getByRole('list', { name: 'Warnings about Hostile' })).toContainText(
    'Its resource templates could not be listed',
  );
  const longest: Record<string, number> = {};

  // Inside each measured step the test itself stays light: Playwright's role and label queries
  // run on the page's main thread too (they walk the accessibility tree), so the elements are
  // found before the step and what it waits for is found with plain CSS.
  const measure = async (where: string, act: () => Promise<unknown>, shown: string) => {
    await longestTask(page);
    await act();
    await page.waitForSelector(shown, { timeout: 20_000 });
    longest[where] = await longestTask(page);
  };
  const handle = async (locator: Locator) => (await locator.elementHandle())!;

  // The server's card with its 10,003 tools opened.
  const toolsButton = await handle(card.getByRole('button', { name: 'Tools' }));
  await measure('server list, tools open', () => toolsButton.click(), 'ul.tools li');
  await expect(card.getByRole('list', { name: 'Tools of Hostile' })).toContainText(
    'hostile__tool_0',
  );

  // The server's page.
  const serverLink = await handle(card.getByRole('link', { name: 'Hostile' }));
  await measure('server page', () => serverLink.click(), '[role="tab"][aria-selected="true"]');
  await measure(
    'its tools tab',
    () => page.locator('#tab-tools').click(),
    '[aria-labelledby="tools-heading"] li',
  );
  await expect(page.getByRole('list', { name: /^Tools/ })).toContainText('hostile__echo');

  // The Playground: the tool with the repeated enum values, and a call with unknown content.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Playground' }).click();
  await page.waitForSelector('#playground-tool');
  await measure(
    'playground',
    () => page.selectOption('#playground-tool', 'hostile__pick'),
    'form[aria-label="Call hostile__pick"]',
  );
  await page.getByLabel('Tool', { exact: true }).selectOption('hostile__echo');
  await page.getByRole('button', { name: 'Run hostile__echo' }).click();
  await expect(page.getByTestId('playground-result')).toContainText('hologram');

  // The Inspector's detail of a 10 MB answer.
  // 10,003 tools: the list offers 200 at a time, and the search box finds the rest.
  await page.getByLabel('Find a tool').fill('big');
  await page.getByLabel('Tool', { exact: true }).selectOption('hostile__big');
  await page.getByRole('button', { name: 'Run hostile__big' }).click();
  await expect(page.getByTestId('playground-result')).toBeVisible({ timeout: 20_000 });
  await nav.getByRole('link', { name: 'Inspector' }).click();
  await page.getByLabel('Method').fill('tools/call');
  const rows = page.getByRole('grid', { name: 'Exchanges' }).locator('[role="row"][data-key]');
  const big = await handle(rows.filter({ hasText: /\d+(\.\d+)? MB/ }).last());
  await measure(
    'inspector detail, 10 MB',
    () => big.click(),
    '[data-testid="exchange-detail"] article[aria-label="Response"] pre',
  );
  await expect(page.getByRole('button', { name: 'Copy JSON of the response' })).toBeVisible();

  // The remaining pages render too, the hostile server among the others.
  await nav.getByRole('link', { name: 'Activity' }).click();
  await expect(page.getByRole('heading', { name: 'Activity', level: 2 })).toBeVisible();
  await nav.getByRole('link', { name: 'Clients' }).click();
  await expect(page.getByRole('heading', { name: 'Connected clients', level: 2 })).toBeVisible();

  console.log(
    'longest main-thread task (ms): ' +
      Object.entries(longest)
        .map(([where, ms]) => `${where} ${Math.round(ms)}`)
        .join(', '),
  );
  expect(await page.evaluate(() => window.__xss)).toBeUndefined();
  expect(errors).toEqual([]);

  // Clients see each name once, and the rest of the catalog works.
  const client = await openClientPage(context, app);
  await nexus(client, 'connect', 'v2', 'hostile-client');
  const names = (await nexus(client, 'toolNames', 'hostile-client')).filter((name) =>
    name.startsWith('hostile__'),
  );
  expect(names.length).toBe(10_003);
  expect(new Set(names).size).toBe(names.length);
  // (Its tool results hold an unknown content type, which the client's own SDK refuses.)
  const read = await nexus(client, 'readResource', 'hostile-client', 'hostile://note');
  expect(read.contents).toEqual([{ uri: 'hostile://note', text: expect.stringContaining('Note') }]);
  for (const [where, ms] of Object.entries(longest)) expect(ms, where).toBeLessThan(200);
});
