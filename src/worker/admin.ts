/**
 * The admin API as the worker serves it over comlink: a thin shell over the hub that adds the
 * hub's mode and ties change-feed listeners to the dashboard tab's life.
 */
import * as Comlink from 'comlink';
import { HUB_VERSION, type Hub } from '../hub/hub.ts';
import { Playground } from '../hub/admin/playground.ts';
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
  const unwatch = hub.inspector.watch();
  const api: AdminApi = {
    mode: async () => mode,
    listServers: async () => hub.listServers(),
    addServer: (input) => hub.addServer(input),
    editServer: (id, input) => hub.editServer(id, input),
    removeServer: (id) => hub.removeServer(id),
    setEnabled: (id, enabled) => hub.setEnabled(id, enabled),
    restartServer: async (id) => hub.restartServer(id),
    serverDetail: async (id) => hub.serverDetail(id),
    listSessions: async () => hub.listSessions(),
    disconnectSession: (sessionId) => hub.disconnectSession(sessionId),
    callTool: (name, args) => playground.callTool(name, args),
    readResource: (uri) => playground.readResource(uri),
    getPrompt: (name, args) => playground.getPrompt(name, args),
    complete: (params) => playground.complete(params),
    playgroundLists: () => playground.lists(),
    traffic: async (afterSeq) => hub.traffic(afterSeq),
    trafficDetail: async (seq) => hub.trafficDetail(seq),
    inspectorSettings: async () => hub.inspectorSettings(),
    setInspectorSettings: (settings) => hub.setInspectorSettings(settings),
    activity: async () => hub.activityViews(),
    diagnoseServer: (id) => hub.diagnoseServer(id, { origin, protocol: new URL(origin).protocol }),
    listResourceCollisions: async () => hub.resourceCollisions(),
    importConfig: (text) => hub.importConfig(text),
    exportConfig: async (format) => hub.exportConfig(format),
    listElicitations: async () => hub.listElicitations(),
    answerElicitation: async (id, answer) => hub.answerElicitation(id, answer),
    subscribe: async (listener) => {
      // `listener` is a comlink proxy: each call is a message to the tab. Calls are fire-and-forget
      // so a slow tab never stalls the hub.
      const remote = listener as ((event: HubEvent) => Promise<void>) &
        Partial<Comlink.ProxyMarked>;
      const stop = hub.subscribe((event) => void Promise.resolve(remote(event)).catch(() => {}));
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
