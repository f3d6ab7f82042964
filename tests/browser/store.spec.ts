/**
 * The IndexedDB stores in real Chromium: every contract case (the same ones the memory stores pass
 * in tests/unit/memory-stores.test.ts), plus the schema checks — each shipped schema version's
 * hand-written fixture is what its migration steps build, data written by every older version is
 * readable now, and an open connection steps aside when a newer version upgrades.
 *
 * A Vite dev server (started here, port 0) serves tests/browser/store-harness.html, which
 * compiles the TypeScript sources on the fly; each case runs on a database of its own.
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { grantStoreCaseNames } from '../contract/grant-store.contract.ts';
import { journalStoreCaseNames } from '../contract/journal-store.contract.ts';
import { notesStoreCaseNames } from '../contract/notes-store.contract.ts';
import { pinStoreCaseNames } from '../contract/pin-store.contract.ts';
import { tokenStoreCaseNames } from '../contract/token-store.contract.ts';
import { registryStoreCaseNames } from '../contract/registry-store.contract.ts';
import type { CaseResult, StoreHarness, Suite } from './store-harness.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

let vite: ViteDevServer | undefined;
let cacheDir: string | undefined;
let harnessUrl = '';

test.beforeAll(async () => {
  // A private dependency cache: the default (node_modules/.vite) is shared with the app's own dev
  // server, and a different config would make the two overwrite each other's pre-bundled deps.
  cacheDir = await mkdtemp(path.join(tmpdir(), 'nexus-store-vite-'));
  vite = await createServer({
    root: repoRoot,
    configFile: false, // the app's vite.config.ts adds the Svelte plugin and build modes; not needed
    logLevel: 'silent',
    cacheDir,
    // idb is pre-bundled up front and nothing is discovered later: a dependency found mid-run
    // makes Vite re-optimize and reload the page under a running test.
    optimizeDeps: { noDiscovery: true, include: ['idb'] },
    server: { host: '127.0.0.1', port: 0, ws: false, watch: null },
  });
  await vite.listen();
  const { port } = vite.httpServer?.address() as AddressInfo;
  harnessUrl = `http://127.0.0.1:${port}/tests/browser/store-harness.html`;
});

test.afterAll(async () => {
  await vite?.close();
  if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
});

/** What a check reported, plus every uncaught error the page raised while it ran. */
interface Outcome extends CaseResult {
  pageErrors: string[];
}

/**
 * Opens the harness and waits for its module; a load failure is reported with the page's errors.
 * Returns a live list of the page's uncaught errors and unhandled rejections from then on: a store
 * can pass its case and still leave a request's rejection unheeded (e.g. the AbortErrors of an
 * aborted batch), which in the hub would be noise in the worker's console on every failure.
 */
