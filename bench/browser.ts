/**
 * Chromium for the benchmark: Debian's /usr/bin/chromium (or CHROMIUM_PATH) through
 * playwright-core, launched with the flags DESIGN.md names, and what the benchmark asks of it over
 * the Chrome DevTools Protocol (the hub's SharedWorker heap), which Playwright has no API for.
 */
import {
  chromium,
  type Browser,
  type BrowserContext,
  type CDPSession,
  type Page,
} from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../scripts/lib.mjs';
import type { BenchApp } from './app-server.ts';
import type { CpuProfile } from './profile.ts';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

/**
 * A fresh browser context: its own IndexedDB, so its own hub, which registers the app's current
 * `defaults` on its first run. Service workers are blocked unless asked for: a registered one
 * would see every fetch of the pages it controls, and only the start-up row is about it.
 */
export function freshContext(
  browser: Browser,
  options: { serviceWorkers?: boolean } = {},
): Promise<BrowserContext> {
  return browser.newContext({ serviceWorkers: options.serviceWorkers ? 'allow' : 'block' });
}

/**
 * Opens the bench page (bench/page/bench-page.ts) on the app's origin, and makes the person's
 * settings allow every client and tool in this context's database (`allowEverything`): call it
 * before the context's hub starts, as every scenario does.
 */
