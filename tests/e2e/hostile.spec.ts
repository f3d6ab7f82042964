/**
 * Issue 12 in the browser: a client page sends thousands of seeded hostile frames (text and
 * structured clone) to the hub over its real SharedWorker port while a dashboard records in the
 * Inspector. Every frame with a readable id gets exactly one answer with the right code, nothing
 * throws in the hub worker or in either page, and the Inspector still shows the calls that follow.
 */
import { expect, test, type Page } from '@playwright/test';
import { appForThisFile, attachToHub, nexus, openClientPage } from './support.ts';

const { app, stops } = appForThisFile();

function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

test('3,000 hostile frames: one answer per readable id, no uncaught error, the Inspector keeps recording', async ({
  browser,
}) => {
  const context = await browser.newContext();
  stops.push(() => context.close());
  const dashboard = await context.newPage();
  const dashboardErrors = pageErrors(dashboard);
  await dashboard.goto(`${app.url}/#/inspector`);
  await expect(dashboard.getByRole('heading', { name: 'Inspector' })).toBeVisible();
  const hub = await attachToHub(browser);

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
  const rows = dashboard.getByRole('table', { name: 'Messages' }).locator('tbody tr[data-seq]');
  await expect(rows.filter({ hasText: 'after-fuzz' }).first()).toBeVisible();

  expect(hub.errors).toEqual([]);
  expect(dashboardErrors).toEqual([]);
  expect(clientErrors).toEqual([]);
});

test('four 50 MB frames are answered, shown truncated, and the hub heap returns near its baseline', async ({
  browser,
}) => {
  const context = await browser.newContext();
  stops.push(() => context.close());
  const dashboard = await context.newPage();
  await dashboard.goto(`${app.url}/#/inspector`);
  await expect(dashboard.getByRole('heading', { name: 'Inspector' })).toBeVisible();
  const hub = await attachToHub(browser);
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
  const rows = dashboard.getByRole('table', { name: 'Messages' }).locator('tbody tr[data-seq]');
  const huge = rows.filter({ hasText: 'huge' }).filter({ hasText: /MB/ }).first();
  await expect(huge).toBeVisible();
  await huge.getByRole('button', { name: /^Details of message/ }).click();
  await expect(dashboard.getByTestId('truncated')).toContainText('kept only the beginning');
  expect(hub.errors).toEqual([]);
});