async function openHarness(page: Page): Promise<string[]> {
  const problems: string[] = [];
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => {
    problems.push(`page error: ${error.message}`);
    pageErrors.push(`${error.name}: ${error.message}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  await page.goto(harnessUrl);
  try {
    await page.waitForFunction(() => window.nexusStoreHarness !== undefined, undefined, {
      timeout: 15_000,
    });
  } catch (error) {
    throw new Error(`the store harness did not load:\n${problems.join('\n') || String(error)}`);
  }
  return pageErrors;
}

function expectPassed(result: Outcome): void {
  // Compared field by field so a failure prints the message and stack from the page.
  expect(result.error, 'the check failed in the page').toBeUndefined();
  expect(result.leftover, 'the check left a database behind').toBeUndefined();
  expect(result.pageErrors, 'uncaught errors or unhandled rejections in the page').toEqual([]);
}

async function runCase(page: Page, suite: Suite, name: string): Promise<Outcome> {
  const pageErrors = await openHarness(page);
  const result = await page.evaluate(([s, n]) => window.nexusStoreHarness!.runCase(s, n), [
    suite,
    name,
  ] as const);
  return { ...result, pageErrors };
}

async function runCheck(
  page: Page,
  check: Exclude<keyof StoreHarness, 'runCase'>,
): Promise<Outcome> {
  const pageErrors = await openHarness(page);
  const result = await page.evaluate((c) => window.nexusStoreHarness![c](), check);
  return { ...result, pageErrors };
}

test.describe('IdbRegistryStore meets the RegistryStore contract', () => {
  for (const name of registryStoreCaseNames) {
    test(name, async ({ page }) => expectPassed(await runCase(page, 'registry', name)));
  }
});

test.describe('IdbNotesStore meets the NotesStore contract', () => {
  for (const name of notesStoreCaseNames) {
    test(name, async ({ page }) => expectPassed(await runCase(page, 'notes', name)));
  }
});

test.describe('IdbJournalStore meets the JournalStore contract', () => {
  for (const name of journalStoreCaseNames) {
    test(name, async ({ page }) => expectPassed(await runCase(page, 'journal', name)));
  }
});

test.describe('IdbGrantStore meets the GrantStore contract', () => {
  for (const name of grantStoreCaseNames) {
    test(name, async ({ page }) => expectPassed(await runCase(page, 'grants', name)));
  }
});

test.describe('IdbPinStore meets the PinStore contract', () => {
  for (const name of pinStoreCaseNames) {
    test(name, async ({ page }) => expectPassed(await runCase(page, 'pins', name)));
  }
});

test.describe('IdbTokenStore meets the TokenStore contract', () => {
  for (const name of tokenStoreCaseNames) {
    test(name, async ({ page }) => expectPassed(await runCase(page, 'tokens', name)));
  }
});

test.describe('the Nexus database schema', () => {
  test('the hand-written v1 fixture is exactly what migration step 1 builds', async ({ page }) => {
    expectPassed(await runCheck(page, 'v1FixtureMatchesMigrationStep1'));
  });

  test('a database written by schema v1 is readable and writable by the current code', async ({
    page,
  }) => {
    expectPassed(await runCheck(page, 'v1DataIsReadableNow'));
  });

  test('the hand-written v2 fixture is exactly what migration steps 1 and 2 build', async ({
    page,
  }) => {
    expectPassed(await runCheck(page, 'v2FixtureMatchesMigrationSteps1And2'));
  });

  test('a database written by schema v2 is readable and writable by the current code', async ({
    page,
  }) => {
    expectPassed(await runCheck(page, 'v2DataIsReadableNow'));
  });

  test('the hand-written v3 fixture is exactly what migration steps 1 to 3 build', async ({
    page,
  }) => {
    expectPassed(await runCheck(page, 'v3FixtureMatchesMigrationSteps1To3'));
  });

  test('a database written by schema v3 is readable and writable by the current code', async ({
    page,
  }) => {
    expectPassed(await runCheck(page, 'v3DataIsReadableNow'));
  });

  test('the hand-written v4 fixture is exactly what migration steps 1 to 4 build', async ({
    page,
  }) => {
    expectPassed(await runCheck(page, 'v4FixtureMatchesMigrationSteps1To4'));
  });

  test('a database written by schema v4 is readable and writable by the current code', async ({
    page,
  }) => {
    expectPassed(await runCheck(page, 'v4DataIsReadableNow'));
  });

  test('the hand-written v5 fixture is exactly what migration steps 1 to 5 build', async ({
    page,
  }) => {
    expectPassed(await runCheck(page, 'v5FixtureMatchesMigrationSteps1To5'));
  });

  test('an open connection closes itself so a newer version can upgrade', async ({ page }) => {
    expectPassed(await runCheck(page, 'blockingConnectionClosesForUpgrade'));
  });

  test('a database upgraded by a newer Nexus is refused with an actionable error', async ({
    page,
  }) => {
    expectPassed(await runCheck(page, 'newerDatabaseIsRefused'));
  });
});
