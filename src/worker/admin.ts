/**
 * The admin API as the worker serves it over comlink: a thin shell over the hub's admin room that
 * adds the hub's mode and ties change-feed listeners to the dashboard tab's life. The worker
 * loads this module (with the admin room, the Playground and comlink) when its first dashboard
 * connects: a hub that only serves client pages never does.
 */
import * as Comlink from 'comlink';
import { HUB_VERSION, type Hub } from '../hub/hub.ts';
import { Playground } from '../hub/admin/playground.ts';
import { openAdminRoom } from '../hub/admin/room.ts';
import type { AdminApi, HubEvent } from '../protocol/admin-api.ts';

export interface AdminHandle {
  api: AdminApi;
  /** Drops every listener of this dashboard tab (called when the tab is gone). */
  dispose(): void;
}

export function createAdminApi(
  hub: Hub,
  mode: 'shared' | 'dedicated',
  origin: string,
): AdminHandle {
  const unsubscribers = new Set<() => void>();
  const playground = new Playground(hub, origin, HUB_VERSION);
  // An open dashboard is someone who may look: the Inspector records while one is.
  const unwatch = hub.recorder.inspector.watch();
  const room = openAdminRoom(hub);
  const admin = room.service;
  const consent = () => {
    if (!room.consent) throw new Error("This hub runs without the person's consent policy.");
    return room.consent;
  };
  const api: AdminApi = {
    mode: async () => mode,
    listServers: async () => admin.listServers(),
    addServer: (input) => admin.addServer(input),
    editServer: (id, input) => admin.editServer(id, input),
    removeServer: (id) => admin.removeServer(id),
    setEnabled: (id, enabled) => admin.setEnabled(id, enabled),
    restartServer: async (id) => admin.restartServer(id),
    serverDetail: async (id, limit) => admin.serverDetail(id, limit),
    toolDefinition: async (name) => admin.toolDefinition(name),
    listSessions: async () => admin.listSessions(),
    disconnectSession: (sessionId) => admin.disconnectSession(sessionId),
    callTool: (name, args) => playground.callTool(name, args),
    readResource: (uri) => playground.readResource(uri),
    getPrompt: (name, args) => playground.getPrompt(name, args),
    complete: (params) => playground.complete(params),
    playgroundLists: () => playground.lists(),
    traffic: async (afterSeq) => admin.traffic(afterSeq),
    trafficDetail: async (seq) => admin.trafficDetail(seq),
    inspectorSettings: async () => admin.inspectorSettings(),
    setInspectorSettings: (settings) => admin.setInspectorSettings(settings),
    activity: async () => admin.activityViews(),
    startSignIn: (serverId) => admin.startSignIn(serverId),
    signOut: (serverId) => admin.signOut(serverId),
    listSignInRequests: async () => admin.listSignInRequests(),
    dismissSignIn: async (id) => admin.dismissSignIn(id),
    diagnoseServer: (id) =>
      admin.diagnoseServer(id, { origin, protocol: new URL(origin).protocol }),
    listResourceCollisions: async () => admin.resourceCollisions(),
    importConfig: (text) => admin.importConfig(text),
    exportConfig: async (format) => admin.exportConfig(format),
    listElicitations: async () => admin.listElicitations(),
    answerElicitation: async (id, answer) => admin.answerElicitation(id, answer),
    consentRequests: async () => consent().requests(),
    answerConsent: async (id, answer) => consent().answerConsent(id, answer),
    answerClientApproval: async (id, answer) => consent().answerClientApproval(id, answer),
    permissions: async () => consent().permissions(),
    switches: async (serverId, target, client) => consent().switches(serverId, target, client),
    decideClient: async (client, decision) => {
      await consent().decideClient(client, decision);
    },
    revokeClient: (client) => consent().revokeClient(client),
    forgetClient: (client) => consent().forgetClient(client),
    revokeAll: () => consent().revokeAll(),
    setGrant: (grant) => consent().setGrant(grant),
    removeGrant: (key) => consent().removeGrant(key),
    setConsentSettings: (settings) => consent().setSettings(settings),
    approveDefinition: (serverId, tool) => consent().approveDefinition(serverId, tool),
    rejectDefinition: (serverId, tool) => consent().rejectDefinition(serverId, tool),
    exportDecisions: async () => consent().exportDecisions(),
    importDecisions: (text) => consent().importDecisions(text),
    auditEvents: (query) => consent().auditEvents(query),
    exportAudit: (query) => consent().exportAudit(query),
    bridgeStatus: async () => admin.bridgeStatus(),
    refreshBridge: async () => admin.refreshBridge(),
    addBridgeServer: (name) => admin.addBridgeServer(name),
    subscribe: async (listener) => {
      // `listener` is a comlink proxy: each call is a message to the tab. Calls are fire-and-forget
      // so a slow tab never stalls the hub.
      const remote = listener as ((event: HubEvent) => Promise<void>) &
        Partial<Comlink.ProxyMarked>;
      const stop = hub.events.subscribe(
        (event) => void Promise.resolve(remote(event)).catch(() => {}),
      );
      const unsubscribe = () => {
        stop();
        unsubscribers.delete(unsubscribe);
        (remote as unknown as { [Comlink.releaseProxy]?: () => void })[Comlink.releaseProxy]?.();
      };
      unsubscribers.add(unsubscribe);
      return Comlink.proxy(unsubscribe);
    },
  };
  return {
    api,
    dispose: () => {
      for (const unsubscribe of [...unsubscribers]) unsubscribe();
      void playground.close();
      unwatch();
    },
  };
}

/**
 * Serves the admin API on a dashboard's port (before the welcome: once the port is started, a
 * message with no listener is lost). Returns what ends it when the tab is gone.
 */
export function exposeAdmin(
  hub: Hub,
  port: MessagePort,
  mode: 'shared' | 'dedicated',
  origin: string,
): () => void {
  const admin = createAdminApi(hub, mode, origin);
  Comlink.expose(admin.api, port);
  return () => {
    admin.dispose();
    port.close();
  };
}
