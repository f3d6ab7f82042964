/**
 * One server's sign-in as the SDK's OAuthClientProvider (src/hub/upstream/auth/sign-in.ts): what
 * the SDK saves survives a new provider on the same store (a hub restart), a flow under way keeps
 * its state, PKCE verifier and authorization URL until tokens arrive, the client identity follows
 * the spec's order, tokens and registrations are bound to the authorization server that issued
 * them, and concurrent saves lose nothing.
 */
import { describe, expect, it } from 'vitest';
import { MemoryTokenStore } from '../../../../../src/hub/memory-stores.ts';
import type { Ids, TokenStore } from '../../../../../src/hub/ports.ts';
import { ServerSignIn, type SignInOptions } from '../../../../../src/hub/upstream/auth/sign-in.ts';
import { FakeClock } from '../../../../support/fake-clock.ts';

const ISSUER = 'http://127.0.0.1:9000';
const REDIRECT = 'http://127.0.0.1:4173/oauth/callback';

function counter(): Ids {
  let n = 0;
  return { next: () => `id-${++n}` };
}

function signIn(
  store: TokenStore,
  extra: Partial<SignInOptions> = {},
): { provider: ServerSignIn; asked: string[]; clock: FakeClock } {
  const asked: string[] = [];
  const clock = (extra.clock as FakeClock | undefined) ?? new FakeClock();
  const provider = new ServerSignIn({
    serverId: 'srv',
    store,
    clock,
    ids: counter(),
    redirectUrl: REDIRECT,
    needsSignIn: (url) => asked.push(url),
    ...extra,
  });
  return { provider, asked, clock };
}

