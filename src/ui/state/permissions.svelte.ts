/**
 * The Permissions page's state: the person's decisions as the hub holds them (clients, grants,
 * settings, pins, changed definitions), refetched when they change, and every edit, each one a
 * call to the hub that reports a failure in words (`error`) instead of throwing into the page.
 */
import type {
  ClientDecision,
  ClientId,
  ConsentSettings,
  Permission,
  PermissionsView,
  GrantTarget,
  SwitchView,
} from '../../protocol/consent.ts';
import type * as Comlink from 'comlink';
import type { AdminApi } from '../../protocol/admin-api.ts';
import { downloadText } from '../app/download.ts';
import type { HubState } from './hub.svelte.ts';

type Api = Comlink.Remote<AdminApi>;

export class PermissionsState {
  view = $state.raw<PermissionsView | undefined>(undefined);
  error = $state.raw<string | undefined>(undefined);
  /** The server and kind of item the matrix shows (its rows: the switches for everyone). */
  serverId = $state<string>('');
  target = $state<GrantTarget>('tool');
  items = $state.raw<SwitchView[]>([]);

  constructor(private readonly hub: HubState) {}

  async load(): Promise<void> {
    await this.#try(async () => {
      this.view = await this.hub.query((api) => api.permissions());
      await this.loadItems();
    });
  }

  async loadItems(): Promise<void> {
    if (!this.serverId) {
      this.items = [];
      return;
    }
    const { serverId, target } = this;
    await this.#try(async () => {
      this.items = await this.hub.query((api) => api.switches(serverId, target));
    });
  }

  /**
   * Sets switches of the matrix, one cell or a whole row or column at once (one read back at
   * the end). `default` removes the grant. The first failure stops the rest and is reported.
   */
  setCells(
    cells: ReadonlyArray<{ name: string; client?: ClientId; permission: Permission | 'default' }>,
  ): Promise<void> {
    const { serverId, target } = this;
    return this.#edit(async (api) => {
      for (const { name, client, permission } of cells) {
        const key = { ...(client ? { client } : {}), serverId, target, name };
        if (permission === 'default') await api.removeGrant(key);
        else await api.setGrant({ ...key, permission });
      }
    });
  }

  decide(client: ClientId, decision: ClientDecision): Promise<void> {
    return this.#edit((api) => api.decideClient(client, decision));
  }

  revoke(client: ClientId): Promise<void> {
    return this.#edit((api) => api.revokeClient(client));
  }

  revokeAll(): Promise<void> {
    return this.#edit((api) => api.revokeAll());
  }

  forget(client: ClientId): Promise<void> {
    return this.#edit((api) => api.forgetClient(client));
  }

  saveSettings(settings: ConsentSettings): Promise<void> {
    return this.#edit((api) => api.setConsentSettings(settings));
  }

  approveDefinition(serverId: string, tool: string): Promise<void> {
    return this.#edit((api) => api.approveDefinition(serverId, tool));
  }

  rejectDefinition(serverId: string, tool: string): Promise<void> {
    return this.#edit((api) => api.rejectDefinition(serverId, tool));
  }

  /** Downloads the decisions file (call from a click). */
  async exportDecisions(): Promise<void> {
    await this.#try(async () => {
      const text = await this.hub.query((api) => api.exportDecisions());
      downloadText('nexus-decisions.json', text);
    });
  }

  importDecisions(text: string): Promise<void> {
    return this.#edit((api) => api.importDecisions(text));
  }

  async #edit(call: (api: Api) => Promise<unknown>): Promise<void> {
    let failed: string | undefined;
    try {
      await this.hub.query(call);
    } catch (failure) {
      failed = (failure as Error).message;
    }
    // Read back what is true now (a failed edit changed nothing, a good one changed the view),
    // then say what failed, if anything.
    await this.load();
    if (failed) this.error = failed;
  }

  async #try(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
      this.error = undefined;
    } catch (failure) {
      this.error = (failure as Error).message;
    }
  }
}

export function keyOf(client: ClientId): string {
  return JSON.stringify([client.origin, client.clientName]);
}
