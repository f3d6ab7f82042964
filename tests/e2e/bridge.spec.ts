/**
 * Local stdio servers end to end: Chromium with the Nexus bridge extension loaded (a persistent
 * context), nexus-bridge installed into the profile's NativeMessagingHosts/ by its own CLI, an
 * allowlist in a temporary config directory holding `server-everything stdio` and a fixture of
 * ours (tests/fixtures/stdio-server.mjs). Nothing listens on a port for them: the hub reaches
 * them through a relay tab, the extension and native messaging.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { launchWithBridge, processesWith, type BridgeBrowser } from '../support/bridge-browser.ts';
import { DEFAULT_EXTENSION_ID } from '../../src/protocol/bridge.ts';
import type { ServerView } from '../../src/protocol/views.ts';
import { appForThisFile, axeViolations, nexus, openClientPage } from './support.ts';

const { app, stops } = appForThisFile();
const root = path.resolve(import.meta.dirname, '../..');
const EVERYTHING = path.join(
  root,
  'node_modules/@modelcontextprotocol/server-everything/dist/index.js',
);
const FIXTURE = path.join(root, 'tests/fixtures/stdio-server.mjs');
/** Screenshots for people to look at (not committed), next to the a11y test's. */
const screenshots = path.join(import.meta.dirname, 'screenshots');

async function bridgeBrowser(
  allowlist: Parameters<typeof launchWithBridge>[0],
  options?: Parameters<typeof launchWithBridge>[1],
): Promise<BridgeBrowser> {
  const browser = await launchWithBridge(allowlist, options);
  stops.push(() => browser.close());
  return browser;
}

async function openDashboard(browser: BridgeBrowser): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(app.url);
  await expect(page.getByRole('heading', { name: 'Nexus', level: 1 })).toBeVisible();
  return page;
}

const card = (page: Page, name: string) => page.getByRole('article', { name });
const status = (page: Page, name: string) => card(page, name).getByTestId('status');
const localServers = (page: Page) => page.getByRole('region', { name: 'Local servers' });

/** The fixture's text of `bytes` characters (the same pattern as tests/fixtures/stdio-server.mjs). */
function fixtureText(bytes: number): string {
  const unit = 'nexus-bridge chunk test 0123456789 ';
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}

