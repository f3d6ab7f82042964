/**
 * The fetch a sign-in's requests go through (discovery, registration, token, revocation), which
 * turns a browser's bare "Failed to fetch" into words that name the endpoint and what its server
 * must send. A browser page (the hub's worker) can read an authorization server's answers only
 * when that server allows CORS; most do on their metadata and token endpoints, some do not.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import { causeOf } from '../causes.ts';

/** What an authorization server's endpoints must send for Nexus in a browser to use them. */
export const AUTH_CORS_LINE =
  'Access-Control-Allow-Origin for the Nexus origin (and, on its preflight, Access-Control-Allow-Headers: authorization, content-type, mcp-protocol-version)';

/** A sign-in request that never got an answer the hub could read. */
export class EndpointUnreadable extends Error {
  constructor(
    readonly url: string,
    readonly what: string,
    readonly cors: boolean,
  ) {
    super(
      cors
        ? `CORS: ${what} (${url}) answers but does not let Nexus read its replies; its server must send ${AUTH_CORS_LINE}`
        : `nothing answers at ${what} (${url})`,
    );
    this.name = 'EndpointUnreadable';
  }
}

/** Names an endpoint of the sign-in by its URL. */
function endpointName(url: string): string {
  const path = new URL(url).pathname;
  if (path.includes('/.well-known/oauth-protected-resource'))
    return "the server's protected resource metadata";
  if (path.includes('/.well-known/')) return "the authorization server's metadata";
  if (/regist/i.test(path)) return "the authorization server's registration endpoint";
  if (/revo/i.test(path)) return "the authorization server's revocation endpoint";
  if (/token/i.test(path)) return "the authorization server's token endpoint";
  return 'an endpoint of the sign-in';
}

/**
 * Wraps `fetch` so a request that fails without an HTTP answer (a TypeError: CORS, or nothing
 * listening) rejects with `EndpointUnreadable`, after asking with `no-cors` which of the two it
 * was. Metadata discovery tries several URLs and expects some to fail: a wrapped failure is a
 * TypeError still (the SDK's discovery treats it as "not here" and goes on) until the last.
 */
export function explainingFetch(fetch: FetchLike): FetchLike {
  return async (url, init) => {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (!(error instanceof TypeError) || init?.signal?.aborted) throw error;
      const href = String(url);
      let answers = false;
      try {
        await fetch(href, { method: 'GET', mode: 'no-cors', cache: 'no-store' });
        answers = true;
      } catch {
        answers = false;
      }
      const explained = new EndpointUnreadable(href, endpointName(href), answers);
      // Stays a TypeError to the SDK (its discovery retries other URLs on one), with the words.
      throw Object.assign(new TypeError(explained.message, { cause: explained }), {
        nexusEndpoint: explained,
      });
    }
  };
}

/** The words of an `explainingFetch` failure inside `error`, if it is one. */
export function endpointProblem(error: unknown): string | undefined {
  return causeOf(error, EndpointUnreadable)?.message;
}