describe('a server sign-in', () => {
  it('keeps a flow under way until tokens arrive, and the tokens across a restart', async () => {
    const store = new MemoryTokenStore();
    const clock = new FakeClock();
    const { provider, asked } = signIn(store, { clock });

    const state = await provider.state();
    await provider.saveCodeVerifier('verifier-1');
    const url = new URL(`${ISSUER}/authorize?client_id=c&state=${state}`);
    await provider.redirectToAuthorization(url);
    expect(asked).toEqual([url.href]);
    expect(await provider.pending()).toEqual({
      state,
      codeVerifier: 'verifier-1',
      authorizationUrl: url.href,
      startedAt: clock.now(),
    });

    // The hub restarts while the person signs in: the verifier is still there for the code.
    const restarted = signIn(store, { clock }).provider;
    expect(await restarted.codeVerifier()).toBe('verifier-1');

    await clock.advance(1_000);
    await restarted.saveTokens({
      access_token: 'a1',
      token_type: 'Bearer',
      expires_in: 60,
      refresh_token: 'r1',
      issuer: ISSUER,
    });
    expect(await restarted.pending()).toBeUndefined();
    await expect(restarted.codeVerifier()).rejects.toThrow(/press Sign in again/);

    const later = signIn(store, { clock }).provider;
    expect((await later.tokens())?.access_token).toBe('a1');
    expect(await later.expiresAt()).toBe(clock.now() + 60_000);
  });

  it('binds tokens and registrations to the authorization server that issued them', async () => {
    const { provider } = signIn(new MemoryTokenStore());
    await provider.saveClientInformation({ client_id: 'dyn-1' }, { issuer: ISSUER });
    await provider.saveTokens({ access_token: 'a1', token_type: 'Bearer', issuer: ISSUER });

    expect(await provider.clientInformation({ issuer: ISSUER })).toEqual({ client_id: 'dyn-1' });
    expect(await provider.clientInformation({ issuer: 'http://127.0.0.1:9999' })).toBeUndefined();
    expect((await provider.tokens({ issuer: ISSUER }))?.access_token).toBe('a1');
    expect(await provider.tokens({ issuer: 'http://127.0.0.1:9999' })).toBeUndefined();
    // Before each request the SDK asks without an issuer: the last saved set.
    expect((await provider.tokens())?.access_token).toBe('a1');
  });

  it('says how it identified itself, in the spec’s order: pre-registered, metadata document, registration', async () => {
    const store = new MemoryTokenStore();
    const preRegistered = signIn(store, {
      client: { id: 'set-on-entry', secret: 'shh' },
      clientMetadataUrl: 'https://nexus.example/oauth/client-metadata.json',
    }).provider;
    expect(preRegistered.identity()).toBe('pre-registered');
    expect(await preRegistered.clientInformation({ issuer: ISSUER })).toEqual({
      client_id: 'set-on-entry',
      client_secret: 'shh',
    });
    expect(preRegistered.clientMetadata.token_endpoint_auth_method).toBe('client_secret_basic');

    const https = signIn(store, {
      clientMetadataUrl: 'https://nexus.example/oauth/client-metadata.json',
    }).provider;
    // Which one was used is what the SDK saved: nothing before a sign-in; the document's URL as
    // client id where the authorization server takes it; else a registered one.
    expect(https.identity()).toBeUndefined();
    await https.saveClientInformation(
      { client_id: 'https://nexus.example/oauth/client-metadata.json' },
      { issuer: ISSUER },
    );
    expect(https.identity()).toBe('metadata-document');
    await https.saveClientInformation({ client_id: 'dyn-1' }, { issuer: ISSUER });
    expect(https.identity()).toBe('dynamic-registration');
    expect(https.clientMetadata).toMatchObject({
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
    });

    // The SDK refuses a metadata document URL that is not https with a path: none is offered.
    const plain = signIn(store, {
      clientMetadataUrl: 'http://127.0.0.1:4173/oauth/client-metadata.json',
    }).provider;
    expect(plain.clientMetadataUrl).toBeUndefined();
    await plain.saveClientInformation(
      { client_id: 'http://127.0.0.1:4173/oauth/client-metadata.json' },
      { issuer: ISSUER },
    );
    expect(plain.identity()).toBe('dynamic-registration');
  });

  it('invalidates what the SDK names, and signing out forgets it all', async () => {
    const store = new MemoryTokenStore();
    const { provider } = signIn(store);
    await provider.saveClientInformation({ client_id: 'dyn-1' }, { issuer: ISSUER });
    await provider.saveTokens({ access_token: 'a1', token_type: 'Bearer', issuer: ISSUER });
    await provider.saveDiscoveryState({ authorizationServerUrl: ISSUER });

    await provider.invalidateCredentials('tokens');
    expect(await provider.tokens()).toBeUndefined();
    expect(await provider.clientInformation({ issuer: ISSUER })).toEqual({ client_id: 'dyn-1' });
    expect(await provider.discoveryState()).toEqual({ authorizationServerUrl: ISSUER });

    await provider.forget();
    expect(await store.get('srv')).toBeUndefined();
    expect(await provider.clientInformation({ issuer: ISSUER })).toBeUndefined();
    expect(await signIn(store).provider.discoveryState()).toBeUndefined();
  });

  it('loses no save when the SDK saves several things at once', async () => {
    const store = new MemoryTokenStore();
    const { provider } = signIn(store);
    await Promise.all([
      provider.saveClientInformation({ client_id: 'dyn-1' }, { issuer: ISSUER }),
      provider.saveTokens({ access_token: 'a1', token_type: 'Bearer', issuer: ISSUER }),
      provider.saveDiscoveryState({ authorizationServerUrl: ISSUER }),
      provider.saveCodeVerifier('v'),
    ]);
    const stored = await store.get('srv');
    expect(stored?.clients).toEqual([{ issuer: ISSUER, information: { client_id: 'dyn-1' } }]);
    expect(stored?.tokens?.access_token).toBe('a1');
    expect(stored?.discovery).toEqual({ authorizationServerUrl: ISSUER });
    expect(stored?.pending?.codeVerifier).toBe('v');
  });
});
