/**
 * The transport's side of a sign-in (src/hub/upstream/auth/signed-in.ts) against a real OAuth
 * authorization server on 127.0.0.1 (tests/fixtures/oauth-server.ts) that rotates refresh tokens:
 * the SDK's `auth()` signs in through it (discovery, registration, PKCE, the code), and every
 * refresh of a server is one flight, whether many requests got a 401 at once, the token is about
 * to expire, or two hubs of one browser share the store. A refresh that fails sends the server
 * back to "sign in".
 */
import { auth, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryTokenStore } from '../../../../../src/hub/memory-stores.ts';
import type { TokenStore } from '../../../../../src/hub/ports.ts';
import { ServerSignIn } from '../../../../../src/hub/upstream/auth/sign-in.ts';
import {
  REFRESH_AHEAD_MS,
  SignedIn,
  SignInNeeded,
  type Exclusive,
} from '../../../../../src/hub/upstream/auth/signed-in.ts';
import { startOAuthServer, type OAuthFixture } from '../../../../fixtures/oauth-server.ts';
import { FakeClock } from '../../../../support/fake-clock.ts';

const REDIRECT = 'http://127.0.0.1:4173/oauth/callback';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function fixture(): Promise<OAuthFixture> {
  const server = await startOAuthServer({ accessTokenSeconds: 600 });
  stops.push(() => server.close());
  return server;
}

interface Hub {
  signIn: ServerSignIn;
  signedIn: SignedIn;
  asked: string[];
}

let ids = 0;

function hub(
  server: OAuthFixture,
  store: TokenStore,
  clock: FakeClock,
  exclusive?: Exclusive,
): Hub {
  const asked: string[] = [];
  const signIn = new ServerSignIn({
    serverId: 'srv',
    store,
    clock,
    ids: { next: () => `state-${++ids}` },
    redirectUrl: REDIRECT,
    needsSignIn: (url) => asked.push(url),
  });
  const signedIn = new SignedIn({
    signIn,
    serverId: 'srv',
    serverUrl: `${server.issuer}/mcp`,
    clock,
    ...(exclusive ? { exclusive } : {}),
  });
  return { signIn, signedIn, asked };
}

/** Plays the person: opens the authorization URL, and hands the code back as the callback would. */
async function signInAsThePerson(server: OAuthFixture, h: Hub): Promise<void> {
  const serverUrl = `${server.issuer}/mcp`;
  expect(await auth(h.signIn, { serverUrl })).toBe('REDIRECT');
  const authorizationUrl = h.asked.at(-1)!;
  const response = await fetch(authorizationUrl, { redirect: 'manual' });
  const back = new URL(response.headers.get('location')!);
  expect(back.origin + back.pathname).toBe(REDIRECT);
  expect(back.searchParams.get('state')).toBe((await h.signIn.pending())?.state);
  const code = back.searchParams.get('code')!;
  // The fixture names itself in the answer (RFC 9207), as its metadata says it does.
  const iss = back.searchParams.get('iss') ?? undefined;
  expect(await auth(h.signIn, { serverUrl, authorizationCode: code, iss })).toBe('AUTHORIZED');
}

function unauthorized(): { response: Response; serverUrl: URL; fetchFn: typeof fetch } {
  return {
    response: new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer' } }),
    serverUrl: new URL('http://127.0.0.1/mcp'),
    fetchFn: fetch,
  };
}

/** A lock held by one task at a time, as Web Locks would give across hubs. */
function oneAtATime(): Exclusive {
  let tail: Promise<unknown> = Promise.resolve();
  return (_name, task) => {
    const run = tail.then(task);
    tail = run.catch(() => undefined);
    return run;
  };
}

describe('a signed-in server', () => {
  it('signs in through the SDK, then serves a token the server accepts', async () => {
    const server = await fixture();
    const h = hub(server, new MemoryTokenStore(), new FakeClock());
    await signInAsThePerson(server, h);
    expect(server.counts.registrations).toBe(1);
    expect(server.accepts(await h.signedIn.token())).toBe(true);
  });

  it('refreshes once when three requests get a 401 at the same time', async () => {
    const server = await fixture();
    const h = hub(server, new MemoryTokenStore(), new FakeClock());
    await signInAsThePerson(server, h);
    const before = await h.signedIn.token();

    await Promise.all([1, 2, 3].map(() => h.signedIn.onUnauthorized(unauthorized())));
    expect(server.counts.refreshes).toBe(1);
    expect(server.counts.reusedRefreshTokens).toBe(0);
    const after = await h.signedIn.token();
    expect(after).not.toBe(before);
    expect(server.accepts(after)).toBe(true);
  });

  it('refreshes once, before the token expires, when three requests start at once', async () => {
    const server = await fixture();
    const clock = new FakeClock();
    const h = hub(server, new MemoryTokenStore(), clock);
    await signInAsThePerson(server, h);
    const first = await h.signedIn.token();
    expect(server.counts.refreshes).toBe(0);

    await clock.advance(600_000 - REFRESH_AHEAD_MS);
    const tokens = await Promise.all([1, 2, 3].map(() => h.signedIn.token()));
    expect(server.counts.refreshes).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
  });

  it('refreshes once when two hubs of one browser get a 401 together', async () => {
    const server = await fixture();
    const store = new MemoryTokenStore();
    const clock = new FakeClock();
    const lock = oneAtATime();
    const first = hub(server, store, clock, lock);
    await signInAsThePerson(server, first);
    const second = hub(server, store, clock, lock);
    await second.signedIn.token(); // the second hub has read the same tokens

    await Promise.all([
      first.signedIn.onUnauthorized(unauthorized()),
      second.signedIn.onUnauthorized(unauthorized()),
    ]);
    expect(server.counts.refreshes).toBe(1);
    expect(server.counts.reusedRefreshTokens).toBe(0);
    expect(await second.signedIn.token()).toBe(await first.signedIn.token());
    expect(server.accepts(await second.signedIn.token())).toBe(true);
  });

  it('asks the person to sign in again when the refresh token no longer works', async () => {
    const server = await fixture();
    const h = hub(server, new MemoryTokenStore(), new FakeClock());
    await signInAsThePerson(server, h);
    // Someone else used the refresh token (a copy elsewhere): it is spent.
    const stolen = (await h.signIn.tokens())!.refresh_token!;
    await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stolen }),
    });
    const asked = h.asked.length;

    const failed = h.signedIn.onUnauthorized(unauthorized());
    await expect(failed).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(failed).rejects.toBeInstanceOf(SignInNeeded);
    await expect(failed).rejects.toThrow(/refused to refresh the sign-in/);
    expect(h.asked.length).toBe(asked + 1);
    expect((await h.signIn.pending())?.authorizationUrl).toBe(h.asked.at(-1));
  });
});
