/**
 * The hub's sign-ins to remote servers (OAuth 2.1): one `ServerSignIn` (what is stored) and one
 * `SignedIn` (what the transport asks) per server that signs in, i.e. a remote server without
 * an Authorization header of its own. The SDK's `auth()` does the protocol; this room decides
 * WHEN: a flow starts only when the person presses Sign in (`start`), finishes when the callback
 * page hands back the code (`finish`), and ends with Sign out (`signOut`, RFC 7009 revocation
 * when offered). What it knows of each server is in `view`, never a token.
 */
import {
  auth,
  computeScopeUnion,
  isStrictScopeSuperset,
  type AuthProvider,
  type FetchLike,
} from '@modelcontextprotocol/client';
import type { JournalEvent } from '../../../protocol/consent.ts';
import type { SignInView } from '../../../protocol/views.ts';
import type { Upstream } from '../upstream.ts';
import type { Clock, Ids, RemoteServerEntry, ServerEntry, TokenStore } from '../../ports.ts';
import { SignInRequests } from '../../person/sign-in-requests.ts';
import { endpointProblem, explainingFetch } from './endpoints.ts';
import { revokeTokens } from './revoke.ts';
import { ServerSignIn } from './sign-in.ts';
import { SignedIn, type Challenge, type Exclusive } from './signed-in.ts';

/** What a deployment sets for sign-ins (`HubOptions.signIn`). */
export interface SignInSettings {
  /** Where sign-ins are kept (IndexedDB in the browser; in memory in Node by default). */
  tokens: TokenStore;
  /** Where the authorization server sends the person back: `<Nexus origin>/oauth/callback`. */
  redirectUrl: string;
  /** Nexus's Client ID Metadata Document (`<origin>/oauth/client-metadata.json`), https only. */
  clientMetadataUrl?: string;
  /** Runs one refresh of a server at a time across the browser's hubs (Web Locks). */
  exclusive?: Exclusive;
}

/** The answer of a hub that does not sign in to servers (no `HubOptions.signIn`). */
export const NO_SIGN_IN =
  'This hub does not sign in to servers: it was started without sign-in settings.';

/** The journal's names for what happens to a sign-in. */
export type SignInEvent =
  'signed-in' | 'signed-out' | 'sign-in-failed' | 'sign-in-refresh-failed' | 'sign-in-step-up';

export interface SignInsDeps {
  settings: SignInSettings;
  clock: Clock;
  ids: Ids;
  fetch?: FetchLike;
  /** The hub's connections, by server id: whose entries sign in, and what to restart. */
  upstreams: ReadonlyMap<string, Upstream>;
  /** A security event for the journal (the audit journal's `record`). */
  record(event: Omit<JournalEvent, 'at'>): void;
  /** Where a server waiting for the person is shown ("Waiting for you"). */
  requests: SignInRequests;
  /** What the dashboard shows of a server's sign-in changed. */
  changed(): void;
}

/** How a finished callback went: the server it belonged to, or why it did not work. */
export interface SignInOutcome {
  serverId?: string;
  error?: string;
}

interface ServerAuth {
  signIn: ServerSignIn;
  signedIn: SignedIn;
  /** The entry's URL and hand-registered client when these were built (a change rebuilds). */
  key: string;
  /** The last 401's challenge, for the person's sign-in. */
  challenge: Challenge;
  /** A call needed more access (403 insufficient_scope): the scopes to ask for. */
  wantsScope?: string;
}

/** Whether the person set an Authorization header themselves: then Nexus does not sign in. */
export function signsIn(entry: ServerEntry): entry is RemoteServerEntry {
  return (
    entry.kind === 'remote' &&
    !entry.headers.some((header) => header.name.trim().toLowerCase() === 'authorization')
  );
}

export class SignIns {
  readonly #deps: SignInsDeps;
  readonly #servers = new Map<string, ServerAuth>();
  /** Every sign-in request goes through it: a failure names its endpoint (./endpoints.ts). */
  readonly #fetch: FetchLike;

  constructor(deps: SignInsDeps) {
    this.#deps = deps;
    const base = deps.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.#fetch = explainingFetch(base);
  }

