/**
 * A server whose 2026-07-28 path is broken, met in the dashboard (issue 13): added through the
 * form, it turns ready on 2025-11-25 and says why on its card; pinned to 2026-07-28 on its page,
 * it shows the error instead. Real Chromium, a real HTTP fixture on 127.0.0.1.
 */
import { expect, test } from '@playwright/test';
import { startImperfectServer } from '../fixtures/imperfect-server.ts';
import { appForThisFile } from './support.ts';

const { app, stops } = appForThisFile();

test('a server whose listen stream fails is used on 2025-11-25, says why, and errors when pinned to 2026-07-28', async ({
  browser,
}) => {
  const server = await startImperfectServer('listen-500');
  stops.push(() => server.stop());
  const context = await browser.newContext();
  stops.push(() => context.close());
  const page = await context.newPage();
  await page.goto(app.url);

  const add = page.getByRole('form', { name: 'Add a server' });
  await add.getByLabel('URL').fill(server.url);
  await add.getByLabel('Name', { exact: true }).fill('Imperfect');
  await add.getByRole('button', { name: 'Add server' }).click();
  const card = page.getByRole('article', { name: 'Imperfect' });
  await expect(card.getByTestId('status')).toContainText('ready (1 warning)');
  await expect(card.getByRole('list', { name: 'Warnings about Imperfect' })).toContainText(
    /2026-07-28 failed: subscriptions\/listen: HTTP 500 .*; using 2025-11-25/,
  );

  await card.getByRole('link', { name: 'Imperfect', exact: true }).click();
  await expect(page.getByTestId('detail-protocol')).toHaveText('2025-11-25 (stateful)');
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('form', { name: 'Edit Imperfect' });
  await edit.getByLabel('Protocol version').selectOption('2026-07-28');
  const handshakes = () => server.received.legacy.filter((method) => method === 'initialize');
  const before = handshakes().length;
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByTestId('detail-status')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('detail-status')).toContainText(
    '2026-07-28 (pinned) failed: subscriptions/listen: HTTP 500',
  );
  // Pinned, the hub never tried the 2025 handshake.
  expect(handshakes()).toHaveLength(before);
});
