/**
 * Nexus as a PWA, in real Chromium against the built app (served with its CSP header): the
 * service worker starts the dashboard offline after one visit, a new build waits until the
 * person chooses Reload, no page breaks the Content Security Policy, and Chromium finds the app
 * installable (manifest fields, icons of the declared sizes).
 */
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { build } from 'vite';
import { CONTENT_SECURITY_POLICY } from '../../vite.config.ts';
import { freePort } from '../fixtures/ports.ts';
import { appForThisFile, sharedWorkers, startApp, type App } from './support.ts';

const root = path.resolve(import.meta.dirname, '../..');
const { app, stops } = appForThisFile();

declare global {
  interface Window {
    /** Bound by `watchCsp`: reports a `securitypolicyviolation` event to the test. */
    nexusCspViolation?: (text: string) => void;
  }
}

async function freshContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  stops.push(() => context.close());
  return context;
}

/**
 * Everything in `context`'s pages that says the Content Security Policy blocked something:
 * `securitypolicyviolation` events (reported through a binding, which the policy cannot block)
 * and console messages or page errors that mention the policy. Call before opening pages.
 */
async function watchCsp(context: BrowserContext): Promise<string[]> {
  const problems: string[] = [];
  await context.exposeBinding('nexusCspViolation', (_source, text: string) => {
    problems.push(`securitypolicyviolation: ${text}`);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window.nexusCspViolation?.(
        `${event.effectiveDirective} blocked ${event.blockedURI || '(inline)'} in ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
  const mentionsPolicy = (text: string): boolean => /content security policy/i.test(text);
  context.on('console', (message) => {
    if (mentionsPolicy(message.text()))
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  context.on('weberror', (error) => {
    if (mentionsPolicy(String(error.error()))) problems.push(`page error: ${error.error()}`);
  });
  return problems;
}

/**
 * Waits until a service worker controls `page`: the app registers it once the page has loaded,
 * and its first install claims the open page. Installing includes the precache, so from then on
 * the app can start offline. Fails after expect's timeout when no worker takes over.
 */
async function controlledByServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
    timeout: 10_000,
  });
}

/** The states of the page's service worker registration (`undefined`: no worker in that slot). */
function workerStates(
  page: Page,
): Promise<{ active?: string; waiting?: string; controlled: boolean }> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    return {
      active: registration?.active?.state,
      waiting: registration?.waiting?.state,
      controlled: navigator.serviceWorker.controller !== null,
    };
  });
}

function serverStatus(page: Page, name: string) {
  return page.getByRole('article', { name }).getByTestId('status');
}

function updateNotice(page: Page) {
  return page.getByRole('status').filter({ hasText: 'A new version of Nexus is ready' });
}

/**
 * A second build of the app, into its own folder, whose index.html differs from dist/'s (it
 * carries `<meta name="nexus-e2e-build" content="B">`), so its service worker has a different
 * precache list: what a deployment of a new version looks like to the browser. It runs the app
 * build of vite.config.ts (service worker included) over copies of dist/'s hub and client.
 */
async function buildB(): Promise<string> {
  const outDir = path.join(root, 'test-results', 'pwa-build-b');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  // The hub is nexus-hub.js and its chunks in hub/.
  for (const name of ['nexus-hub.js', 'hub', 'nexus-client.js']) {
    await cp(path.join(root, 'dist', name), path.join(outDir, name), { recursive: true });
  }
  await build({
    root,
    configFile: path.join(root, 'vite.config.ts'),
    mode: 'production',
    logLevel: 'silent',
    build: { outDir },
    plugins: [
      {
        name: 'nexus-e2e-build-b',
        transformIndexHtml: () => [
          { tag: 'meta', attrs: { name: 'nexus-e2e-build', content: 'B' }, injectTo: 'head' },
        ],
      },
    ],
  });
  return outDir;
}

/** Width and height from a PNG's IHDR chunk (https://www.w3.org/TR/png-3/#11IHDR). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  expect([...bytes.subarray(0, 8)], 'PNG signature').toEqual(signature);
  expect(bytes.toString('ascii', 12, 16), 'first chunk').toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** How many records the hub's journal holds, read from IndexedDB in `page`. */
function journalRecords(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('nexus');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const count = db.transaction('journal').objectStore('journal').count();
          count.onsuccess = () => {
            resolve(count.result);
            db.close();
          };
          count.onerror = () => reject(count.error);
        };
      }),
  );
}

test('the Inspector log is readable offline after the hub restarts: it comes back from the journal', async ({
  browser,
}) => {
  const context = await freshContext(browser);
  const csp = await watchCsp(context);
  let page = await context.newPage();
  await page.goto(`${app.url}/#/playground`);
  await controlledByServiceWorker(page);
  // Opening the playground lists resources and prompts through the hub: messages to keep.
  await expect(page.getByRole('heading', { name: 'Read a resource' })).toBeVisible();
  await page.getByRole('link', { name: 'Inspector' }).click();
  const listed = page.getByRole('grid', { name: 'Exchanges' }).getByText('prompts/list');
  await expect(listed.first()).toBeVisible();
  // The hub writes its journal in batches of a second: wait until this batch has landed.
  await expect.poll(() => journalRecords(page)).toBeGreaterThan(0);

  // Every page gone, so the hub worker ends; then, offline, a new page starts a new hub.
  await page.close();
  await expect.poll(() => sharedWorkers(browser)).toBe(0);
  await context.setOffline(true);
  page = await context.newPage();
  await page.goto(`${app.url}/#/inspector`);
  await expect(
    page.getByRole('grid', { name: 'Exchanges' }).getByText('prompts/list').first(),
  ).toBeVisible();
  expect(csp).toEqual([]);
});

test('after one visit the dashboard starts offline: registry listed, remote servers unreachable', async ({
  browser,
}) => {
  // A remote server nothing answers for: online or offline it must show as unreachable.
  const nobody = `http://127.0.0.1:${await freePort()}/mcp`;
  app.defaults = { mcpServers: { faraway: { url: nobody } } };
  stops.push(async () => (app.defaults = undefined));
  const context = await freshContext(browser);
  const csp = await watchCsp(context);
  const page = await context.newPage();
  await page.goto(app.url);
  await controlledByServiceWorker(page);
  await expect(serverStatus(page, 'Built-in notes')).toHaveAttribute('data-state', 'ready');
  await expect(serverStatus(page, 'faraway')).toHaveAttribute('data-state', 'error');
  // The service worker runs under the app's policy too: a worker takes it from its own script.
  const workerScript = await context.request.get(`${app.url}/sw.js`);
  expect(workerScript.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);

  await context.setOffline(true);
  await page.reload();

  await expect(page.getByRole('heading', { name: 'Nexus', level: 1 })).toBeVisible();
  // The registry comes from IndexedDB through the hub, which started from the precache too.
  await expect(page.getByRole('heading', { name: 'Built-in notes' })).toBeVisible();
  await expect(serverStatus(page, 'Built-in notes')).toHaveAttribute('data-state', 'ready');
  await expect(serverStatus(page, 'faraway')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('connection-error')).toHaveCount(0);
  // The hub and the client library are served offline, with the headers they were cached with:
  // the hub worker runs under the same policy offline as online.
  const served = await page.evaluate(() =>
    Promise.all(
      ['/nexus-hub.js', '/nexus-client.js'].map(async (url) => {
        const response = await fetch(url);
        return { url, ok: response.ok, policy: response.headers.get('content-security-policy') };
      }),
    ),
  );
  expect(served).toEqual([
    { url: '/nexus-hub.js', ok: true, policy: CONTENT_SECURITY_POLICY },
    { url: '/nexus-client.js', ok: true, policy: CONTENT_SECURITY_POLICY },
  ]);
  // What the hub loads on demand comes from the precache too: the config export works offline.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export (mcpServers)' }).click();
  const exported = JSON.parse(await readFile((await (await download).path())!, 'utf8'));
  expect(exported.mcpServers).toHaveProperty('faraway', { url: nobody });
  expect(csp).toEqual([]);
});

test('a new build is offered with a Reload prompt, waits for the person, then takes over', async ({
  browser,
}) => {
  const buildBDir = await buildB();
  stops.push(() => rm(buildBDir, { recursive: true, force: true }));
  // Build A (dist/) and then build B on the same port: one origin, one service worker registration.
  const port = await freePort();
  let served: App | undefined = await startApp({ port });
  stops.push(async () => served?.close());
  const context = await freshContext(browser);
  const csp = await watchCsp(context);
  const page = await context.newPage();
  await page.goto(served.url);
  await controlledByServiceWorker(page);
  await expect(page.getByRole('heading', { name: 'Built-in notes' })).toBeVisible();
  await expect(updateNotice(page)).toHaveCount(0);

  const buildA = served;
  served = undefined;
  await buildA.close();
  served = await startApp({ dist: buildBDir, port });
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration?.update();
  });
  await expect(updateNotice(page)).toBeVisible();
  expect(await workerStates(page)).toEqual({
    active: 'activated',
    waiting: 'installed',
    controlled: true,
  });

  // Dismissed, the new version keeps waiting: a reload still gets build A, and offers B again.
  await updateNotice(page).getByRole('button', { name: 'Dismiss the update notice' }).click();
  await expect(updateNotice(page)).toHaveCount(0);
  await page.reload();
  await expect(updateNotice(page)).toBeVisible();
  await expect(page.locator('meta[name="nexus-e2e-build"]')).toHaveCount(0);
  expect((await workerStates(page)).waiting).toBe('installed');

  // Reload: the waiting worker takes over and the page reloads into build B.
  await updateNotice(page).getByRole('button', { name: 'Reload' }).click();
  await expect(page.locator('meta[name="nexus-e2e-build"]')).toHaveAttribute('content', 'B');
  await expect(page.getByRole('heading', { name: 'Built-in notes' })).toBeVisible();
  await expect(updateNotice(page)).toHaveCount(0);
  expect(await workerStates(page)).toEqual({ active: 'activated', controlled: true });
  expect(csp).toEqual([]);
});

