/**
 * Remote servers over HTTP: Streamable HTTP first and, on the spec's backwards-compatibility
 * signal (400, 404 or 405 to the first POST), the legacy HTTP+SSE transport; a server entry may
 * pin either. The transports and the words for a failed connection are in ./http.ts.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import type { Connector, TransportOpener } from './connector.ts';
import {
  createHttpTransport,
  describeConnectError,
  isLegacyHint,
  isUnreachable,
  type HttpObservations,
} from './http.ts';

/**
 * `fetch`: the one the transports and the explanations use. `open`: replaces how a transport is
 * made (tests serve in-memory servers as remote ones) while the attempts and explanations stay.
 */
export function httpConnector(fetch?: FetchLike, open?: TransportOpener): Connector {
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
      return createHttpTransport(entry, attempt, fetch);
    },
    fallsBack: isLegacyHint,
    unreachable: isUnreachable,
    explain: (error, entry, observations) =>
      describeConnectError(
        error,
        entry.kind === 'remote' ? entry : undefined,
        observations as HttpObservations | undefined,
        fetch,
      ),
  };
}
