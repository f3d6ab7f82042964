/**
 * What a server's HTTP transport is given to authenticate: the SDK's minimal `AuthProvider`
 * (a bearer token before each request; a chance to fix credentials after a 401), over one
 * server's `ServerSignIn`. Not the `OAuthClientProvider` itself, on purpose: the transport would
 * then run the SDK's `auth()` once per failed request, and concurrent 401s (one connection, many
 * clients' calls in flight) would each refresh with the same refresh token, which a server that
 * rotates refresh tokens answers by revoking the sign-in. Here every refresh of a server is ONE
 * flight that all waiting requests share, taken before the token expires when the server said
 * when, and across hubs of the same browser under `exclusive` (Web Locks in the worker).
 */
import {
  auth,
  extractWWWAuthenticateParams,
  UnauthorizedError,
  type AuthProvider,
  type FetchLike,
} from '@modelcontextprotocol/client';
import type { Clock } from '../../ports.ts';
import type { ServerSignIn } from './sign-in.ts';

/** What the transport hands over after a 401 (the SDK does not export its name). */
type UnauthorizedContext = Parameters<NonNullable<AuthProvider['onUnauthorized']>>[0];

/**
 * The bearer token each response's request carried, noted by the transport's fetch
 * (../connectors/http.ts): a 401 to a request sent with a token that has since been replaced
 * is answered by the replacement, not by one more refresh.
 */
const sentTokens = new WeakMap<Response, string | undefined>();

/** Notes the token `response`'s request was sent with (its Authorization header). */
export function noteSentToken(response: Response, authorization: string | null): void {
  sentTokens.set(response, authorization?.match(/^Bearer (.+)$/i)?.[1]);
}

/** Refresh this long before the access token expires. */
export const REFRESH_AHEAD_MS = 60_000;

/** Runs `task` alone under `name`: across every hub of the browser, or within this one. */
export type Exclusive = <T>(name: string, task: () => Promise<T>) => Promise<T>;

/** Within one hub only: what Node and tests use (a browser passes Web Locks). */
export const inThisHub: Exclusive = (_name, task) => task();

export interface SignedInOptions {
  signIn: ServerSignIn;
  serverId: string;
  serverUrl: string;
  clock: Clock;
  fetch?: FetchLike;
  exclusive?: Exclusive;
  /** A 401 said which scope and metadata the server wants: the person's sign-in will ask for them. */
  challenged?(challenge: Challenge): void;
  /** A refresh failed (the server goes back to "sign in"): why, in words. */
  refreshFailed?(reason: string): void;
}

/** What a 401's `WWW-Authenticate` asked for. */
export interface Challenge {
  scope?: string;
  resourceMetadataUrl?: URL;
}

/**
 * The server needs the person to sign in again: nothing stored gets through. The transport
 * passes it on as it is, so the server's status and the client's error can say so.
 */
export class SignInNeeded extends UnauthorizedError {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SignInNeeded';
  }
}

export class SignedIn implements AuthProvider {
  readonly #options: SignedInOptions;
  /** The one refresh or authorization under way for this server, which every caller joins. */
  #flight: Promise<void> | undefined;

  constructor(options: SignedInOptions) {
    this.#options = options;
  }

  async token(): Promise<string | undefined> {
    const { signIn, clock } = this.#options;
    const tokens = await signIn.tokens();
    const expiresAt = await signIn.expiresAt();
    if (
      !tokens?.refresh_token ||
      expiresAt === undefined ||
      clock.now() < expiresAt - REFRESH_AHEAD_MS
    )
      return tokens?.access_token;
    // A failed early refresh is not this request's failure: it goes with the token there is,
    // and a 401 brings the server's own word.
    await this.#once(undefined).catch(() => undefined);
    return (await signIn.tokens())?.access_token;
  }

  /** After a 401: refresh (or, failing that, start a sign-in); every concurrent 401 waits on one. */
  onUnauthorized(context: UnauthorizedContext): Promise<void> {
    return this.#once(context);
  }

  #once(context: UnauthorizedContext | undefined): Promise<void> {
    this.#flight ??= this.#authorize(context).finally(() => {
      this.#flight = undefined;
    });
    return this.#flight;
  }

  async #authorize(context: UnauthorizedContext | undefined): Promise<void> {
    const { signIn, serverId, serverUrl } = this.#options;
    const exclusive = this.#options.exclusive ?? inThisHub;
    const current = await signIn.tokens();
    // The token the refused request carried, when the transport noted it; else the current one.
    const sent =
      context && sentTokens.has(context.response)
        ? sentTokens.get(context.response)
        : current?.access_token;
    const challenge: Challenge = context ? extractWWWAuthenticateParams(context.response) : {};
    if (context) this.#options.challenged?.(challenge);
    await exclusive(`nexus-sign-in:${serverId}`, async () => {
      // Another hub may have signed in or refreshed while this one waited for the lock.
      await signIn.reload();
      const now = await signIn.tokens();
      if (now?.access_token !== undefined && now.access_token !== sent) return;
      // Nothing to refresh with: only the person can sign in. No authorization flow starts
      // here: one starts when they press Sign in, so a flow under way is never replaced.
      if (!now?.refresh_token)
        throw new SignInNeeded(
          current
            ? 'the server no longer accepts the sign-in'
            : challenge.resourceMetadataUrl
              ? 'the server asks to sign in'
              : // No OAuth metadata named: it may take a token of its own instead.
                'the server asks to sign in, or for an Authorization header if it takes a token',
        );
      let result;
      try {
        result = await auth(signIn, {
          serverUrl,
          ...(challenge.resourceMetadataUrl
            ? { resourceMetadataUrl: challenge.resourceMetadataUrl }
            : {}),
          ...(challenge.scope ? { scope: challenge.scope } : {}),
          ...(this.#options.fetch ? { fetchFn: this.#options.fetch } : {}),
        });
      } catch (error) {
        const reason = `refreshing the sign-in failed (${error instanceof Error ? error.message : String(error)})`;
        this.#options.refreshFailed?.(reason);
        throw new SignInNeeded(reason);
      }
      if (result !== 'AUTHORIZED') {
        // The SDK fell through to a new authorization: the refresh token was refused.
        const reason = 'the authorization server refused to refresh the sign-in';
        this.#options.refreshFailed?.(reason);
        throw new SignInNeeded(reason);
      }
    });
  }
}
