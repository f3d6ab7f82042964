/**
 * The doctor's look at a server that signs in (OAuth) and answered 401: can this page read what
 * a sign-in needs? The protected resource's metadata (from the challenge's `resource_metadata`),
 * the authorization server's metadata, and its token endpoint must all allow CORS, or Sign in
 * fails half-way with a bare "Failed to fetch". Each is asked once, the way the sign-in would
 * (the token endpoint with an empty, harmless token request), and the first that cannot be read
 * is named with the line its server must send (../upstream/auth/endpoints.ts words it).
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import type { Finding } from '../../protocol/doctor.ts';
import { AUTH_CORS_LINE, endpointProblem, explainingFetch } from '../upstream/auth/endpoints.ts';

/** `resource_metadata="…"` of a `WWW-Authenticate` challenge. */
function resourceMetadataOf(challenge: string | null): string | undefined {
  return challenge?.match(/resource_metadata="([^"]+)"/i)?.[1];
}

async function readJson(fetch: FetchLike, url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const body: unknown = await response.json();
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
}

/**
 * The sign-in's endpoints as this page reaches them, after a 401 whose challenge is
 * `challenge`. One finding: all readable, or the first that is not (and why).
 */
export async function signInFinding(
  url: URL,
  challenge: string | null,
  baseFetch: FetchLike,
  pageOrigin = '<the Nexus origin>',
): Promise<Finding> {
  const fetch = explainingFetch(baseFetch);
  const host = url.host;
  try {
    const named = resourceMetadataOf(challenge);
    const metadataUrl = named ?? new URL('/.well-known/oauth-protected-resource', url).href;
    // Without resource metadata the spec's fallback (as the SDK does it): the authorization
    // server at the MCP server's own origin. A page that cannot read it at all is told so.
    const resource = await readJson(fetch, metadataUrl).catch((error: unknown) => {
      if (named !== undefined || endpointProblem(error) !== undefined) throw error;
      return { authorization_servers: [url.origin] };
    });
    const issuer = Array.isArray(resource.authorization_servers)
      ? resource.authorization_servers.find((each): each is string => typeof each === 'string')
      : undefined;
    if (!issuer)
      throw new Error(
        `its protected resource metadata (${metadataUrl}) names no authorization server`,
      );
    const issuerUrl = new URL(issuer);
    const path = issuerUrl.pathname === '/' ? '' : issuerUrl.pathname;
    const server = await readJson(
      fetch,
      new URL(`/.well-known/oauth-authorization-server${path}`, issuerUrl).href,
    );
    const token = server.token_endpoint;
    if (typeof token === 'string') {
      // An empty token request: the server refuses it (400), and the page can read that it did.
      await fetch(token, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });
    }
    return {
      check: 'sign-in',
      ok: true,
      detail: `${host} asks to sign in with OAuth at ${issuerUrl.host}, and this page can read its metadata and token endpoint: press Sign in.`,
    };
  } catch (error) {
    const words = endpointProblem(error);
    return {
      check: 'sign-in',
      ok: false,
      problem: words?.startsWith('CORS') ? 'cors-origin' : 'auth',
      detail: `${host} asks to sign in with OAuth, but ${words ?? (error instanceof Error ? error.message : String(error))}.`,
      fix: words?.startsWith('CORS')
        ? `Ask whoever runs that authorization server to send ${AUTH_CORS_LINE} on its metadata, registration and token endpoints.`
        : 'Check the server’s sign-in settings with whoever runs it; if it takes a token of its own instead, add it as an Authorization header of this server.',
      ...(words?.startsWith('CORS')
        ? { headerLines: [`Access-Control-Allow-Origin: ${pageOrigin}`] }
        : {}),
    };
  }
}
