/**
 * Signing in to servers through the hub (issue 15), in Node against real servers on 127.0.0.1:
 * an MCP server that needs OAuth and its authorization server (tests/fixtures/protected-server.ts).
 * A server that answers 401 waits for the person (`needs-sign-in`, no retry loop, a "Waiting for
 * you" item); Sign in returns the URL the person opens; the callback's code finishes it and the
 * server connects; expired tokens are refreshed once for many concurrent calls; a refused
 * refresh sends the server back to `needs-sign-in` with an error that says so; a call that needs
 * more scope asks the person; Sign out revokes and forgets; tokens stay out of every view.
 */
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { allowAllPolicy, createHub, type Hub } from '../../../../../src/hub/index.ts';
import { NexusErrorCode } from '../../../../../src/protocol/errors.ts';
import { SIGNED_IN_AUTHORIZATION } from '../../../../../src/hub/admin/view-mapping.ts';
import {
  MemoryJournalStore,
  MemoryRegistryStore,
  MemoryTokenStore,
} from '../../../../../src/hub/memory-stores.ts';
import type { ServerView } from '../../../../../src/protocol/views.ts';
import {
  ADMIN_SCOPE,
  startProtectedServer,
  type ProtectedServer,
} from '../../../../fixtures/protected-server.ts';
import { startCountingServer } from '../../../../fixtures/counting-server.ts';
import { until } from '../../../../support/until.ts';

const REDIRECT = 'http://127.0.0.1:4173/oauth/callback';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function protectedServer(
  options: Parameters<typeof startProtectedServer>[0] = {},
): Promise<ProtectedServer> {
  const server = await startProtectedServer(options);
  cleanups.push(() => server.stop());
  return server;
}

async function hubWith(
  tokens = new MemoryTokenStore(),
  journal = new MemoryJournalStore(),
  registry = new MemoryRegistryStore(),
) {
  const hub = await createHub({
    policy: allowAllPolicy,
    registry,
    startupGraceMs: 0,
    backoff: { baseMs: 50, maxMs: 100 },
    journal,
    signIn: { redirectUrl: REDIRECT, tokens },
  });
  cleanups.push(() => hub.close());
  return hub;
}

function view(hub: Hub, id: string): ServerView {
  const found = hub.admin.listServers().find((server) => server.id === id);
  if (!found) throw new Error(`no server ${id}`);
  return found;
}

async function state(hub: Hub, id: string, wanted: ServerView['status']['state']) {
  await until(
    () => view(hub, id).status.state === wanted,
    `server state ${wanted} (is ${view(hub, id).status.state})`,
    5_000,
  );
  return view(hub, id);
}

async function addProtected(hub: Hub, server: ProtectedServer): Promise<string> {
  const added = await hub.admin.addServer({
    name: 'Protected',
    slug: 'protected',
    url: server.url,
    transport: 'streamable-http',
    headers: [],
  });
  return added.id;
}

/** Plays the person: opens the authorization URL; the fixture approves and sends them back. */
async function signInAsThePerson(hub: Hub, id: string): Promise<Record<string, string>> {
  const { authorizationUrl } = await hub.admin.startSignIn(id);
  expect(authorizationUrl).toBeDefined();
  const response = await fetch(authorizationUrl!, { redirect: 'manual' });
  const back = new URL(response.headers.get('location')!);
  expect(back.origin + back.pathname).toBe(REDIRECT);
  return Object.fromEntries(back.searchParams);
}

async function signedIn(hub: Hub, id: string): Promise<void> {
  const outcome = await hub.finishSignIn(await signInAsThePerson(hub, id));
  expect(outcome).toEqual({ serverId: id });
  await state(hub, id, 'ready');
}

/** A hub with the protected server added and signed in to, as the person would have. */
async function signedInWorld(
  options: Parameters<typeof startProtectedServer>[0] = {},
  registry = new MemoryRegistryStore(),
) {
  const server = await protectedServer(options);
  const tokens = new MemoryTokenStore();
  const hub = await hubWith(tokens, new MemoryJournalStore(), registry);
  const id = await addProtected(hub, server);
  await state(hub, id, 'needs-sign-in');
  await signedIn(hub, id);
  return { server, tokens, hub, id };
}

