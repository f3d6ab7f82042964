/**
 * The admin room is opened on a running hub, not built with it (src/hub/admin/room.ts): the
 * worker's start chunk leaves it out and loads it when the first dashboard connects. These tests
 * pin down what that contract promises: a hub made with `Hub.create` has no admin room until it is
 * opened (and says how to open it), opening twice gives the same room, `createHub` (the Node
 * entry) opens it, and the consent side exists exactly when the policy is the person's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  allowAllPolicy,
  ConsentPolicy,
  createHub,
  Hub,
  MemoryGrantStore,
  MemoryJournalStore,
  MemoryNotesStore,
  MemoryPinStore,
  MemoryRegistryStore,
  openAdminRoom,
  systemClock,
  type Policy,
} from '../../../../src/hub/index.ts';

const hubs: Hub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});

async function bareHub(policy: Policy = allowAllPolicy): Promise<Hub> {
  const hub = await Hub.create({
    policy,
    registry: new MemoryRegistryStore(),
    notes: new MemoryNotesStore(),
    journal: new MemoryJournalStore(),
  });
  hubs.push(hub);
  return hub;
}

function personPolicy(): ConsentPolicy {
  return new ConsentPolicy({
    grants: new MemoryGrantStore(),
    pins: new MemoryPinStore(),
    clock: systemClock,
  });
}

describe('the admin room', () => {
  it('is not open on a hub made with Hub.create, and says how to open it', async () => {
    const hub = await bareHub();
    expect(() => hub.admin).toThrow(/openAdminRoom\(hub\)/);
    expect(() => hub.consentAdmin).toThrow(/openAdminRoom\(hub\)/);
  });

  it('opens once: a second opening returns the same room, and hub.admin is its service', async () => {
    const hub = await bareHub();
    const room = openAdminRoom(hub);
    expect(openAdminRoom(hub)).toBe(room);
    expect(hub.admin).toBe(room.service);
    await hub.whenStarted();
    expect(hub.admin.listServers().map((server) => server.slug)).toEqual(['nexus']);
  });

  it('has a consent side only when the policy is the person’s', async () => {
    expect(openAdminRoom(await bareHub()).consent).toBeUndefined();
    const room = openAdminRoom(await bareHub(personPolicy()));
    expect(room.consent).toBeDefined();
    expect(room.consent?.requests()).toEqual({ consent: [], approvals: [], changedDefinitions: 0 });
  });

  it('is open on a hub made by createHub, the Node entry', async () => {
    const hub = await createHub({ policy: personPolicy() });
    hubs.push(hub);
    expect(hub.admin.listSessions()).toEqual([]);
    expect(hub.consentAdmin).toBeDefined();
  });
});