  /** The transport's authentication for this server, or none when it does not sign in. */
  authFor(entry: ServerEntry): AuthProvider | undefined {
    return signsIn(entry) ? this.#of(entry).signedIn : undefined;
  }

  /**
   * Reads every signing-in server's record, so views and redaction know them early. The first
   * request to each server reads the same record (one read, shared), so nothing waits on this.
   */
  async load(entries: readonly ServerEntry[]): Promise<void> {
    await Promise.all(entries.filter(signsIn).map((entry) => this.#of(entry).signIn.tokens()));
  }

  /**
   * Starts the person's sign-in: the authorization URL to open, or none when a stored refresh
   * token still worked. Asks for the scope the server's last challenge named, widened by what a
   * call needed (step-up); a new authorization when that is more than the token has.
   */
  async start(serverId: string): Promise<{ authorizationUrl?: string }> {
    const entry = this.#entry(serverId);
    const server = this.#of(entry);
    // Discovered afresh: the server may have moved to another authorization server since the
    // last sign-in (registrations are kept per issuer, so the new one gets its own).
    await server.signIn.invalidateCredentials('discovery');
    const tokens = await server.signIn.tokens();
    const scope = server.wantsScope
      ? computeScopeUnion(server.challenge.scope, tokens?.scope, server.wantsScope)
      : server.challenge.scope;
    let result;
    try {
      result = await auth(server.signIn, {
        serverUrl: entry.url,
        ...(server.challenge.resourceMetadataUrl
          ? { resourceMetadataUrl: server.challenge.resourceMetadataUrl }
          : {}),
        ...(scope ? { scope } : {}),
        ...(scope && tokens && isStrictScopeSuperset(scope, tokens.scope)
          ? { forceReauthorization: true }
          : {}),
        fetchFn: this.#fetch,
      });
    } catch (error) {
      throw new Error(this.#failed(entry, 'could not start', error), { cause: error });
    }
    if (result === 'AUTHORIZED') {
      this.#signedIn(entry, server, 'with the stored refresh token');
      return {};
    }
    const pending = await server.signIn.pending();
    if (!pending?.authorizationUrl)
      throw new Error(`Nexus could not start signing in to server '${entry.slug}'.`);
    return { authorizationUrl: pending.authorizationUrl };
  }

  /**
   * The authorization server's answer, as `/oauth/callback` passed it on (untrusted: any page of
   * the origin can post one). It counts only when its `state` is that of a sign-in under way.
   */
  async finish(params: Readonly<Record<string, string>>): Promise<SignInOutcome> {
    const state = params.state;
    if (typeof state !== 'string' || state === '')
      return { error: 'The sign-in answer carried no state; it was ignored.' };
    const found = await this.#pendingFor(state);
    if (!found) return { error: 'No sign-in under way matches this answer; press Sign in again.' };
    const { entry, server } = found;
    if (params.error !== undefined || params.code === undefined) {
      const why = [params.error ?? 'no code', params.error_description].filter(Boolean).join(': ');
      await server.signIn.invalidateCredentials('verifier');
      return { serverId: entry.id, error: this.#failed(entry, 'did not complete', new Error(why)) };
    }
    try {
      const result = await auth(server.signIn, {
        serverUrl: entry.url,
        authorizationCode: params.code,
        ...(params.iss !== undefined ? { iss: params.iss } : {}),
        fetchFn: this.#fetch,
      });
      if (result !== 'AUTHORIZED') throw new Error('the authorization server issued no token');
    } catch (error) {
      await server.signIn.invalidateCredentials('verifier').catch(() => undefined);
      return { serverId: entry.id, error: this.#failed(entry, 'failed', error) };
    }
    this.#signedIn(entry, server, 'in the browser');
    return { serverId: entry.id };
  }

  /** Signs out: revokes the tokens where the server offers RFC 7009, then forgets them. */
  async signOut(serverId: string): Promise<void> {
    const entry = this.#entry(serverId);
    const server = this.#of(entry);
    const revocation = await revokeTokens(
      server.signIn.record(),
      await server.signIn.clientInformation(),
      this.#fetch,
    );
    if (revocation.kind === 'insecure' || revocation.kind === 'unconfirmed')
      this.#record(
        'signed-out',
        entry,
        revocation.kind === 'insecure'
          ? `Server '${entry.slug}': its revocation endpoint (${revocation.endpoint}) is not https, so the tokens were not sent there; they are forgotten here.`
          : `Server '${entry.slug}': the authorization server did not confirm revoking the tokens (${revocation.endpoint}); they are forgotten here all the same.`,
      );
    await server.signIn.forget();
    server.wantsScope = undefined;
    this.#record(
      'signed-out',
      entry,
      `Signed out of server '${entry.slug}'${revocation.kind === 'revoked' ? '; the authorization server revoked the tokens' : ''}.`,
    );
    this.#changed();
    this.#restart(serverId);
  }

  /**
   * A call needed more access than granted (403 `insufficient_scope`): the person is asked to
   * sign in again with the wider scope. Returns the words for the caller's error ("it needs …").
   */
  stepUp(entry: ServerEntry, requiredScope: string | undefined): string {
    const scoped = requiredScope ? ` (scope ${requiredScope})` : '';
    if (!signsIn(entry)) return `it needs more access${scoped}`;
    const server = this.#of(entry);
    const wanted = computeScopeUnion(server.wantsScope, requiredScope);
    if (wanted !== server.wantsScope) {
      server.wantsScope = wanted;
      this.#record(
        'sign-in-step-up',
        entry,
        `Server '${entry.slug}' asked for more access (${requiredScope ?? 'unnamed scope'}).`,
      );
      this.#changed();
    }
    return `it needs more access${scoped}`;
  }

  /** The server was removed: its sign-in goes with it. */
  async forget(entry: ServerEntry): Promise<void> {
    const serverId = entry.id;
    this.#deps.requests.update(entry, undefined);
    const server = this.#servers.get(serverId);
    this.#servers.delete(serverId);
    await (server?.signIn.forget() ?? this.#deps.settings.tokens.delete(serverId));
  }

  /** What the dashboard shows of a server's sign-in (never a token). */
  view(entry: ServerEntry): SignInView | undefined {
    if (!signsIn(entry)) return undefined;
    const server = this.#of(entry);
    const record = server.signIn.record();
    const tokens = record?.tokens;
    const identity = server.signIn.identity();
    const expiresIn = tokens?.expires_in;
    return {
      signedIn: tokens?.access_token !== undefined,
      ...(identity ? { identity } : {}),
      ...(tokens?.issuer ? { issuer: tokens.issuer } : {}),
      ...(tokens?.scope ? { scope: tokens.scope } : {}),
      ...(expiresIn !== undefined && record?.savedAt !== undefined
        ? { expiresAt: record.savedAt + expiresIn * 1000 }
        : {}),
      ...(server.wantsScope ? { wantsScope: server.wantsScope } : {}),
    };
  }

  /** Every token and client secret held, for redaction wherever text leaves the hub. */
  secrets(): string[] {
    const values: string[] = [];
    for (const server of this.#servers.values()) {
      const record = server.signIn.record();
      const { access_token, refresh_token, id_token } = record?.tokens ?? {};
      for (const value of [access_token, refresh_token, id_token]) if (value) values.push(value);
      for (const client of record?.clients ?? [])
        if (client.information.client_secret) values.push(client.information.client_secret);
    }
    return values;
  }

  /** A sign-in that went wrong: journaled, shown in the server's status, and worded. */
  #failed(entry: RemoteServerEntry, how: string, error: unknown): string {
    const why = endpointProblem(error) ?? (error instanceof Error ? error.message : String(error));
    const words = `Signing in to server '${entry.slug}' ${how}: ${why}`;
    this.#record('sign-in-failed', entry, `${words}.`);
    // A server waiting for the person keeps waiting, its status saying why (one that works,
    // whose person asked for more scope, keeps working).
    const upstream = this.#deps.upstreams.get(entry.id);
    if (upstream?.status.state === 'needs-sign-in')
      upstream.stop({ state: 'needs-sign-in', reason: `signing in ${how}: ${why}` });
    this.#changed();
    return words;
  }

  /**
   * A server's status changed: it waits for the person (a queue item) while it is
   * `needs-sign-in` or a call asked for more access, and no longer once it does not.
   */
  statusChanged(upstream: Upstream): void {
    const wantsScope = this.view(upstream.entry)?.wantsScope;
    this.#deps.requests.update(
      upstream.entry,
      SignInRequests.reasonOf(upstream.status, wantsScope),
    );
  }

  /** What the dashboard shows of a sign-in changed: the queue follows, and dashboards hear. */
  #changed(): void {
    for (const upstream of this.#deps.upstreams.values()) this.statusChanged(upstream);
    this.#deps.changed();
  }

  /** Connects the server again: after a sign-in or a sign-out. */
  #restart(serverId: string): void {
    this.#deps.upstreams.get(serverId)?.start();
  }

