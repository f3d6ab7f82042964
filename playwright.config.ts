import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './scripts/lib.mjs';

/**
 * Browser tests (tests/browser) and end-to-end tests (tests/e2e) against Debian's Chromium; no
 * Playwright browser downloads. There is no `webServer` entry: each test starts the servers it
 * needs through tests/fixtures (free ports on 127.0.0.1) and stops them itself.
 */
export default defineConfig({
  testDir: 'tests',
  testMatch: '**/*.spec.ts',
  // One worker: the machine has two cores and every test already runs Chromium plus one or more
  // Node servers; two workers made timings (reconnect backoff, progress cadence) flaky.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Playwright empties its outputDir on start; a subfolder keeps test-results/vitest.json alive
  // for scripts/test.mjs's summary.
  outputDir: 'test-results/playwright',
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    launchOptions: { executablePath: chromiumPath(), args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
