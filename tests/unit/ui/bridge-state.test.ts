/**
 * HubState's side of nexus-bridge: the bridge's state is fetched when the dashboard connects and
 * again on every `bridge` event (with the server list, whose local servers say whether they are
 * allowlisted); Add and Refresh ask the hub, and a refusal is said in words in the panel.
 */
import { describe, expect, it } from 'vitest';
import type { BridgeView } from '../../../src/protocol/views.ts';
import { localServerFor } from '../../../src/ui/state/bridge.svelte.ts';
import { until } from '../../support/until.ts';
import { FakeAdmin, connectedHub, localServer } from './fake-hub.ts';

const CONNECTED: BridgeView = {
  state: 'connected',
  hostVersion: '0.3.1',
  extensionVersion: '1.2.0',
  allowlist: '/home/ada/.config/nexus-bridge/allowlist.json',
  servers: [{ name: 'files', command: 'npx', args: ['-y', 'server-filesystem'], envKeys: [] }],
};

describe("HubState's view of nexus-bridge", () => {
  it('fetches the bridge state on connect, and again on every bridge event', async () => {
    const admin = new FakeAdmin();
    admin.bridge = { state: 'no-extension', detail: 'chrome.runtime is missing', servers: [] };
    using hub = await connectedHub(admin);
    expect(admin.calls.bridgeStatus).toBe(1);
    expect(hub.bridge.view).toEqual(admin.bridge);

    admin.bridge = CONNECTED;
    admin.servers = [localServer('files', true)];
    const version = hub.bridge.version;
    admin.emit({ type: 'bridge' });
    await until(() => hub.bridge.view.state === 'connected', 'the new bridge state');
    expect(hub.bridge.view).toEqual(CONNECTED);
    expect(hub.bridge.version).toBe(version + 1);
    // Whether a local server is allowlisted is in the server list: it is fetched again too.
    await until(() => hub.servers.length === 1, 'the new server list');
    expect(hub.servers[0]?.local?.allowlisted).toBe(true);
  });

  it('Add asks the hub to add the allowlisted server by its name, then shows it added', async () => {
    const admin = new FakeAdmin();
    admin.bridge = CONNECTED;
    using hub = await connectedHub(admin);
    expect(localServerFor(hub.servers, 'files')).toBeUndefined();

    const added = await hub.bridge.add('files');
    expect(admin.calls.addBridgeServer).toEqual(['files']);
    expect(added?.local?.bridgeName).toBe('files');
    expect(hub.bridge.error).toBeUndefined();
    await until(() => localServerFor(hub.servers, 'files') !== undefined, 'the added server');
    expect(hub.bridge.adding).toEqual([]);
  });

  it("a refused Add shows the hub's reason in the panel", async () => {
    const admin = new FakeAdmin();
    admin.refuse = new Error(
      "nexus-bridge's allowlist has no server 'files'. Add it in a terminal, then press Refresh.",
    );
    using hub = await connectedHub(admin);
    expect(await hub.bridge.add('files')).toBeUndefined();
    expect(hub.bridge.error).toBe(admin.refuse.message);
    expect(hub.bridge.adding).toEqual([]);
  });

  it('Refresh asks nexus-bridge to read its allowlist again', async () => {
    const admin = new FakeAdmin();
    admin.bridge = CONNECTED;
    using hub = await connectedHub(admin);
    expect(await hub.bridge.refresh()).toBe(true);
    expect(admin.calls.refreshBridge).toBe(1);
    expect(hub.bridge.refreshing).toBe(false);
  });

  it('a failed Refresh says what happened', async () => {
    const admin = new FakeAdmin();
    admin.refuse = new Error('nexus-bridge is not connected.');
    using hub = await connectedHub(admin);
    expect(await hub.bridge.refresh()).toBe(false);
    expect(hub.bridge.error).toBe('nexus-bridge is not connected.');
  });
});
