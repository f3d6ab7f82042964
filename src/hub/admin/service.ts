/**
 * The admin service: what the dashboard may see and do, as plain views (../../protocol/views.ts)
 * that never hold a live object or a secret. The worker exposes it over comlink
 * (src/worker/admin.ts adds the hub's mode and the change feed's proxies); Node code and tests
 * call it as `hub.admin`. It reads the rooms; the changes go to the room that owns them
 * (servers to the registry, answers to the person queue, settings to the protocol recorder).
 */
import type { FetchLike, Tool } from '@modelcontextprotocol/client';
import type { Diagnosis } from '../../protocol/doctor.ts';
import type {
  ActivityView,
  BridgeView,
  ElicitationAnswer,
  ElicitationView,
  ImportSummary,
  InspectorSettings,
  ResourceCollision,
  ServerDetail,
  ServerInput,
  ServerView,
  SessionView,
  SignInRequestView,
  TrafficDetail,
  TrafficView,
} from '../../protocol/views.ts';
import type { Session } from '../downstream/session.ts';
import type { Activity } from '../journal/activity.ts';
import type { ProtocolRecorder } from '../journal/recorder.ts';
import { redact } from '../journal/redaction.ts';
import { jsonOf } from '../journal/untrusted-json.ts';
import { elicitationViews } from '../person/elicitation.ts';
import type { PersonQueue } from '../person/queue.ts';
import type { SignInRequests } from '../person/sign-in-requests.ts';
import { NO_SIGN_IN, signsIn, type SignIns } from '../upstream/auth/sign-ins.ts';
import type { Servers } from '../registry/servers.ts';
import type { Router } from '../router/router.ts';
import type { Upstream } from '../upstream/upstream.ts';
import type { HubEvents } from './events.ts';
import { onDemand } from './on-demand.ts';
import {
  curlOf,
  toServerDetail,
  toServerView,
  toSessionView,
  toTrafficView,
  type ViewExtras,
} from './view-mapping.ts';
import { addLine } from '../upstream/bridge/add-line.ts';
import type { BridgeLink } from '../upstream/bridge/link.ts';
import { bridgeName } from '../upstream/connectors/bridge.ts';

export interface AdminServiceOptions {
  upstreams: ReadonlyMap<string, Upstream>;
  sessions: ReadonlyMap<string, Session>;
  router: Router;
  servers: Servers;
  recorder: ProtocolRecorder;
  activity: Activity;
  person: PersonQueue;
  events: HubEvents;
  /** The fetch the doctor probes with (the HTTP connector's). */
  fetch: FetchLike | undefined;
  /** Sign-ins to servers, when the hub has them (`HubOptions.signIn`). */
  signIns: SignIns | undefined;
  signInRequests: SignInRequests;
  /** The link to nexus-bridge (local servers). */
  bridge: BridgeLink;
}

export class AdminService {
  constructor(private readonly options: AdminServiceOptions) {}

  // ---------------------------------------------------------------- servers

