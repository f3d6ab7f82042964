/**
 * Shared pieces of the end-to-end tests: the built app (tests/fixtures/app-server.ts) started once
 * per spec file, and the stand-in client page on the app's origin.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { build } from 'vite';
import { startApp, type App, type StartAppOptions } from '../fixtures/app-server.ts';
import { startCountingServer, type CountingServer } from '../fixtures/counting-server.ts';
import { ALLOW_EVERYTHING } from '../support/allow-everything.ts';

const root = path.resolve(import.meta.dirname, '../..');
const bundleDir = path.join(root, 'test-results', 'e2e-page');

export { startApp, type App, type StartAppOptions };

/**
 * The app for the tests of one spec file, started once before them, and `stops`: clean-ups a test
 * registers (servers, browser contexts), run after it, newest first. `app` can be passed around
 * at once; it reaches the running app only inside tests.
 */
export function appForThisFile(): { app: App; stops: Array<() => Promise<unknown>> } {
  let started: App | undefined;
  const running = (): App => {
    if (!started) throw new Error('The app starts in beforeAll: use it inside a test.');
    return started;
  };
  const app: App = {
    get url() {
      return running().url;
    },
    get defaults() {
      return running().defaults;
    },
    set defaults(value) {
      running().defaults = value;
    },
    close: () => running().close(),
  };
  const stops: Array<() => Promise<unknown>> = [];
  test.beforeAll(async () => {
    started = await startApp();
  });
  test.afterAll(async () => {
    await started?.close();
  });
  test.afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });
  return { app, stops };
}

/**
 * A counting-server (tests/fixtures/counting-server.ts) on a free loopback port, stopped after
 * the test; with `asDefault`, the app's embedded default lists it as `counting` for the test.
 */
export async function countingServer(
  app: App,
  stops: Array<() => Promise<unknown>>,
  options: { asDefault?: boolean } = {},
): Promise<CountingServer> {
  const counting = await startCountingServer();
  stops.push(() => counting.stop());
  if (options.asDefault) {
    app.defaults = { mcpServers: { counting: { url: counting.url } } };
    stops.push(async () => (app.defaults = undefined));
  }
  return counting;
}

declare global {
  interface Window {
    /** Durations of the long tasks (≥ 50 ms) on this page's main thread since the last reset. */
    nexusLongTasks?: number[];
  }
}

/** Records every long task (≥ 50 ms) of every page `context` opens from now on. */
export async function watchLongTasks(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    window.nexusLongTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.nexusLongTasks?.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}

/** The longest main-thread task since the last call (ms; 0 when none passed 50 ms). */
export async function longestTask(page: Page): Promise<number> {
  return page.evaluate(() => {
    const tasks = window.nexusLongTasks ?? [];
    window.nexusLongTasks = [];
    return tasks.length === 0 ? 0 : Math.max(...tasks);
  });
}

/**
 * `calls` calls of the built-in clock tool from the client page, `parallel` at a time (in the
 * page, so each is not a round trip from the test).
 */
export async function clockCalls(client: Page, name: string, calls: number, parallel = 32) {
  await client.evaluate(
    async ([name, calls, parallel]) => {
      let started = 0;
      const worker = async () => {
        while (started < calls) {
          started++;
          await window.nexusTest.callTool(name, 'nexus__clock', {});
        }
      };
      await Promise.all(Array.from({ length: parallel }, worker));
    },
    [name, calls, parallel] as const,
  );
}

type Api = Window['nexusTest'];

/** Calls `window.nexusTest[method](...args)` in a client page and returns its (JSON) result. */
export function nexus<K extends keyof Api>(
  page: Page,
  method: K,
  ...args: Parameters<Api[K]>
): Promise<Awaited<ReturnType<Api[K]>>> {
  return page.evaluate(([m, a]) => (window.nexusTest[m] as (...all: unknown[]) => unknown)(...a), [
    method,
    args,
  ] as const) as Promise<Awaited<ReturnType<Api[K]>>>;
}

let bundle: Promise<string> | undefined;

/** Bundles the stand-in client page's script once per test worker. */
function clientBundle(): Promise<string> {
  bundle ??= (async () => {
    await build({
      root,
      configFile: false,
      logLevel: 'silent',
      publicDir: false,
      build: {
        outDir: bundleDir,
        emptyOutDir: true,
        minify: false,
        lib: {
          entry: path.join(root, 'tests/e2e/page/clients.ts'),
          formats: ['es'],
          fileName: () => 'clients.js',
        },
        rolldownOptions: { external: ['/nexus-client.js'] },
      },
    });
    return readFile(path.join(bundleDir, 'clients.js'), 'utf8');
  })();
  return bundle;
}