test('allowlisted stdio servers run through nexus-bridge, shared by every tab, ended with the browser', async () => {
  test.setTimeout(120_000);
  // A marker on the fixture's command line, to count its processes and nobody else's.
  const marker = `nexus-e2e-${randomUUID()}`;
  const browser = await bridgeBrowser({
    everything: { command: process.execPath, args: [EVERYTHING, 'stdio'] },
    fixture: {
      command: process.execPath,
      args: [FIXTURE, marker],
      env: { FIXTURE_TOKEN: 'never-in-the-browser' },
    },
  });
  const dashboard = await openDashboard(browser);

  // The dashboard shows the bridge and what it allowlisted; one click adds each.
  const panel = localServers(dashboard);
  await expect(panel).toContainText(/nexus-bridge \S+ through the extension 0\.1\.0/);
  for (const name of ['everything', 'fixture'])
    await panel.getByRole('button', { name: `Add local server ${name}` }).click();
  await expect(status(dashboard, 'everything')).toHaveAttribute('data-state', 'ready', {
    timeout: 30_000,
  });
  await expect(status(dashboard, 'fixture')).toHaveAttribute('data-state', 'ready');
  await expect(panel.getByRole('button', { name: 'Added local server fixture' })).toBeDisabled();
  await expect(dashboard.locator('body')).not.toContainText('never-in-the-browser');

  // A client page calls them: server-everything's echo, and a 5 MB result in one piece.
  const first = await openClientPage(browser.context, app);
  await nexus(first, 'connect', 'v2', 'first');
  expect(await nexus(first, 'toolNames', 'first')).toEqual(
    expect.arrayContaining(['everything__echo', 'fixture__big', 'fixture__pid']),
  );
  expect(
    await nexus(first, 'callText', 'first', 'everything__echo', { message: 'over stdio' }),
  ).toBe('Echo: over stdio');
  const big = await nexus(first, 'callText', 'first', 'fixture__big', { bytes: 5_000_000 });
  expect(big.length).toBe(5_000_000);
  expect(big === fixtureText(5_000_000)).toBe(true);

  // Two tabs share one child.
  const second = await openClientPage(browser.context, app);
  await nexus(second, 'connect', 'v2', 'second');
  const pid = await nexus(first, 'callText', 'first', 'fixture__pid', {});
  expect(await nexus(second, 'callText', 'second', 'fixture__pid', {})).toBe(pid);
  expect(await processesWith(marker)).toEqual([Number(pid)]);

  // Killing the child shows error with its last stderr; Restart brings it back.
  process.kill(Number(pid), 'SIGKILL');
  await expect(status(dashboard, 'fixture')).toHaveAttribute('data-state', 'error');
  await expect(card(dashboard, 'fixture')).toContainText('SIGKILL');
  await expect(card(dashboard, 'fixture')).toContainText(`stdio fixture ${pid} ready`);
  await card(dashboard, 'fixture')
    .getByRole('button', { name: /Restart/ })
    .click();
  await expect(status(dashboard, 'fixture')).toHaveAttribute('data-state', 'ready');
  const restarted = await nexus(second, 'callText', 'second', 'fixture__pid', {});
  expect(restarted).not.toBe(pid);
  expect(await processesWith(marker)).toEqual([Number(restarted)]);

  // A name outside the allowlist is refused and audited (an imported command entry), and the
  // card shows the line that would allowlist it.
  await nexus(
    first,
    'admin',
    'importConfig',
    JSON.stringify({
      mcpServers: { stray: { command: 'rm', args: ['-rf', '/tmp/nothing-here'] } },
    }),
  );
  await expect(status(dashboard, 'stray')).toHaveAttribute('data-state', 'error');
  await expect(card(dashboard, 'stray')).toContainText('nexus-bridge refused');
  await expect(card(dashboard, 'stray')).toContainText(
    'nexus-bridge add stray -- rm -rf /tmp/nothing-here',
  );
  const security = await nexus(first, 'admin', 'auditEvents', { kind: 'security' });
  expect(security).toContainEqual(
    expect.objectContaining({ event: 'bridge-unknown-server', serverSlug: 'stray' }),
  );
  expect(security).toContainEqual(
    expect.objectContaining({
      event: 'bridge-child-exited',
      serverSlug: 'fixture',
      detail: "local server 'fixture' was ended by SIGKILL",
    }),
  );
  // The Inspector saw the local server's traffic as it sees any server's (the dashboard watches).
  const traffic = await nexus(first, 'admin', 'traffic', 0);
  expect(traffic).toContainEqual(
    expect.objectContaining({ side: 'server', serverSlug: 'fixture', method: 'tools/call' }),
  );
  // So is a page that talks to the extension itself and names a server the person never allowed.
  const refusal = await first.evaluate(async (extensionId) => {
    const runtime = (
      globalThis as unknown as {
        chrome: {
          runtime: {
            connect(id: string): {
              postMessage(m: unknown): void;
              disconnect(): void;
              onMessage: { addListener(f: (m: { type: string; code?: string }) => void): void };
            };
          };
        };
      }
    ).chrome.runtime;
    const port = runtime.connect(extensionId);
    return new Promise<unknown>((resolve) => {
      port.onMessage.addListener((message) => {
        if (message.type === 'welcome')
          port.postMessage({ type: 'start', channel: 'x', name: 'evil' });
        if (message.type === 'error') {
          port.disconnect();
          resolve(message);
        }
      });
      port.postMessage({ type: 'hello', wire: 1, hub: 'a page' });
    });
  }, DEFAULT_EXTENSION_ID);
  expect(refusal).toMatchObject({ type: 'error', code: 'unknown-server', name: 'evil' });
  await expect(status(dashboard, 'everything')).toHaveAttribute('data-state', 'ready');

  // What a person sees, checked by axe and kept for people to look at: the Servers page with the
  // bridge connected and a refused card, and the restarted server's page with its stderr.
  await mkdir(screenshots, { recursive: true });
  await expect(
    card(dashboard, 'stray').getByRole('button', {
      name: 'Copy the nexus-bridge add line for stray',
    }),
  ).toBeVisible();
  expect(await axeViolations(dashboard)).toEqual([]);
  await dashboard.screenshot({ path: path.join(screenshots, 'local-servers.png'), fullPage: true });
  const servers = (await nexus(first, 'admin', 'listServers')) as ServerView[];
  const fixtureId = servers.find((server) => server.slug === 'fixture')!.id;
  await dashboard.goto(`${app.url}/#/servers/${fixtureId}`);
  const stderr = dashboard.getByRole('region', { name: 'Stderr of fixture' });
  await expect(stderr).toContainText(`stdio fixture ${restarted} ready`);
  expect(await axeViolations(dashboard)).toEqual([]);
  await dashboard.screenshot({
    path: path.join(screenshots, 'local-server-page.png'),
    fullPage: true,
  });

  // The relaying tab closes: a client page takes the relay over (it was queued for the lock),
  // and the local servers start again on its connection: a new child, still only one.
  const beforeHandover = await nexus(second, 'callText', 'second', 'fixture__pid', {});
  await dashboard.close();
  let handedOver = '';
  await expect
    .poll(
      async () => {
        handedOver = await nexus(second, 'callText', 'second', 'fixture__pid', {}).catch(
          () => 'not ready',
        );
        return /^\d+$/.test(handedOver) && handedOver !== beforeHandover;
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  // The old child ends with the old native port (SIGTERM to its group): then only the new one runs.
  await expect.poll(() => processesWith(marker)).toEqual([Number(handedOver)]);

  // Closing the browser leaves no child running.
  const everythingPids = await processesWith(EVERYTHING);
  expect(everythingPids.length).toBeGreaterThan(0);
  await browser.context.close();
  await expect
    .poll(async () => [...(await processesWith(marker)), ...(await processesWith(EVERYTHING))], {
      timeout: 15_000,
    })
    .toEqual([]);
});

test('the dashboard says what is missing: the host, then the extension', async ({ browser }) => {
  const noHost = await bridgeBrowser({}, { installHost: false });
  const dashboard = await openDashboard(noHost);
  await expect(localServers(dashboard)).toContainText('nexus-bridge is not');
  await expect(localServers(dashboard)).toContainText('npm run bridge -- install');

  const plain = await browser.newContext();
  stops.push(() => plain.close());
  const page = await plain.newPage();
  await page.goto(app.url);
  await expect(localServers(page)).toContainText('extension is not installed');
  await expect(localServers(page)).toContainText('Load unpacked');
});