test('Chromium finds the app installable: manifest fields, and icons of the sizes it declares', async ({
  playwright,
  launchOptions,
}) => {
  // A profile of its own: Chromium never offers to install from an incognito context, which is
  // what browser.newContext() makes.
  const profile = await mkdtemp(path.join(tmpdir(), 'nexus-pwa-profile-'));
  stops.push(() => rm(profile, { recursive: true, force: true }));
  const context = await playwright.chromium.launchPersistentContext(profile, launchOptions);
  stops.push(() => context.close());
  const csp = await watchCsp(context);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(app.url);
  await controlledByServiceWorker(page);

  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const manifestUrl = new URL(href ?? '', app.url);
  const response = await context.request.get(manifestUrl.href);
  expect(response.ok()).toBe(true);
  expect(response.headers()['content-type']).toMatch(/^application\/manifest\+json/);
  const manifest = (await response.json()) as {
    icons: Array<{ src: string; sizes: string; type: string; purpose?: string }>;
  } & Record<string, unknown>;
  expect(manifest).toMatchObject({
    name: 'Nexus',
    short_name: 'Nexus',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    theme_color: expect.stringMatching(/^#[0-9a-f]{6}$/i),
    background_color: expect.stringMatching(/^#[0-9a-f]{6}$/i),
  });
  const declared = manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose ?? 'any'}`).sort();
  expect(declared).toEqual(['192x192 any', '192x192 maskable', '512x512 any', '512x512 maskable']);
  for (const icon of manifest.icons) {
    const image = await context.request.get(new URL(icon.src, manifestUrl).href);
    expect(image.ok(), icon.src).toBe(true);
    expect(image.headers()['content-type'], icon.src).toBe(icon.type);
    const { width, height } = pngSize(await image.body());
    expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
  }

  // Chromium's own verdict (what decides whether it offers "Install Nexus").
  const cdp = await context.newCDPSession(page);
  const { errors } = await cdp.send('Page.getAppManifest');
  expect(errors).toEqual([]);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  expect(installabilityErrors).toEqual([]);
  expect(csp).toEqual([]);
});
