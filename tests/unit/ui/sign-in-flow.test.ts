/**
 * Signing in from the dashboard: the popup opens in the click's own task (a popup opened after an
 * await is blocked), the hub is asked after, and whatever it answers ends in one of four outcomes
 * the buttons show: the popup on the authorization page, signed in without the person, a link
 * to open by hand, or an error in words.
 */
import { describe, expect, it } from 'vitest';
import type { ServerView } from '../../../src/protocol/views.ts';
import {
  SIGN_IN_POPUP_FEATURES,
  signInWithPopup,
  usesSignIn,
  wantsSignIn,
  webAddress,
  type OpenWindow,
  type PopupWindow,
} from '../../../src/ui/state/sign-in-flow.ts';

const server = { id: 's1', name: 'GitHub' };
const AUTHORIZE = 'https://auth.example.com/authorize?client_id=nexus&state=xyz';

class FakePopup implements PopupWindow {
  closed = false;
  opener: unknown = {};
  location = { href: 'about:blank' };
  close(): void {
    this.closed = true;
  }
}

/** A browser that records what was opened, in order with the hub's calls. */
function browser(popup: FakePopup | null | 'throws' = new FakePopup()) {
  const log: string[] = [];
  const open: OpenWindow = (url, target, features) => {
    log.push(`open ${url} ${target} ${features}`);
    if (popup === 'throws') throw new Error('blocked');
    return popup;
  };
  return { log, open };
}

function hub(answer: () => Promise<{ authorizationUrl?: string }>, log: string[]) {
  return (serverId: string) => {
    log.push(`start ${serverId}`);
    return answer();
  };
}

describe('signing in with a popup', () => {
  it('opens the popup synchronously, before the hub is asked, and sends it to the authorization page', async () => {
    const popup = new FakePopup();
    const { log, open } = browser(popup);
    let answer!: (value: { authorizationUrl?: string }) => void;
    const pending = signInWithPopup(
      server,
      open,
      hub(() => new Promise((resolve) => (answer = resolve)), log),
    );
    // Still inside the click's task: the popup is already open, blank.
    expect(log).toEqual([
      `open about:blank nexus-sign-in-s1 ${SIGN_IN_POPUP_FEATURES}`,
      'start s1',
    ]);
    expect(popup.location.href).toBe('about:blank');
    answer({ authorizationUrl: AUTHORIZE });
    await expect(pending).resolves.toEqual({ kind: 'opened' });
    expect(popup.location.href).toBe(AUTHORIZE);
    expect(popup.closed).toBe(false);
  });

  it('cuts the popup off from the dashboard (no opener for a third-party page)', async () => {
    const popup = new FakePopup();
    const { log, open } = browser(popup);
    await signInWithPopup(
      server,
      open,
      hub(async () => ({ authorizationUrl: AUTHORIZE }), log),
    );
    expect(popup.opener).toBeNull();
  });

  it('closes the popup when the hub signed in without the person', async () => {
    const popup = new FakePopup();
    const { log, open } = browser(popup);
    await expect(
      signInWithPopup(
        server,
        open,
        hub(async () => ({}), log),
      ),
    ).resolves.toEqual({
      kind: 'signed-in',
    });
    expect(popup.closed).toBe(true);
  });

  it('still asks the hub when the browser blocked the popup, and offers the page as a link', async () => {
    for (const blocked of [null, 'throws'] as const) {
      const { log, open } = browser(blocked);
      await expect(
        signInWithPopup(
          server,
          open,
          hub(async () => ({ authorizationUrl: AUTHORIZE }), log),
        ),
      ).resolves.toEqual({ kind: 'link', url: AUTHORIZE });
      expect(log).toContain('start s1');
    }
  });

  it('offers a link when the person closed the popup before the hub answered', async () => {
    const popup = new FakePopup();
    const { log, open } = browser(popup);
    const outcome = signInWithPopup(
      server,
      open,
      hub(async () => {
        popup.close();
        return { authorizationUrl: AUTHORIZE };
      }, log),
    );
    await expect(outcome).resolves.toEqual({ kind: 'link', url: AUTHORIZE });
  });

  it("closes the popup on a refusal and passes on the hub's words", async () => {
    const popup = new FakePopup();
    const { log, open } = browser(popup);
    const why =
      "Server 'github': https://auth.example.com/token refused the request (no Access-Control-Allow-Origin).";
    await expect(
      signInWithPopup(
        server,
        open,
        hub(() => Promise.reject(new Error(why)), log),
      ),
    ).resolves.toEqual({ kind: 'error', message: why });
    expect(popup.closed).toBe(true);
  });

  it('names the server when the hub gave no reason', async () => {
    const { log, open } = browser();
    const outcome = await signInWithPopup(
      server,
      open,
      hub(() => Promise.reject(new Error('')), log),
    );
    expect(outcome).toMatchObject({ kind: 'error', message: expect.stringContaining("'GitHub'") });
  });

  it('never navigates the blank popup (which runs as Nexus) to a script address', async () => {
    const popup = new FakePopup();
    const { log, open } = browser(popup);
    const outcome = await signInWithPopup(
      server,
      open,
      hub(async () => ({ authorizationUrl: 'javascript:alert(document.domain)' }), log),
    );
    expect(outcome).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('javascript:'),
    });
    expect(popup.location.href).toBe('about:blank');
    expect(popup.closed).toBe(true);
  });
});

describe('which addresses the popup may open', () => {
  it('takes http and https, and nothing else', () => {
    expect(webAddress(AUTHORIZE)).toBe(AUTHORIZE);
    expect(webAddress('http://127.0.0.1:9000/authorize')).toBe('http://127.0.0.1:9000/authorize');
    expect(webAddress('javascript:alert(1)')).toBeUndefined();
    expect(webAddress('data:text/html,<script>1</script>')).toBeUndefined();
    expect(webAddress('/relative')).toBeUndefined();
  });
});

describe('when the dashboard offers Sign in', () => {
  type Facts = Pick<ServerView, 'kind' | 'status' | 'signIn'>;
  const remote = (facts: Partial<Facts>): Facts => ({
    kind: 'remote',
    status: { state: 'ready' },
    ...facts,
  });

  it('asks for a sign-in when the server answered 401 or a call needed more access', () => {
    expect(
      wantsSignIn(remote({ status: { state: 'needs-sign-in', reason: 'no sign-in yet' } })),
    ).toBe(true);
    expect(wantsSignIn(remote({ signIn: { signedIn: true, wantsScope: 'repo' } }))).toBe(true);
    expect(wantsSignIn(remote({ signIn: { signedIn: true } }))).toBe(false);
    expect(
      wantsSignIn(
        remote({ status: { state: 'disabled' }, signIn: { signedIn: true, wantsScope: 'repo' } }),
      ),
    ).toBe(false);
  });

  it('shows nothing about signing in for a server that never asked for one', () => {
    // The hub gives every remote server without an Authorization header a `signIn` view.
    expect(usesSignIn(remote({ signIn: { signedIn: false } }))).toBe(false);
    expect(usesSignIn(remote({ signIn: { signedIn: true } }))).toBe(true);
    expect(usesSignIn(remote({ signIn: { signedIn: false, identity: 'pre-registered' } }))).toBe(
      true,
    );
    expect(usesSignIn({ kind: 'stdio', status: { state: 'ready' } })).toBe(false);
  });
});
