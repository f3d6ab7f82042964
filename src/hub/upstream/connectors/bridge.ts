/**
 * Local stdio servers, through nexus-bridge: the entry names an allowlisted server (its `bridge`
 * name, else its slug) and the bridge spawns it; the browser never sends a command line. A
 * failure is not retried by itself (`restarts: false`): a program that crashes at start would
 * crash in a loop, and nexus-bridge restarts nothing either. The person presses Restart; the hub
 * starts its local servers again when the bridge (re)connects.
 */
import type { ServerEntry, StdioServerEntry } from '../../ports.ts';
import { BridgeEnded, BridgeTransport } from '../bridge/transport.ts';
import type { BridgeLink, ChannelEnd } from '../bridge/link.ts';
import type { Connector } from './connector.ts';

/** Lines of stderr quoted in a local server's error. */
const QUOTED_LINES = 3;

/** The allowlist NAME an entry starts. */
export function bridgeName(entry: StdioServerEntry): string {
  return entry.bridge ?? entry.slug;
}

export function bridgeConnector(link: BridgeLink): Connector {
  return {
    kind: 'stdio',
    attempts: () => ['bridge'],
    open: (entry) => {
      if (entry.kind !== 'stdio') throw new Error(`server '${entry.slug}' is not a local server`);
      return { transport: new BridgeTransport(link, bridgeName(entry)) };
    },
    fallsBack: () => false,
    // Stdio servers speak the 2025 era only here (../era.ts): nothing else to try.
    unreachable: () => true,
    restarts: false,
    explain: async (error, entry) => explainLocal(link, error, entry),
  };
}

function explainLocal(link: BridgeLink, error: unknown, entry: ServerEntry): string {
  if (entry.kind !== 'stdio') return String(error);
  const name = bridgeName(entry);
  const end: ChannelEnd | undefined =
    error instanceof BridgeEnded ? error.end : link.lastExit(name);
  if (error instanceof BridgeEnded && !error.end) return error.message;
  if (end?.refusal) return `nexus-bridge refused: ${end.refusal.message}`;
  if (!end) {
    const said = error instanceof Error ? error.message : String(error);
    // Waited for the bridge until the connect timeout: say what it is waiting for.
    const missing = link.unavailable;
    return missing === undefined ? said : `${said}: ${missing}`;
  }
  const how =
    end.reason ??
    (end.signal !== null
      ? `it was ended by ${end.signal}`
      : end.code === null
        ? 'it ended'
        : `it exited with code ${end.code}`);
  const lines = link
    .logs(name)
    .filter((line) => line.stream === 'stderr')
    .slice(-QUOTED_LINES)
    .map((line) => line.line);
  const said = lines.length > 0 ? `; its last words on stderr: ${lines.join(' | ')}` : '';
  return `local server '${name}' stopped: ${how}${said}. Fix what it says, then press Restart`;
}