  listServers(): ServerView[] {
    return [...this.options.upstreams.values()].map((upstream) => this.#view(upstream));
  }

  /** One server in full, for its page in the dashboard. */
  serverDetail(id: string, limit = Infinity): ServerDetail {
    const upstream = this.options.servers.upstream(id);
    return toServerDetail(
      upstream,
      {
        tool: this.#exposed(upstream, 'tool'),
        prompt: this.#exposed(upstream, 'prompt'),
        template: this.#exposed(upstream, 'template'),
      },
      limit,
      {
        ...this.#extras(upstream),
        ...(upstream.entry.kind === 'stdio'
          ? { localLog: [...this.options.bridge.logs(bridgeName(upstream.entry))] }
          : {}),
      },
    );
  }

  /** One tool's definition by its exposed name, without the rest of its server's catalog. */
  toolDefinition(name: string): (Tool & { upstreamName: string }) | undefined {
    let route;
    try {
      route = this.options.router.route('tool', name, undefined);
    } catch {
      return undefined;
    }
    const tool = this.options.router.definition('tool', route);
    return tool && { ...tool, name, upstreamName: tool.name };
  }

  async addServer(input: ServerInput): Promise<ServerView> {
    return this.#view(await this.options.servers.add(input));
  }

  async editServer(id: string, input: Partial<ServerInput>): Promise<ServerView> {
    return this.#view(await this.options.servers.edit(id, input));
  }

  removeServer(id: string): Promise<void> {
    return this.options.servers.remove(id);
  }

  setEnabled(id: string, enabled: boolean): Promise<void> {
    return this.options.servers.setEnabled(id, enabled);
  }

  restartServer(id: string): void {
    this.options.servers.restart(id);
  }

  importConfig(text: string): Promise<ImportSummary> {
    return this.options.servers.importConfig(text);
  }

  exportConfig(format: 'mcpServers' | 'vscode'): Promise<string> {
    return this.options.servers.exportConfig(format);
  }

  /** URIs that more than one server lists, and which one serves each (the first registered). */
  resourceCollisions(): ResourceCollision[] {
    return this.options.router.resourceCollisions();
  }

  /**
   * Probes a remote server's address with its stored headers and says what is wrong (see
   * ../doctor/). `page` is where the dashboard runs: mixed content and CORS depend on it.
   */
  async diagnoseServer(id: string, page: { origin: string; protocol: string }): Promise<Diagnosis> {
    const entry = this.options.servers.upstream(id).entry;
    if (entry.kind !== 'remote') {
      throw new Error(
        `Server '${entry.slug}' is not reached over HTTP, so there is no connection to diagnose.`,
      );
    }
    const { diagnose } = await onDemand('connection doctor', () => import('../doctor/doctor.ts'));
    return diagnose(
      {
        url: entry.url,
        headers: entry.headers.filter((header) => header.name.trim() !== ''),
        pageOrigin: page.origin,
        pageProtocol: page.protocol,
        signsIn: this.options.signIns !== undefined && signsIn(entry),
      },
      this.options.fetch ?? ((url, init) => fetch(url, init)),
    );
  }

  // ---------------------------------------------------------------- clients

  listSessions(): SessionView[] {
    return [...this.options.sessions.values()].map((session) =>
      toSessionView(
        session,
        session.scope === undefined ? undefined : this.options.router.slugOf(session.scope),
      ),
    );
  }

  /** Ends a client's session (the dashboard's Disconnect); the client sees its transport close. */
  async disconnectSession(sessionId: string): Promise<void> {
    const session = this.options.sessions.get(sessionId);
    if (!session) throw new Error('That client has already disconnected.');
    await session.close();
  }

  // ---------------------------------------------------------------- sign-ins

  /** Starts the person's sign-in to a server: the URL for the popup, or none (refreshed). */
  startSignIn(serverId: string): Promise<{ authorizationUrl?: string }> {
    return this.#signIns().start(serverId);
  }

  signOut(serverId: string): Promise<void> {
    return this.#signIns().signOut(serverId);
  }

  listSignInRequests(): SignInRequestView[] {
    return this.options.signInRequests.list();
  }

  dismissSignIn(id: string): void {
    this.options.signInRequests.dismiss(id);
  }

  #signIns(): SignIns {
    if (!this.options.signIns) throw new Error(NO_SIGN_IN);
    return this.options.signIns;
  }

  // ---------------------------------------------------------------- the person

  listElicitations(): ElicitationView[] {
    return elicitationViews(this.options.person);
  }

  /** The person's answer to an elicitation shown in the dashboard. */
  answerElicitation(id: string, answer: ElicitationAnswer): void {
    this.options.person.answer(id, answer);
  }

  // ---------------------------------------------------------------- the Inspector and activity

  /** The Inspector's messages after `afterSeq`, oldest first. */
  traffic(afterSeq = 0): TrafficView[] {
    return this.options.recorder.inspector.entries(afterSeq).map(toTrafficView);
  }

