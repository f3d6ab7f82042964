/**
 * The built-in servers run inside the hub: each connection gets a fresh server instance on the
 * far end of an in-memory transport pair. Nothing can fail on the way, so a failure is the
 * server's own and is told as it is.
 */
import { InMemoryTransport, type Transport } from '@modelcontextprotocol/client';
import type { Connector } from './connector.ts';

/** `serve` connects a new built-in server to the server side of a fresh pair. */
export function builtinConnector(serve: (serverSide: Transport) => Promise<void>): Connector {
  return {
    kind: 'builtin',
    attempts: () => ['builtin'],
    open: () => {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      void serve(serverSide);
      return { transport: clientSide };
    },
    fallsBack: () => false,
    // Only the 2025 era is tried: a built-in server does not speak 2026-07-28 here.
    unreachable: () => false,
    explain: async (error) => (error instanceof Error ? error.message : String(error)),
  };
}
