/**
 * One era's try at connecting a server (see ./era.ts for why there may be two): each transport
 * the connector lists, in order, then, once the handshake succeeded, the listen stream (on
 * 2026-07-28) and the lists, all within the try's share of the connect timeout. What failed
 * decides what comes next: a 2026-07-28 path that failed where 2025 may work is `modern-failed`,
 * anything no other era would help with is `failed`. The connection's own state stays in
 * ./upstream.ts; this file reaches it only through `AttemptHost`.
 */
import type { Client, ServerCapabilities, Transport } from '@modelcontextprotocol/client';
import type { ServerEntry } from '../ports.ts';
import type { Connector, OpenedTransport, TransportKind } from './connectors/connector.ts';
import {
  ConnectTimeout,
  ModernPathFailure,
  missingFromDiscover,
  type ConnectBudget,
  type EraTry,
} from './era.ts';

/** How one era's try ended. */
export type Attempted =
  | { kind: 'ready' }
  /** A newer connect or a stop took over: nothing to report. */
  | { kind: 'stale' }
  /**
   * `modern-failed`: the 2026-07-28 path failed where the 2025 one may not; `failed`: no other
   * era would help. `stage` names the step after the handshake that failed, if one did.
   */
  | { kind: 'modern-failed' | 'failed'; error: unknown; observations?: unknown; stage?: string };

/** What a try needs of the connection it would become. */
export interface AttemptHost {
  readonly entry: ServerEntry;
  /** Whether the try is still wanted (no newer connect or stop took over). */
  current(): boolean;
  newClient(kind: TransportKind, era: EraTry): Client;
  /** The transport of the connection, as its client gets it (with the calls watched). */
  wrap(opened: OpenedTransport): Transport;
  /** The transport of a throwaway client: shown to the Inspector, nothing else. */
  wrapProbe(transport: Transport): Transport;
  /** The handshake succeeded: the client becomes the connection's. */
  adopt(client: Client, kind: TransportKind): void;
  isModern(): boolean;
  /** 2026-07-28: opens the change stream. */
  listen(client: Client): Promise<void>;
  /** Loads every list; `strict`: the first one that fails throws. */
  loadLists(client: Client, strict: boolean): Promise<void>;
  /** Lets the adopted client go again. */
  release(): void;
}

/** Every capability `missingFromDiscover` compares: a discover that declares it all lacks none. */
const EVERYTHING: ServerCapabilities = {
  tools: {},
  prompts: {},
  resources: { subscribe: true },
  logging: {},
  completions: {},
};

export async function tryEra(
  host: AttemptHost,
  connector: Connector,
  era: EraTry,
  budget: ConnectBudget,
): Promise<Attempted> {
  const kinds = connector.attempts(host.entry);
  let firstFailure: { error: unknown; observations?: unknown } | undefined;
  for (const [index, kind] of kinds.entries()) {
    if (!host.current()) return { kind: 'stale' };
    const client = host.newClient(kind, era);
    let opened: OpenedTransport | undefined;
    try {
      opened = await budget.race('connecting', Promise.resolve(connector.open(host.entry, kind)));
      await budget.race(
        era === 'legacy' || kind !== 'streamable-http' ? 'initialize' : 'server/discover',
        client.connect(host.wrap(opened), { timeout: budget.backstop }),
      );
    } catch (error) {
      void client.close().catch(() => {});
      const failure = { error, observations: opened?.observations };
      const canFallBack = index < kinds.length - 1 && connector.fallsBack(error);
      firstFailure ??= failure;
      if (canFallBack) continue;
      // When the legacy attempt also says "not here", the first answer explains more.
      const report = index > 0 && connector.fallsBack(error) ? firstFailure : failure;
      // A server that answered the 2026-07-28 handshake, but not in a way it could use, may still
      // speak 2025. Not one that could not be reached at all, nor one whose URL said "not here"
      // (the SDK's probe has then tried `initialize` already, and HTTP+SSE followed).
      const modern =
        era !== 'legacy' &&
        kind === 'streamable-http' &&
        !connector.unreachable(report.error) &&
        !connector.fallsBack(report.error);
      return { kind: modern ? 'modern-failed' : 'failed', ...report };
    }
    if (!host.current()) {
      void client.close().catch(() => {});
      return { kind: 'stale' };
    }
    host.adopt(client, kind);
    const modern = host.isModern();
    let stage: string | undefined = 'subscriptions/listen';
    try {
      // Listen before loading the lists, so no change between the two goes unheard.
      if (modern) await budget.race(stage, host.listen(client));
      // In `auto`, a list that fails on 2026-07-28 is a reason to try 2025 (it names itself).
      stage = undefined;
      const strict = modern && era === 'probe';
      await budget.race('the lists', host.loadLists(client, strict));
      if (strict) await compareWithInitialize(host, client, connector, budget);
    } catch (error) {
      if (!host.current()) return { kind: 'stale' };
      host.release();
      const failed = modern && era !== 'modern' ? 'modern-failed' : 'failed';
      return { kind: failed, error, ...(error instanceof ConnectTimeout ? {} : { stage }) };
    }
    return host.current() ? { kind: 'ready' } : { kind: 'stale' };
  }
  return { kind: 'stale' };
}

/**
 * A server that speaks both eras may declare less in `server/discover` than in `initialize` (the
 * hub would then refuse its logging or completions as unknown): compared once per connection,
 * through a throwaway 2025 handshake whose session is ended at once. Servers do not say whether
 * they serve 2025 too (`supportedVersions` lists the 2026 revisions only), so the question is
 * asked whenever discover leaves out something initialize could declare.
 */
async function compareWithInitialize(
  host: AttemptHost,
  client: Client,
  connector: Connector,
  budget: ConnectBudget,
): Promise<void> {
  if (missingFromDiscover(client.getServerCapabilities(), EVERYTHING).length === 0) return;
  const probe = host.newClient('streamable-http', 'legacy');
  let initialized: ServerCapabilities | undefined;
  try {
    const opened = await connector.open(host.entry, 'streamable-http');
    await budget.race(
      'initialize',
      probe.connect(host.wrapProbe(opened.transport), { timeout: budget.backstop }),
    );
    initialized = probe.getServerCapabilities();
    const transport = opened.transport as { terminateSession?: () => Promise<void> };
    await transport.terminateSession?.().catch(() => {});
  } catch {
    // Its 2025 path does not work: nothing to compare the 2026-07-28 one with.
    return;
  } finally {
    void probe.close().catch(() => {});
  }
  const missing = missingFromDiscover(client.getServerCapabilities(), initialized);
  if (missing.length > 0) {
    throw new ModernPathFailure(
      'server/discover',
      `it declares less than initialize does (no ${missing.join(', ')})`,
    );
  }
}
