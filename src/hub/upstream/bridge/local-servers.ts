/**
 * The bridge link wired to the hub's local servers: they start when nexus-bridge (re)connects,
 * one the allowlist refused starts once the person allowlisted it and pressed Refresh, and what
 * the bridge refused is a security event on the server it concerns. Kept here, not in hub.ts,
 * which only composes.
 */
import type { JournalEvent } from '../../../protocol/consent.ts';
import type { Clock } from '../../ports.ts';
import { bridgeName } from '../connectors/bridge.ts';
import type { Upstream } from '../upstream.ts';
import { BridgeLink } from './link.ts';

export interface LocalServersOptions {
  clock: Clock;
  hubVersion: string;
  upstreams: ReadonlyMap<string, Upstream>;
  /** The bridge's state, allowlist or a server's stderr changed (for the dashboard). */
  changed(): void;
  record(event: Omit<JournalEvent, 'at'>): void;
  log(message: string): void;
}

export function localServersLink(options: LocalServersOptions): BridgeLink {
  const local = (name?: string) =>
    [...options.upstreams.values()].find(
      (upstream) => upstream.entry.kind === 'stdio' && bridgeName(upstream.entry) === name,
    );
  const waiting = () =>
    [...options.upstreams.values()].filter(
      (upstream) => upstream.entry.kind === 'stdio' && upstream.status.state === 'error',
    );
  const link: BridgeLink = new BridgeLink({
    clock: options.clock,
    hubVersion: options.hubVersion,
    onChange: options.changed,
    // Local servers that failed for want of the bridge start when it (re)connects.
    onUp: () => {
      for (const upstream of waiting()) upstream.start();
    },
    // Pasted into the allowlist since it was refused: it may start now.
    onAllowlist: () => {
      for (const upstream of waiting()) {
        if (upstream.entry.kind !== 'stdio') continue;
        const name = bridgeName(upstream.entry);
        const refused = link.lastExit(name)?.refusal?.code === 'unknown-server';
        if (refused && link.view.servers.some((server) => server.name === name)) upstream.start();
      }
    },
    onSecurity: (event, detail, name) => {
      const entry = local(name)?.entry;
      options.record({
        kind: 'security',
        event,
        detail,
        ...(entry ? { serverId: entry.id, serverSlug: entry.slug } : {}),
      });
    },
    log: options.log,
  });
  return link;
}
