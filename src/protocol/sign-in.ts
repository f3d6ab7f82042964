/**
 * How a finished authorization comes back to Nexus. The authorization server sends the person's
 * browser to `/oauth/callback` with the result in the query; that page posts it on a same-origin
 * `BroadcastChannel` and closes. Not `window.opener`: a cross-origin authorization page with
 * `Cross-Origin-Opener-Policy` severs it. Whoever listens (the hub checks `state` against the
 * sign-in it started) must treat the message as untrusted: any same-origin page can post one.
 */

/** The channel's name, on the Nexus origin. */
export const SIGN_IN_CHANNEL = 'nexus-sign-in';

/** The callback's query, as the authorization server sent it (RFC 6749 §4.1.2, RFC 9207 `iss`). */
export interface SignInCallback {
  type: 'nexus/sign-in-callback';
  /** `code`, `state`, `iss`, or `error`, `error_description`, `error_uri`, `state`. */
  params: Record<string, string>;
}

/** The query parameters the callback passes on; anything else stays behind. */
export const CALLBACK_PARAMS = [
  'code',
  'state',
  'iss',
  'error',
  'error_description',
  'error_uri',
] as const;

/** Longest parameter value passed on: codes and states are far shorter; a page is no place for more. */
export const CALLBACK_VALUE_MAX = 4_096;

export function isSignInCallback(value: unknown): value is SignInCallback {
  if (typeof value !== 'object' || value === null) return false;
  const { type, params } = value as { type?: unknown; params?: unknown };
  if (type !== 'nexus/sign-in-callback' || typeof params !== 'object' || params === null)
    return false;
  return Object.entries(params).every(
    ([key, each]) =>
      (CALLBACK_PARAMS as readonly string[]).includes(key) &&
      typeof each === 'string' &&
      each.length <= CALLBACK_VALUE_MAX,
  );
}

/** The callback message for a callback URL's query: the known parameters, each cut to size. */
export function signInCallbackOf(search: string): SignInCallback {
  const query = new URLSearchParams(search);
  const params: Record<string, string> = {};
  for (const name of CALLBACK_PARAMS) {
    const value = query.get(name);
    if (value !== null) params[name] = value.slice(0, CALLBACK_VALUE_MAX);
  }
  return { type: 'nexus/sign-in-callback', params };
}

/**
 * Nexus's Client ID Metadata Document for the deployment at `appUrl` (ending in `/`): served at
 * `<appUrl>oauth/client-metadata.json`, whose URL is then Nexus's client id at any authorization
 * server that supports such documents. Built at build time (vite.config.ts, `NEXUS_PUBLIC_URL`)
 * and checked by the hub before it offers the URL, from this one function.
 */
export function clientMetadataDocument(appUrl: string) {
  return {
    client_id: new URL('oauth/client-metadata.json', appUrl).href,
    client_name: 'Nexus',
    client_uri: appUrl,
    redirect_uris: [new URL('oauth/callback', appUrl).href],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  };
}