  #record(event: SignInEvent, entry: RemoteServerEntry, detail: string): void {
    this.#deps.record({
      kind: 'security',
      event,
      serverId: entry.id,
      serverSlug: entry.slug,
      detail,
    });
  }

  #signedIn(entry: RemoteServerEntry, server: ServerAuth, how: string): void {
    server.wantsScope = undefined;
    const scope = server.signIn.record()?.tokens?.scope;
    this.#record(
      'signed-in',
      entry,
      `Signed in to server '${entry.slug}' ${how}${scope ? ` (scope: ${scope})` : ''}.`,
    );
    this.#changed();
    this.#restart(entry.id);
  }

  #entry(serverId: string): RemoteServerEntry {
    const entry = this.#deps.upstreams.get(serverId)?.entry;
    if (!entry)
      throw new Error(`No server with id ${serverId}; it may have been removed in another tab.`);
    if (!signsIn(entry))
      throw new Error(
        (entry as ServerEntry).kind === 'remote'
          ? `Server '${entry.slug}' sends its own Authorization header; remove it to sign in with OAuth.`
          : `Server '${entry.slug}' is not a remote server; only those sign in.`,
      );
    return entry;
  }

  /** The sign-in whose flow under way has this `state` (compared with every server's). */
  async #pendingFor(
    state: string,
  ): Promise<{ entry: RemoteServerEntry; server: ServerAuth } | undefined> {
    for (const { entry } of this.#deps.upstreams.values()) {
      if (!signsIn(entry)) continue;
      const server = this.#of(entry);
      // Read again: another hub of this browser may have started or finished this flow.
      await server.signIn.reload();
      const pending = await server.signIn.pending();
      if (pending?.state !== undefined && pending.state !== '' && pending.state === state)
        return { entry, server };
    }
    return undefined;
  }

  #of(entry: RemoteServerEntry): ServerAuth {
    const key = `${entry.url} ${entry.oauthClient?.id ?? ''} ${entry.oauthClient?.secret ?? ''}`;
    const known = this.#servers.get(entry.id);
    if (known?.key === key) return known;
    const { settings, clock, ids } = this.#deps;
    const signIn = new ServerSignIn({
      serverId: entry.id,
      serverUrl: entry.url,
      store: settings.tokens,
      clock,
      ids,
      redirectUrl: settings.redirectUrl,
      ...(settings.clientMetadataUrl ? { clientMetadataUrl: settings.clientMetadataUrl } : {}),
      ...(entry.oauthClient ? { client: entry.oauthClient } : {}),
    });
    const server: ServerAuth = {
      signIn,
      key,
      challenge: known?.challenge ?? {},
      signedIn: new SignedIn({
        signIn,
        serverId: entry.id,
        serverUrl: entry.url,
        clock,
        fetch: this.#fetch,
        ...(settings.exclusive ? { exclusive: settings.exclusive } : {}),
        challenged: (challenge) => {
          server.challenge = challenge;
        },
        refreshFailed: (reason) => {
          this.#record(
            'sign-in-refresh-failed',
            entry,
            `Server '${entry.slug}': ${reason}; the person must sign in again.`,
          );
          this.#changed();
        },
      }),
    };
    this.#servers.set(entry.id, server);
    return server;
  }
}