/**
 * Opens the stand-in client page on the app's origin (served by a route, never by the app). Unless
 * `consent: 'person'`, the person's settings allow everything first (ALLOW_EVERYTHING), as set
 * through the admin API the dashboard uses: the page's clients are neither held nor asked.
 */
export async function openClientPage(
  context: BrowserContext,
  app: App,
  options: { consent?: 'allow-everything' | 'person' } = {},
): Promise<Page> {
  const script = await clientBundle();
  await context.route(`${app.url}/e2e-client.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><meta charset="utf-8"><title>e2e client</title><script type="module" src="/e2e-client.js"></script>',
    }),
  );
  await context.route(`${app.url}/e2e-client.js`, (route) =>
    route.fulfill({ contentType: 'text/javascript', body: script }),
  );
  const page = await context.newPage();
  await page.goto(`${app.url}/e2e-client.html`);
  await page.waitForFunction(() => document.title === 'e2e client ready');
  if ((options.consent ?? 'allow-everything') === 'allow-everything')
    await nexus(page, 'admin', 'setConsentSettings', ALLOW_EVERYTHING);
  return page;
}

/** Shared workers alive in the browser now (the hub is one), from the browser's own target list. */
export async function sharedWorkers(browser: Browser): Promise<number> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as {
      targetInfos: Array<{ type: string }>;
    };
    return targetInfos.filter((target) => target.type === 'shared_worker').length;
  } finally {
    await cdp.detach();
  }
}

/** The hub's SharedWorker seen through DevTools: its uncaught errors, and protocol calls into it. */
export interface HubWorker {
  /** Uncaught exceptions and unhandled rejections since attaching, as DevTools describes them. */
  errors: string[];
  /** Sends a DevTools protocol command to the worker (`Runtime.getHeapUsage`, …). */
  call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Bytes of the worker's JavaScript heap in use right after a full garbage collection. */
  heapAfterGc(): Promise<number>;
}

/**
 * Attaches to the hub's SharedWorker, which Playwright does not expose as a worker, through the
 * browser's DevTools protocol. Call once the hub runs (a page connected to it).
 */
export async function attachToHub(browser: Browser): Promise<HubWorker> {
  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = (await cdp.send('Target.getTargets')) as {
    targetInfos: Array<{ type: string; url: string; targetId: string }>;
  };
  const hub = targetInfos.find(
    (target) => target.type === 'shared_worker' && target.url.endsWith('/nexus-hub.js'),
  );
  if (!hub) throw new Error('No hub SharedWorker is running: open a page that connects first.');
  // Not flattened: Playwright's CDPSession has no per-target session parameter, so the worker's
  // own protocol messages travel inside Target.sendMessageToTarget / receivedMessageFromTarget.
  const { sessionId } = (await cdp.send('Target.attachToTarget', {
    targetId: hub.targetId,
    flatten: false,
  })) as { sessionId: string };
  const errors: string[] = [];
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  cdp.on('Target.receivedMessageFromTarget', (event: { message: string }) => {
    const message = JSON.parse(event.message) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
      method?: string;
      params?: { exceptionDetails: { text: string; exception?: { description?: string } } };
    };
    if (message.id !== undefined) {
      const waiter = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result);
      return;
    }
    if (message.method !== 'Runtime.exceptionThrown' || !message.params) return;
    const { text, exception } = message.params.exceptionDetails;
    errors.push(exception?.description ?? text);
  });
  const call = <T>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
    const id = nextId++;
    const answered = new Promise<T>((resolve, reject) =>
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject }),
    );
    void cdp.send('Target.sendMessageToTarget', {
      sessionId,
      message: JSON.stringify({ id, method, params }),
    });
    return answered;
  };
  await call('Runtime.enable');
  return {
    errors,
    call,
    async heapAfterGc() {
      await call('HeapProfiler.collectGarbage');
      const { usedSize } = await call<{ usedSize: number }>('Runtime.getHeapUsage');
      return usedSize;
    },
  };
}

/** Serious or critical accessibility violations on the page as it is (WCAG 2.1 A and AA). */
export async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.help}`);
}
