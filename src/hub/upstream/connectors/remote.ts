/**
 * Remote servers over HTTP: Streamable HTTP first and, on the spec's backwards-compatibility
 * signal (400, 404 or 405 to the first POST), the legacy HTTP+SSE transport; a server entry may
 * pin either. The transports and the words for a failed connection are in ./http.ts.
 */
import type { AuthProvider, FetchLike } from '@modelcontextprotocol/client';
import type { ServerEntry } from '../../ports.ts';
import type { Connector, TransportOpener } from './connector.ts';
import {
  createHttpTransport,
  describeConnectError,
  isLegacyHint,
  isUnreachable,
  signInReason,
  type HttpObservations,
} from './http.ts';

/**
 * `fetch`: the one the transports and the explanations use. `open`: replaces how a transport is
 * made (tests serve in-memory servers as remote ones) while the attempts and explanations stay.
 * `authFor`: a server's sign-in (../auth/sign-ins.ts), for a hub whose servers may sign in.
 */
export function httpConnector(
  fetch?: FetchLike,
  open?: TransportOpener,
  authFor?: (entry: ServerEntry) => AuthProvider | undefined,
): Connector {
  return {
    kind: 'remote',
    attempts: (entry) =>
      entry.kind === 'remote' && entry.transport !== 'auto'
        ? [entry.transport]
        : ['streamable-http', 'sse'],
    open: (entry, attempt) => {
      if (open) return open(entry, attempt);
      if (entry.kind !== 'remote' || (attempt !== 'streamable-http' && attempt !== 'sse'))
        throw new Error(`server '${entry.slug}' is not a remote server`);
      return createHttpTransport(entry, attempt, fetch, authFor?.(entry));
    },
    fallsBack: isLegacyHint,
    unreachable: isUnreachable,
    ...(authFor
      ? {
          signInNeeded: (error: unknown, entry: ServerEntry) =>
            authFor(entry) ? signInReason(error) : undefined,
        }
      : {}),
    explain: (error, entry, observations) =>
      describeConnectError(
        error,
        entry.kind === 'remote' ? entry : undefined,
        observations as HttpObservations | undefined,
        fetch,
      ),
  };
}