export async function openBenchPage(context: BrowserContext, app: BenchApp): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${app.url}/bench/index.html`);
  await page.waitForFunction(() => document.title === 'bench ready');
  const isolated = await page.evaluate(() => window.bench.crossOriginIsolated());
  if (!isolated)
    throw new Error('the bench page is not cross-origin isolated: its clock is coarse');
  await page.evaluate(() => window.bench.allowEverything());
  return page;
}

type Api = Window['bench'];

/** Calls `window.bench[method](...args)` in the bench page and returns its (JSON) result. */
export function bench<K extends keyof Api>(
  page: Page,
  method: K,
  ...args: Parameters<Api[K]>
): Promise<Awaited<ReturnType<Api[K]>>> {
  return page.evaluate(([m, a]) => (window.bench[m] as (...all: unknown[]) => unknown)(...a), [
    method,
    args,
  ] as const) as Promise<Awaited<ReturnType<Api[K]>>>;
}

export interface WorkerHeap {
  /** V8 heap in use after a full garbage collection, bytes. */
  usedBytes: number;
  /** V8 heap reserved, bytes. */
  totalBytes: number;
  /** Whether the garbage collection before reading it ran. */
  collected: boolean;
}

type TargetSend = (method: string, params?: Record<string, unknown>) => Promise<TargetReply>;

/**
 * Runs `body` with a way to send CDP commands to the SharedWorker whose script URL ends with
 * `scriptSuffix` (the hub: `/nexus-hub.js`). Playwright lists pages and service workers but no
 * shared workers, so this goes through a browser-level CDP session: find the `shared_worker`
 * target and attach to it non-flattened, so commands travel inside Target.sendMessageToTarget on
 * this one session. Exactly one such worker must be running (one browser context at a time).
 */
async function withSharedWorker<T>(
  browser: Browser,
  scriptSuffix: string,
  body: (send: TargetSend) => Promise<T>,
): Promise<T> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const workers = targetInfos.filter(
      (target) => target.type === 'shared_worker' && target.url.endsWith(scriptSuffix),
    );
    if (workers.length !== 1) {
      throw new Error(`expected one shared worker ${scriptSuffix}, found ${workers.length}`);
    }
    const { sessionId } = await cdp.send('Target.attachToTarget', {
      targetId: workers[0]!.targetId,
      flatten: false,
    });
    try {
      return await body(targetSender(cdp, sessionId));
    } finally {
      await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
    }
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

function resultOf<T>(reply: TargetReply, method: string): T {
  if (reply.error) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.result as T;
}

/** The worker's JS heap after a full garbage collection (`Runtime.getHeapUsage`). */
export function sharedWorkerHeap(browser: Browser, scriptSuffix: string): Promise<WorkerHeap> {
  return withSharedWorker(browser, scriptSuffix, async (send) => {
    const gc = await send('HeapProfiler.collectGarbage');
    const usage = resultOf<{ usedSize: number; totalSize: number }>(
      await send('Runtime.getHeapUsage'),
      'Runtime.getHeapUsage',
    );
    return { usedBytes: usage.usedSize, totalBytes: usage.totalSize, collected: !gc.error };
  });
}

/**
 * The worker's `nexus-hub:*` performance marks (src/worker/hub-worker.ts) as epoch milliseconds
 * (its `timeOrigin` plus the mark's time), so they line up with a page's clock; `started` is the
 * worker's own time origin.
 */
export function sharedWorkerMarks(
  browser: Browser,
  scriptSuffix: string,
): Promise<{ started: number; marks: Record<string, number> }> {
  return withSharedWorker(browser, scriptSuffix, async (send) => {
    const expression = `JSON.stringify({
      started: performance.timeOrigin,
      marks: Object.fromEntries(performance.getEntriesByType('mark')
        .filter((mark) => mark.name.startsWith('nexus-hub:'))
        .map((mark) => [mark.name.slice('nexus-hub:'.length), performance.timeOrigin + mark.startTime])),
    })`;
    const { result } = resultOf<{ result: { value: string } }>(
      await send('Runtime.evaluate', { expression, returnByValue: true }),
      'Runtime.evaluate',
    );
    return JSON.parse(result.value) as { started: number; marks: Record<string, number> };
  });
}

/** A V8 CPU profile of the worker (100 µs sampling) while `during` runs. */
export function profileSharedWorker<T>(
  browser: Browser,
  scriptSuffix: string,
  during: () => Promise<T>,
): Promise<{ profile: CpuProfile; result: T }> {
  return withSharedWorker(browser, scriptSuffix, async (send) => {
    resultOf(await send('Profiler.enable'), 'Profiler.enable');
    resultOf(await send('Profiler.setSamplingInterval', { interval: 100 }), 'setSamplingInterval');
    resultOf(await send('Profiler.start'), 'Profiler.start');
    const result = await during();
    const { profile } = resultOf<{ profile: CpuProfile }>(
      await send('Profiler.stop'),
      'Profiler.stop',
    );
    await send('Profiler.disable');
    return { profile, result };
  });
}

/**
 * A V8 CPU profile of the worker's start: `start` makes the page start it (connectHub); as soon as
 * Chromium announces the new shared_worker target (target discovery), this attaches and starts
 * the profiler. Browser-level auto-attach, which could hold the worker before its first line, is
 * only offered in CDP's flattened mode, which Playwright's CDPSession cannot address; so the
 * profile may miss the worker's first milliseconds (its script is still being fetched then).
 */
export async function profileSharedWorkerStart<T>(
  browser: Browser,
  scriptSuffix: string,
  start: () => Promise<T>,
): Promise<{ profile: CpuProfile; result: T; missedMs: number }> {
  const cdp = await browser.newBrowserCDPSession();
  let began = 0;
  let profiling: Promise<{ send: TargetSend; at: number }> | undefined;
  cdp.on('Target.targetCreated', ({ targetInfo }) => {
    if (profiling || targetInfo.type !== 'shared_worker') return;
    if (!targetInfo.url.endsWith(scriptSuffix)) return;
    profiling = (async () => {
      const { sessionId } = await cdp.send('Target.attachToTarget', {
        targetId: targetInfo.targetId,
        flatten: false,
      });
      const send = targetSender(cdp, sessionId);
      resultOf(await send('Profiler.enable'), 'Profiler.enable');
      resultOf(await send('Profiler.setSamplingInterval', { interval: 100 }), 'interval');
      resultOf(await send('Profiler.start'), 'Profiler.start');
      return { send, at: performance.now() };
    })();
  });
  try {
    await cdp.send('Target.setDiscoverTargets', { discover: true });
    began = performance.now();
    const result = await start();
    if (!profiling) throw new Error(`no shared worker ${scriptSuffix} started`);
    const { send, at } = await profiling;
    const { profile } = resultOf<{ profile: CpuProfile }>(
      await send('Profiler.stop'),
      'Profiler.stop',
    );
    return { profile, result, missedMs: at - began };
  } finally {
    await cdp.send('Target.setDiscoverTargets', { discover: false }).catch(() => undefined);
    await cdp.detach().catch(() => undefined);
  }
}

interface TargetReply {
  id: number;
  result?: unknown;
  error?: unknown;
}

/** Sends CDP commands to an attached (non-flattened) target, one reply per command. */
function targetSender(cdp: CDPSession, sessionId: string) {
  let seq = 0;
  const waiting = new Map<number, (reply: TargetReply) => void>();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const reply = JSON.parse(event.message) as TargetReply;
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  return (method: string, params: Record<string, unknown> = {}) =>
    new Promise<TargetReply>((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, resolve);
      cdp
        .send('Target.sendMessageToTarget', {
          sessionId,
          message: JSON.stringify({ id, method, params }),
        })
        .catch(reject);
    });
}

/** Waits until no shared worker with this script runs (the last page that used it closed). */
export async function sharedWorkerGone(
  browser: Browser,
  scriptSuffix: string,
  timeoutMs = 10_000,
): Promise<void> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { targetInfos } = await cdp.send('Target.getTargets');
      const running = targetInfos.some(
        (target) => target.type === 'shared_worker' && target.url.endsWith(scriptSuffix),
      );
      if (!running) return;
      if (Date.now() > deadline) throw new Error(`shared worker ${scriptSuffix} still runs`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}
