/**
 * One server's sign-in, as the SDK's `OAuthClientProvider`: the SDK does the protocol (discovery
 * of the protected resource and its authorization server, PKCE, the resource indicator, scope
 * selection, issuer checks, registration and token requests); this keeps what it must remember
 * in the `TokenStore` and says when the person has to sign in. Nothing here sends a token
 * anywhere but where the SDK asks for it, and nothing it holds is part of any view.
 *
 * The record is read once and then kept: the SDK asks for the tokens before every request.
 * Every change is written through before it is kept, so a hub that restarts (or another
 * dedicated-worker hub of the same browser) reads what this one last saved.
 */
import type {
  OAuthClientInformationContext,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { clientMetadataDocument } from '../../../protocol/sign-in.ts';
import type { ClientIdentity } from '../../../protocol/views.ts';
import type { Clock, Ids, SignInRecord, TokenStore } from '../../ports.ts';

export type { ClientIdentity };

export interface SignInOptions {
  serverId: string;
  /**
   * The server's URL: what is stored is kept for it. A record saved for another URL (the entry
   * was edited to point elsewhere) is not used: its tokens were issued for another resource.
   */
  serverUrl?: string;
  store: TokenStore;
  clock: Clock;
  ids: Ids;
  /** Where the authorization server sends the person back: `<hub origin>/oauth/callback`. */
  redirectUrl: string;
  /**
   * The Client ID Metadata Document Nexus serves from its own origin
   * (`/oauth/client-metadata.json`). The SDK accepts only an https URL with a path, so a hub on
   * plain http (a loopback development origin) has none and registers dynamically instead.
   */
  clientMetadataUrl?: string;
  /** A client id (and secret) set on the server entry: used first, never registered over. */
  client?: { id: string; secret?: string };
  /** The person must sign in: the SDK built `authorizationUrl` for them to open. */
  needsSignIn?(authorizationUrl: string): void;
}

export class ServerSignIn implements OAuthClientProvider {
  readonly #options: SignInOptions;
  #record: SignInRecord | undefined;
  #loading: Promise<SignInRecord> | undefined;
  /** Changes one after another: each reads the record the previous one wrote. */
  #changes: Promise<unknown> = Promise.resolve();

  constructor(options: SignInOptions) {
    this.#options = options;
  }

  get redirectUrl(): string {
    return this.#options.redirectUrl;
  }

  get clientMetadataUrl(): string | undefined {
    const url = this.#options.clientMetadataUrl;
    return url && isHttpsWithPath(url) ? url : undefined;
  }

  get clientMetadata(): OAuthClientMetadata {
    // What the metadata document says of Nexus, for the redirect URL this hub uses.
    const {
      client_id: _url,
      client_uri: _home,
      ...metadata
    } = clientMetadataDocument(new URL('..', this.#options.redirectUrl).href);
    return {
      ...metadata,
      redirect_uris: [this.#options.redirectUrl],
      token_endpoint_auth_method: this.#options.client?.secret ? 'client_secret_basic' : 'none',
    };
  }

  /**
   * How Nexus identified itself, for the server's page: a client set on the entry always comes
   * first (the spec's order); else what the last sign-in saved, the metadata document's URL as
   * client id or a registered one; undefined before any sign-in.
   */
  identity(): ClientIdentity | undefined {
    if (this.#options.client) return 'pre-registered';
    const client = this.#record?.clients?.at(-1)?.information;
    if (!client) return undefined;
    return client.client_id === this.clientMetadataUrl
      ? 'metadata-document'
      : 'dynamic-registration';
  }

  /** A fresh, unguessable `state`, kept with the flow it starts (the callback must echo it). */
  async state(): Promise<string> {
    const state = this.#options.ids.next();
    await this.#change((record) => ({
      ...record,
      pending: {
        state,
        codeVerifier: '',
        authorizationUrl: '',
        startedAt: this.#options.clock.now(),
      },
    }));
    return state;
  }

  async clientInformation(
    ctx?: OAuthClientInformationContext,
  ): Promise<StoredOAuthClientInformation | undefined> {
    const record = await this.#load();
    const stored = record.clients?.find((each) => each.issuer === (ctx?.issuer ?? ''));
    if (stored) return stored.information;
    const client = this.#options.client;
    if (client)
      return { client_id: client.id, ...(client.secret ? { client_secret: client.secret } : {}) };
    // Without an issuer (no discovery yet), the last registration stands.
    return ctx ? undefined : record.clients?.at(-1)?.information;
  }

  async saveClientInformation(
    information: StoredOAuthClientInformation,
    ctx?: OAuthClientInformationContext,
  ): Promise<void> {
    const issuer = ctx?.issuer ?? information.issuer ?? '';
    await this.#change((record) => ({
      ...record,
      clients: [
        ...(record.clients ?? []).filter((each) => each.issuer !== issuer),
        { issuer, information },
      ],
    }));
  }

  async tokens(ctx?: OAuthClientInformationContext): Promise<StoredOAuthTokens | undefined> {
    const tokens = (await this.#load()).tokens;
    // The SDK asks without an issuer before each request: the last saved set, whatever issued it.
    if (!ctx || !tokens?.issuer || tokens.issuer === ctx.issuer) return tokens;
    return undefined;
  }

  async saveTokens(tokens: StoredOAuthTokens): Promise<void> {
    await this.#change((record) => {
      const { pending: _done, ...rest } = record;
      return { ...rest, tokens, savedAt: this.#options.clock.now() };
    });
  }

  /** When the current access token expires (wall-clock ms), if the server said. */
  async expiresAt(): Promise<number | undefined> {
    const { tokens, savedAt } = await this.#load();
    if (tokens?.expires_in === undefined || savedAt === undefined) return undefined;
    return savedAt + tokens.expires_in * 1000;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const url = authorizationUrl.href;
    await this.#change((record) => ({
      ...record,
      pending: {
        state: authorizationUrl.searchParams.get('state') ?? record.pending?.state ?? '',
        codeVerifier: record.pending?.codeVerifier ?? '',
        authorizationUrl: url,
        startedAt: record.pending?.startedAt ?? this.#options.clock.now(),
      },
    }));
    this.#options.needsSignIn?.(url);
  }

  async saveCodeVerifier(codeVerifier: string): Promise<void> {
    await this.#change((record) => ({
      ...record,
      pending: {
        state: record.pending?.state ?? '',
        authorizationUrl: record.pending?.authorizationUrl ?? '',
        startedAt: record.pending?.startedAt ?? this.#options.clock.now(),
        codeVerifier,
      },
    }));
  }

  async codeVerifier(): Promise<string> {
    const verifier = (await this.#load()).pending?.codeVerifier;
    if (!verifier)
      throw new Error(
        'No sign-in to this server is under way in Nexus (it ended, or another one replaced it); press Sign in again.',
      );
    return verifier;
  }

  /** The record as last read or written (undefined before the first read): for views, at once. */
  record(): SignInRecord | undefined {
    return this.#record;
  }

  /** The sign-in under way, if any: where to send the person, and the `state` it expects. */
  async pending(): Promise<SignInRecord['pending']> {
    return (await this.#load()).pending;
  }

  async saveDiscoveryState(state: OAuthDiscoveryState): Promise<void> {
    await this.#change((record) => ({ ...record, discovery: state }));
  }

  async discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    return (await this.#load()).discovery;
  }

  async invalidateCredentials(
    scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery',
  ): Promise<void> {
    await this.#change((record) => {
      const next: SignInRecord = { ...record };
      if (scope === 'all' || scope === 'tokens') {
        delete next.tokens;
        delete next.savedAt;
      }
      if (scope === 'all' || scope === 'client') delete next.clients;
      if (scope === 'all' || scope === 'verifier') delete next.pending;
      if (scope === 'all' || scope === 'discovery') delete next.discovery;
      return next;
    });
  }

  /** Reads the record again (another hub of this browser may have saved newer tokens). */
  reload(): Promise<void> {
    const { serverId, store } = this.#options;
    return this.#queue(async () => {
      this.#record = this.#usable(await store.get(serverId));
    });
  }

  /** Signs out: forgets everything this server's sign-in kept. */
  forget(): Promise<void> {
    const { serverId, store } = this.#options;
    return this.#queue(async () => {
      await store.delete(serverId);
      this.#record = { serverId };
    });
  }

  #load(): Promise<SignInRecord> {
    if (this.#record) return Promise.resolve(this.#record);
    this.#loading ??= this.#options.store.get(this.#options.serverId).then((stored) => {
      this.#record ??= this.#usable(stored);
      return this.#record;
    });
    return this.#loading;
  }

  /** The stored record when it is this server's (same URL); else a fresh one. */
  #usable(stored: SignInRecord | undefined): SignInRecord {
    const { serverId, serverUrl } = this.#options;
    if (
      !stored ||
      (serverUrl !== undefined && stored.serverUrl !== undefined && stored.serverUrl !== serverUrl)
    )
      return { serverId, ...(serverUrl !== undefined ? { serverUrl } : {}) };
    return stored;
  }

  /** Writes the changed record to the store first, then keeps it. */
  #change(change: (record: SignInRecord) => SignInRecord): Promise<void> {
    return this.#queue(async () => {
      const changed = change(await this.#load());
      const { serverUrl } = this.#options;
      const next = serverUrl === undefined ? changed : { ...changed, serverUrl };
      await this.#options.store.put(next);
      this.#record = next;
    });
  }

  /** Runs writes one after another, each on the record the previous one left. */
  #queue(task: () => Promise<void>): Promise<void> {
    const done = this.#changes.then(task);
    // A failed write fails its caller; the next one still runs.
    this.#changes = done.catch(() => undefined);
    return done;
  }
}

function isHttpsWithPath(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.pathname !== '/';
  } catch {
    return false;
  }
}
