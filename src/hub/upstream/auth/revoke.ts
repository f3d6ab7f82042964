/**
 * Signing out asks the authorization server to revoke the tokens (RFC 7009), where its metadata
 * names a `revocation_endpoint`: the refresh token first (revoking it ends the grant at most
 * servers), then the access token, each authenticated as the client is. Tokens are sent only where
 * the SDK would send a token request: https, or a loopback development host.
 */
import { assertSecureTokenEndpoint, type FetchLike } from '@modelcontextprotocol/client';
import type { StoredOAuthClientInformation } from '@modelcontextprotocol/client';
import type { SignInRecord } from '../../ports.ts';

/** What became of the request to revoke. */
export type Revocation =
  /** The metadata names no revocation endpoint (or nothing is held to revoke). */
  | { kind: 'not-offered' }
  | { kind: 'revoked' }
  /** The endpoint is not https: nothing was sent. */
  | { kind: 'insecure'; endpoint: string }
  /** A request failed or was refused: the server may still honour the tokens. */
  | { kind: 'unconfirmed'; endpoint: string };

export async function revokeTokens(
  record: SignInRecord | undefined,
  client: StoredOAuthClientInformation | undefined,
  fetch: FetchLike,
): Promise<Revocation> {
  // RFC 8414's `revocation_endpoint`; the SDK's metadata type does not name it.
  const metadata = record?.discovery?.authorizationServerMetadata as
    { revocation_endpoint?: unknown } | undefined;
  const endpoint = metadata?.revocation_endpoint;
  const tokens = record?.tokens;
  if (typeof endpoint !== 'string' || !tokens) return { kind: 'not-offered' };
  try {
    assertSecureTokenEndpoint(endpoint);
  } catch {
    return { kind: 'insecure', endpoint };
  }
  let revoked = true;
  for (const [token, hint] of [
    [tokens.refresh_token, 'refresh_token'],
    [tokens.access_token, 'access_token'],
  ] as const) {
    if (!token) continue;
    const body = new URLSearchParams({ token, token_type_hint: hint });
    const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded' });
    if (client?.client_secret)
      headers.set(
        'authorization',
        `Basic ${btoa(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`)}`,
      );
    else if (client) body.set('client_id', client.client_id);
    try {
      const response = await fetch(endpoint, { method: 'POST', headers, body });
      revoked &&= response.ok;
    } catch {
      // Signing out forgets the tokens whether or not the server heard about it.
      revoked = false;
    }
  }
  return revoked ? { kind: 'revoked' } : { kind: 'unconfirmed', endpoint };
}