async function clientOf(hub: Hub): Promise<Client> {
  const [clientSide, hubSide] = InMemoryTransport.createLinkedPair();
  await hub.connect(hubSide, {
    origin: 'http://127.0.0.1',
    clientName: 'test-client',
    sessionId: crypto.randomUUID(),
  });
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(clientSide);
  cleanups.push(() => client.close());
  return client;
}

describe('signing in to a server', () => {
  it('waits for the person on a 401, then connects with the code the callback hands back', async () => {
    const server = await protectedServer();
    const journal = new MemoryJournalStore();
    const hub = await hubWith(new MemoryTokenStore(), journal);
    const id = await addProtected(hub, server);

    const waiting = await state(hub, id, 'needs-sign-in');
    expect(waiting.signIn).toEqual({ signedIn: false });
    const refusedSoFar = server.counts.unauthorized;
    // No retry loop: nothing more reaches the server while it waits for the person.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(server.counts.unauthorized).toBe(refusedSoFar);
    expect(hub.admin.listSignInRequests()).toEqual([
      expect.objectContaining({ serverId: id, serverSlug: 'protected' }),
    ]);

    await signedIn(hub, id);
    expect(hub.admin.listSignInRequests()).toEqual([]);
    expect(view(hub, id).signIn).toMatchObject({
      signedIn: true,
      identity: 'dynamic-registration',
      issuer: server.oauth.issuer,
    });
    // A dashboard watches: the Inspector records, and its cURL lines must not carry the token.
    const unwatch = hub.recorder.inspector.watch();
    cleanups.push(async () => unwatch());
    const client = await clientOf(hub);
    const result = await client.callTool({ name: 'protected__whoami', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'signed in' }]);
    expect(server.oauth.counts.registrations).toBe(1);

    // Tokens are nowhere a view, the audit journal or an export can show.
    // Through the audit journal, which writes what is still pending first: the store alone
    // would miss an event recorded less than its 100 ms batch ago (a race CI lost once).
    const events =
      (await hub.consentAdmin?.auditEvents({})) ?? (await hub.audit.events('security', 100));
    const seen = JSON.stringify([
      hub.admin.listServers(),
      hub.admin.serverDetail(id),
      events,
      await hub.admin.exportConfig('mcpServers'),
      hub.admin.traffic(0),
      hub.admin.traffic(0).map((entry) => hub.admin.trafficDetail(entry.seq)),
    ]);
    const curls = hub.admin
      .traffic(0)
      .map((entry) => hub.admin.trafficDetail(entry.seq)?.curl)
      .filter((curl) => curl !== undefined);
    expect(curls.length).toBeGreaterThan(0);
    for (const curl of curls) expect(curl).toContain(SIGNED_IN_AUTHORIZATION);
    for (const token of server.oauth.issued()) expect(seen).not.toContain(token);
    expect(events.map((event) => event.event)).toContain('signed-in');
  });

  it('ignores a callback whose state is not a sign-in under way, and says why a refused one failed', async () => {
    const server = await protectedServer();
    const hub = await hubWith();
    const id = await addProtected(hub, server);
    await state(hub, id, 'needs-sign-in');
    const params = await signInAsThePerson(hub, id);

    expect(await hub.finishSignIn({ ...params, state: 'forged' })).toEqual({
      error: expect.stringMatching(/No sign-in under way/),
    });
    expect(await hub.finishSignIn({ code: 'x' })).toEqual({ error: expect.any(String) });
    const denied = await hub.finishSignIn({ state: params.state!, error: 'access_denied' });
    expect(denied.error).toBe("Signing in to server 'protected' did not complete: access_denied");
    // The flow ended: the same answer does not count twice.
    expect((await hub.finishSignIn(params)).error).toMatch(/No sign-in under way/);
    expect(view(hub, id).status).toEqual({
      state: 'needs-sign-in',
      reason: 'signing in did not complete: access_denied',
    });
  });

  it('refreshes expired tokens once for many concurrent calls, and keeps the sign-in across a restart', async () => {
    const registry = new MemoryRegistryStore();
    const { server, tokens, hub, id } = await signedInWorld({ accessTokenSeconds: 3600 }, registry);
    const clients = await Promise.all([clientOf(hub), clientOf(hub), clientOf(hub)]);

    server.oauth.expireAccessTokens();
    const results = await Promise.all(
      clients.flatMap((client) =>
        [1, 2, 3].map(() => client.callTool({ name: 'protected__whoami', arguments: {} })),
      ),
    );
    expect(results.every((result) => !result.isError)).toBe(true);
    expect(server.oauth.counts.refreshes).toBe(1);
    expect(server.oauth.counts.reusedRefreshTokens).toBe(0);

    // A new hub on the same store is signed in from the start.
    await hub.close();
    const again = await hubWith(tokens, new MemoryJournalStore(), registry);
    await state(again, id, 'ready');
    expect(server.oauth.counts.codes).toBe(1);
  });

  it('sends the server back to needs-sign-in when the refresh is refused, and the client hears why', async () => {
    const { server, tokens, hub, id } = await signedInWorld();
    const client = await clientOf(hub);

    // The refresh token is spent elsewhere (as a rotation by another device would).
    const record = await tokens.get(id);
    await fetch(`${server.oauth.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: record!.tokens!.refresh_token!,
      }),
    });
    server.oauth.expireAccessTokens();
    const failed = await client.callTool({ name: 'protected__whoami', arguments: {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(String(failed)).toMatch(/Server 'protected' needs you to sign in/);
    expect(String(failed)).toMatch(/Sign in to it from Nexus/);
    expect(failed).toMatchObject({ code: NexusErrorCode.SignInRequired });
    const back = await state(hub, id, 'needs-sign-in');
    expect(back.status).toMatchObject({ reason: expect.stringMatching(/refused to refresh/) });
  });

  it('asks the person when a call needs more scope, and the next sign-in asks for it', async () => {
    const { hub, id } = await signedInWorld({ scopes: ['read', ADMIN_SCOPE] });
    const client = await clientOf(hub);

    const refused = await client.callTool({ name: 'protected__admin_report', arguments: {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(String(refused)).toMatch(
      /refused tool 'admin_report': it needs more access \(scope admin\)/,
    );
    expect(refused).toMatchObject({ code: NexusErrorCode.SignInRequired });
    expect(view(hub, id).signIn?.wantsScope).toBe(ADMIN_SCOPE);
    expect(hub.admin.listSignInRequests()).toEqual([
      expect.objectContaining({ serverId: id, reason: expect.stringMatching(/more access/) }),
    ]);

    const { authorizationUrl } = await hub.admin.startSignIn(id);
    expect(new URL(authorizationUrl!).searchParams.get('scope')?.split(' ')).toContain(ADMIN_SCOPE);
    const response = await fetch(authorizationUrl!, { redirect: 'manual' });
    const params = Object.fromEntries(new URL(response.headers.get('location')!).searchParams);
    expect(await hub.finishSignIn(params)).toEqual({ serverId: id });
    await state(hub, id, 'ready');
    const result = await client.callTool({ name: 'protected__admin_report', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'the admin report' }]);
    expect(hub.admin.listSignInRequests()).toEqual([]);
  });

  it('signs out: revokes at the authorization server, forgets the tokens, and waits for a sign-in again', async () => {
    const { server, tokens, hub, id } = await signedInWorld();

    await hub.admin.signOut(id);
    expect(server.oauth.counts.revocations).toBe(2);
    expect(await tokens.get(id)).toBeUndefined();
    await state(hub, id, 'needs-sign-in');
    expect(view(hub, id).signIn).toEqual({ signedIn: false });
  });

  it('names the endpoint of the sign-in that could not be reached, in the error and the status', async () => {
    const server = await protectedServer();
    const hub = await hubWith();
    const id = await addProtected(hub, server);
    await state(hub, id, 'needs-sign-in');
    const params = await signInAsThePerson(hub, id);
    // The authorization server goes away between the consent page and the code's exchange.
    await server.oauth.close();

    const outcome = await hub.finishSignIn(params);
    expect(outcome.error).toBe(
      `Signing in to server 'protected' failed: nothing answers at the authorization server's token endpoint (${server.oauth.issuer}/token)`,
    );
    expect(view(hub, id).status).toEqual({
      state: 'needs-sign-in',
      reason: `signing in failed: nothing answers at the authorization server's token endpoint (${server.oauth.issuer}/token)`,
    });
    // A hub that knows nothing of the server yet must discover its authorization server first.
    const fresh = await hubWith();
    const freshId = await addProtected(fresh, server);
    await state(fresh, freshId, 'needs-sign-in');
    await expect(fresh.admin.startSignIn(freshId)).rejects.toThrow(
      /^Signing in to server 'protected' could not start: nothing answers at the server's protected resource metadata/,
    );
  });

  it('has the connection doctor check what signing in needs, and name what it cannot reach', async () => {
    const server = await protectedServer();
    const hub = await hubWith();
    const id = await addProtected(hub, server);
    await state(hub, id, 'needs-sign-in');
    const page = { origin: 'http://127.0.0.1:4173', protocol: 'http:' };

    const fine = await hub.admin.diagnoseServer(id, page);
    expect(fine.findings.at(-1)).toMatchObject({ check: 'sign-in', ok: true });
    expect(fine.summary).toMatch(/press Sign in/);

    await server.oauth.close();
    const broken = await hub.admin.diagnoseServer(id, page);
    expect(broken.findings.at(-1)).toMatchObject({ check: 'sign-in', ok: false, problem: 'auth' });
    expect(broken.summary).toBe(
      `${new URL(server.url).host} asks to sign in with OAuth, but nothing answers at the server's protected resource metadata (${server.oauth.issuer}/.well-known/oauth-protected-resource).`,
    );
  });

  it('does not send a sign-in to another server when the entry is edited to point there', async () => {
    const first = await protectedServer();
    const second = await protectedServer();
    const tokens = new MemoryTokenStore();
    const hub = await hubWith(tokens);
    const id = await addProtected(hub, first);
    await state(hub, id, 'needs-sign-in');
    await signedIn(hub, id);

    await hub.admin.editServer(id, { url: second.url });
    await state(hub, id, 'needs-sign-in');
    expect(second.counts.unauthorized).toBeGreaterThan(0);
    for (const token of first.oauth.issued()) expect(second.presented.has(token)).toBe(false);
    expect(view(hub, id).signIn).toEqual({ signedIn: false });
  });

  it('says a 401 without OAuth may want a token of its own, in the status and the doctor', async () => {
    const guarded = await startCountingServer({ bearer: 'letmein' });
    cleanups.push(() => guarded.stop());
    const hub = await hubWith();
    const added = await hub.admin.addServer({
      name: 'Guarded',
      slug: 'guarded',
      url: guarded.url,
      transport: 'streamable-http',
      headers: [],
    });
    const waiting = await state(hub, added.id, 'needs-sign-in');
    expect(waiting.status).toMatchObject({
      reason: 'the server asks to sign in, or for an Authorization header if it takes a token',
    });
    const diagnosis = await hub.admin.diagnoseServer(added.id, {
      origin: 'http://127.0.0.1:4173',
      protocol: 'http:',
    });
    const origin = new URL(guarded.url).origin;
    expect(diagnosis.findings.at(-1)).toMatchObject({
      check: 'sign-in',
      ok: false,
      detail: `${new URL(guarded.url).host} asks to sign in with OAuth, but ${origin}/.well-known/oauth-authorization-server answered 404.`,
      fix: expect.stringMatching(/add it as an Authorization header of this server/),
    });
  });

  it('does not send tokens to a revocation endpoint that is not https', async () => {
    const journal = new MemoryJournalStore();
    const server = await protectedServer({ revocationEndpoint: 'http://revoke.example/revoke' });
    const hub = await hubWith(new MemoryTokenStore(), journal);
    const id = await addProtected(hub, server);
    await state(hub, id, 'needs-sign-in');
    await signedIn(hub, id);

    await hub.admin.signOut(id);
    await state(hub, id, 'needs-sign-in');
    expect(view(hub, id).signIn).toEqual({ signedIn: false });
    const events = await hub.audit.events('security', 50);
    expect(events.map((event) => event.detail)).toContain(
      "Server 'protected': its revocation endpoint (http://revoke.example/revoke) is not https, so the tokens were not sent there; they are forgotten here.",
    );
  });

  it('leaves a server with its own Authorization header alone: a 401 is an error about that header', async () => {
    const server = await protectedServer();
    const hub = await hubWith();
    const added = await hub.admin.addServer({
      name: 'Static',
      slug: 'static',
      url: server.url,
      transport: 'streamable-http',
      headers: [{ name: 'Authorization', value: 'Bearer nope', secret: true }],
    });
    const failed = await state(hub, added.id, 'error');
    expect(failed.signIn).toBeUndefined();
    expect(failed.status).toMatchObject({ reason: expect.stringMatching(/401/) });
    await expect(hub.admin.startSignIn(added.id)).rejects.toThrow(/own Authorization header/);
  });
});