  /** One message in full; undefined once it has left the buffer. */
  trafficDetail(seq: number): TrafficDetail | undefined {
    const entry = this.options.recorder.inspector.entry(seq);
    if (!entry) return undefined;
    if (entry.message === undefined) {
      // Only its beginning is kept: say so, with the size of the whole.
      return { json: entry.preview ?? '', truncated: true };
    }
    // Redacted like the journal: a server that echoes a token does not get it shown.
    const json = redact(jsonOf(entry.message, 2), this.secrets());
    const upstream =
      entry.side === 'server' && entry.direction === 'out' && entry.serverId
        ? this.options.upstreams.get(entry.serverId)
        : undefined;
    const curl =
      upstream &&
      curlOf(upstream, entry.message, this.options.signIns?.view(upstream.entry)?.signedIn);
    return curl ? { json, curl } : { json };
  }

  inspectorSettings(): InspectorSettings {
    return this.options.recorder.settings();
  }

  async setInspectorSettings(settings: Partial<InspectorSettings>): Promise<InspectorSettings> {
    const now = await this.options.recorder.setSettings(settings);
    this.options.events.emit({ type: 'traffic' });
    return now;
  }

  /** Calls, errors and latency of every server over the last minutes. */
  activityViews(): ActivityView[] {
    const { activity } = this.options;
    return [...this.options.upstreams.values()].map((upstream) => ({
      serverId: upstream.id,
      slug: upstream.entry.slug,
      name: upstream.entry.name,
      series: activity.series(upstream.id),
      recent: activity.summary(upstream.id, 5 * 60_000),
    }));
  }

  /** Every secret value the hub holds now: what no log or view may show (see redaction.ts). */
  secrets(): string[] {
    return this.options.servers.secrets();
  }

  #view(upstream: Upstream): ServerView {
    return toServerView(upstream, this.#exposed(upstream, 'tool'), this.#extras(upstream));
  }

  #extras(upstream: Upstream): ViewExtras {
    const entry = upstream.entry;
    if (entry.kind !== 'stdio') return { signIn: this.options.signIns?.view(entry) };
    const bridge = this.options.bridge;
    const name = bridgeName(entry);
    return {
      local: {
        bridgeName: name,
        addLine: addLine(entry),
        ...(bridge.connected
          ? { allowlisted: bridge.view.servers.some((server) => server.name === name) }
          : {}),
      },
    };
  }

  // ---------------------------------------------------------------- local servers (nexus-bridge)

  bridgeStatus(): BridgeView {
    return this.options.bridge.view;
  }

  /** Asks nexus-bridge for its allowlist again (after `nexus-bridge add` in a terminal). */
  refreshBridge(): void {
    this.options.bridge.refresh();
  }

  /**
   * Adds the allowlisted server `name` as a local server (or starts the entry that already
   * names it). The command line comes from the bridge's allowlist, for the dashboard to show.
   */
  async addBridgeServer(name: string): Promise<ServerView> {
    const bridge = this.options.bridge;
    const info = bridge.view.servers.find((server) => server.name === name);
    if (!info) {
      throw new Error(
        `nexus-bridge's allowlist has no server '${name}'. Add it in a terminal ("nexus-bridge add ${name} -- COMMAND …"), then press Refresh.`,
      );
    }
    const existing = [...this.options.upstreams.values()].find(
      (upstream) => upstream.entry.kind === 'stdio' && bridgeName(upstream.entry) === name,
    );
    if (existing) {
      if (existing.status.state !== 'ready') existing.start();
      return this.#view(existing);
    }
    const free = ![...this.options.upstreams.values()].some(
      (upstream) => upstream.entry.slug === name,
    );
    return this.#view(
      await this.options.servers.addEntry({
        kind: 'stdio',
        name,
        ...(free ? { slug: name } : {}),
        bridge: name,
        enabled: true,
        command: info.command,
        args: [...info.args],
        // The names only: the values stay in the bridge's allowlist (the add line and an
        // export show them as placeholders to fill in).
        env: info.envKeys.map((name) => ({ name, value: '', secret: true })),
      }),
    );
  }

  #exposed(upstream: Upstream, kind: 'tool' | 'prompt' | 'template'): Map<string, string> {
    const items =
      kind === 'tool'
        ? upstream.catalog.tools
        : kind === 'prompt'
          ? upstream.catalog.prompts
          : upstream.catalog.templates;
    return this.options.router.names.assign(
      upstream.id,
      upstream.entry.slug,
      kind,
      items.map((item) => item.name),
    ).exposed;
  }
}
