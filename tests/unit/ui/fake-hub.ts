/**
 * A stand-in for the hub's admin API, for the dashboard's state classes: `HubState` talks to it
 * over a real MessageChannel through comlink, as it talks to the hub worker. It answers the calls
 * `HubState.connect` makes and the nexus-bridge ones, records what it was asked, and sends change
 * events when a test says so.
 */
import * as Comlink from 'comlink';
import { matchesQuery } from '../../../src/hub/admin/consent-admin.ts';
import type { AdminApi } from '../../../src/protocol/admin-api.ts';
import type { AuditQuery, JournalEvent } from '../../../src/protocol/consent.ts';
import type {
  BridgeView,
  ElicitationView,
  HubEvent,
  InspectorSettings,
  ServerView,
  SessionView,
  SignInRequestView,
  TrafficDetail,
  TrafficView,
} from '../../../src/protocol/views.ts';
import { HubState } from '../../../src/ui/state/hub.svelte.ts';

/** A server view with everything a card reads; `patch` sets the rest. */
export function serverView(
  patch: Partial<ServerView> & Pick<ServerView, 'id' | 'name'>,
): ServerView {
  return {
    slug: patch.id,
    kind: 'remote',
    target: 'https://example.com/mcp',
    headers: [],
    enabled: true,
    timeoutMs: 30_000,
    connectTimeoutMs: 10_000,
    status: { state: 'ready' },
    tools: [],
    counts: { tools: 0, prompts: 0, resources: 0, templates: 0 },
    latencyMs: [],
    since: 0,
    ...patch,
  };
}

/** A local server as the hub shows one it imported from an `mcpServers` file. */
export function localServer(name: string, allowlisted?: boolean): ServerView {
  return serverView({
    id: `id-${name}`,
    name,
    kind: 'stdio',
    target: `npx -y ${name}`,
    local: {
      bridgeName: name,
      addLine: `nexus-bridge add ${name} --env 'API_KEY=<your API_KEY>' -- npx -y ${name}`,
      ...(allowlisted === undefined ? {} : { allowlisted }),
    },
    ...(allowlisted === false ? { note: `not in nexus-bridge's allowlist as '${name}'` } : {}),
  });
}

type FakeAdminApi = Pick<
  AdminApi,
  | 'subscribe'
  | 'listServers'
  | 'listSessions'
  | 'listElicitations'
  | 'listSignInRequests'
  | 'bridgeStatus'
  | 'refreshBridge'
  | 'addBridgeServer'
  | 'traffic'
  | 'trafficDetail'
  | 'inspectorSettings'
  | 'setInspectorSettings'
  | 'auditEvents'
>;

export class FakeAdmin implements FakeAdminApi {
  servers: ServerView[] = [];
  sessions: SessionView[] = [];
  elicitations: ElicitationView[] = [];
  signInRequests: SignInRequestView[] = [];
  bridge: BridgeView = { state: 'connecting', servers: [] };
  /** The Inspector's buffer, oldest first, and the messages in full by sequence number. */
  buffer: TrafficView[] = [];
  trafficDetails: Record<number, TrafficDetail> = {};
  inspector: InspectorSettings = { enabled: true, capacity: 500 };
  /** The audit journal, oldest first (the hub answers newest first, as `auditEvents` does). */
  journal: JournalEvent[] = [];
  /** When set, `auditEvents` waits for it before answering (to hold a fetch in flight). */
  holdAudit: Promise<void> | undefined;
  /** When set, `addBridgeServer` and `refreshBridge` reject with it. */
  refuse: Error | undefined;
  /** How often each method was called, and with what. */
  readonly calls = {
    listServers: 0,
    bridgeStatus: 0,
    refreshBridge: 0,
    addBridgeServer: [] as string[],
    traffic: [] as number[],
    trafficDetail: [] as number[],
    auditEvents: [] as AuditQuery[],
  };
  #listeners: Array<(event: HubEvent) => void> = [];

  async subscribe(listener: (event: HubEvent) => void): Promise<() => void> {
    this.#listeners.push(listener);
    return Comlink.proxy(() => {
      this.#listeners = this.#listeners.filter((each) => each !== listener);
    });
  }

  /** Sends `event` to every subscribed dashboard. */
  emit(event: HubEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  async listServers(): Promise<ServerView[]> {
    this.calls.listServers++;
    return this.servers;
  }
  async listSessions(): Promise<SessionView[]> {
    return this.sessions;
  }
  async listElicitations(): Promise<ElicitationView[]> {
    return this.elicitations;
  }
  async listSignInRequests(): Promise<SignInRequestView[]> {
    return this.signInRequests;
  }

  async traffic(afterSeq: number): Promise<TrafficView[]> {
    this.calls.traffic.push(afterSeq);
    return this.buffer.filter((entry) => entry.seq > afterSeq);
  }
  async trafficDetail(seq: number): Promise<TrafficDetail | undefined> {
    this.calls.trafficDetail.push(seq);
    return this.trafficDetails[seq];
  }
  async inspectorSettings(): Promise<InspectorSettings> {
    return this.inspector;
  }
  async setInspectorSettings(settings: Partial<InspectorSettings>): Promise<InspectorSettings> {
    this.inspector = { ...this.inspector, ...settings };
    return this.inspector;
  }

  async auditEvents(query: AuditQuery): Promise<JournalEvent[]> {
    this.calls.auditEvents.push(query);
    const journal = this.journal;
    await this.holdAudit;
    const matches = journal.filter((event) => matchesQuery(event, query)).reverse();
    return matches.slice(0, query.limit ?? 500);
  }

  async bridgeStatus(): Promise<BridgeView> {
    this.calls.bridgeStatus++;
    return this.bridge;
  }
  async refreshBridge(): Promise<void> {
    this.calls.refreshBridge++;
    if (this.refuse) throw this.refuse;
  }
  async addBridgeServer(name: string): Promise<ServerView> {
    this.calls.addBridgeServer.push(name);
    if (this.refuse) throw this.refuse;
    const server = localServer(name, true);
    this.servers = [...this.servers, server];
    return server;
  }
}

/**
 * A `HubState` connected to `admin` over a MessageChannel, as the dashboard connects to the hub.
 * `Symbol.dispose` ends the session and closes both ports (an open port keeps Node running).
 */
export async function connectedHub(admin: FakeAdmin): Promise<HubState & Disposable> {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(admin, port2);
  const hub = new HubState({
    open: async () => ({
      port: port1,
      sessionId: 'dashboard',
      mode: 'shared',
      text: false,
      release: () => undefined,
    }),
  });
  await hub.connect();
  if (hub.connectionError) throw new Error(hub.connectionError);
  return Object.assign(hub, {
    [Symbol.dispose]() {
      hub.close();
      port2.close();
    },
  });
}
