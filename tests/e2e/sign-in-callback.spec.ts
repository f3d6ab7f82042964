/**
 * The page an authorization server sends the person back to (`/oauth/callback`, issue 15): in
 * real Chromium under the app's CSP it posts the result on the same-origin BroadcastChannel
 * (src/protocol/sign-in.ts) for Nexus to pick up, passes on only the parameters an authorization
 * response has, takes the code out of the address bar, and closes the window a dashboard opened.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { SIGN_IN_CHANNEL, type SignInCallback } from '../../src/protocol/sign-in.ts';
import { appForThisFile } from './support.ts';

const { app, stops } = appForThisFile();

async function freshContext(browser: import('@playwright/test').Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  stops.push(() => context.close());
  return context;
}

/** A same-origin page that collects what arrives on the sign-in channel. */
async function listener(context: BrowserContext): Promise<{
  page: Page;
  received: () => Promise<SignInCallback[]>;
}> {
  const page = await context.newPage();
  // Any same-origin page will do; the dashboard is the one that will listen.
  await page.goto(app.url);
  await page.evaluate((name) => {
    const seen: unknown[] = [];
    (window as unknown as { nexusSeen: unknown[] }).nexusSeen = seen;
    new BroadcastChannel(name).onmessage = (event) => seen.push(event.data);
  }, SIGN_IN_CHANNEL);
  return {
    page,
    received: () =>
      page.evaluate(() => (window as unknown as { nexusSeen: SignInCallback[] }).nexusSeen),
  };
}

test('the callback hands the code and state to Nexus, clears the address bar, and closes its popup', async ({
  browser,
}) => {
  const context = await freshContext(browser);
  const nexus = await listener(context);
  const errors: string[] = [];
  context.on('weberror', (error) => errors.push(String(error.error())));

  // Opened by the page, as the dashboard opens the authorization popup: script may close it.
  const popupPromise = context.waitForEvent('page');
  await nexus.page.evaluate(() => {
    window.open('about:blank', 'nexus-sign-in');
  });
  const popup = await popupPromise;
  const closed = popup.waitForEvent('close');
  // `commit`: the page closes itself as soon as it has run, before a load event could be awaited.
  await popup.goto(
    `${app.url}/oauth/callback?code=abc&state=st-1&iss=${encodeURIComponent('http://127.0.0.1:9000')}&extra=dropped`,
    { waitUntil: 'commit' },
  );
  await closed;

  await expect.poll(nexus.received).toEqual([
    {
      type: 'nexus/sign-in-callback',
      params: { code: 'abc', state: 'st-1', iss: 'http://127.0.0.1:9000' },
    },
  ]);
  expect(errors).toEqual([]);
});

test('a callback the browser will not close says what happened, without the code in its address', async ({
  browser,
}) => {
  const context = await freshContext(browser);
  const nexus = await listener(context);
  const tab = await context.newPage();
  await tab.goto(
    `${app.url}/oauth/callback?error=access_denied&error_description=${'x'.repeat(10_000)}&state=st-2`,
  );

  await expect(tab.getByRole('status')).toHaveText(/refused the sign-in \(access_denied\)/);
  expect(new URL(tab.url()).search).toBe('');
  const [message] = await nexus.received();
  expect(message?.params.error).toBe('access_denied');
  expect(message?.params.state).toBe('st-2');
  expect(message?.params.error_description).toHaveLength(4_096);
});
