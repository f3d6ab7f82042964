/**
 * `ConsentPolicy.filter` decides each listed item with the same table as a call: a tool denied by
 * a grant or whose pinned definition changed is dropped, `ask` ones stay. A tool seen in a list is
 * hashed already and decided at once; one never hashed (a list filtered before the hub hashed it)
 * is hashed first. Both paths must give the same answer.
 */
import type { Tool } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { MemoryGrantStore, MemoryPinStore } from '../../../../src/hub/memory-stores.ts';
import { ConsentPolicy } from '../../../../src/hub/policy/consent-policy.ts';
import { fingerprint } from '../../../../src/hub/policy/pins.ts';
import type { ListedOf, Principal } from '../../../../src/hub/policy/policy.ts';
import { FakeClock } from '../../../support/fake-clock.ts';

const principal: Principal = {
  origin: 'http://127.0.0.1:4173',
  clientName: 'Filtered client',
  sessionId: 's1',
};

function tool(name: string, extra: Partial<Tool> = {}): Tool {
  return { name, inputSchema: { type: 'object' }, ...extra };
}

function listed(original: Tool): ListedOf<'tools'> {
  return {
    kind: 'tools',
    serverId: 'srv',
    item: { ...original, name: `x__${original.name}` },
    original,
  };
}

async function approvedPolicy(): Promise<ConsentPolicy> {
  const policy = new ConsentPolicy({
    grants: new MemoryGrantStore(),
    pins: new MemoryPinStore(),
    clock: new FakeClock(),
  });
  await policy.load();
  await policy.decideClient(principal, { state: 'approved' });
  await policy.setGrant({ serverId: 'srv', target: 'tool', name: 'denied', permission: 'deny' });
  // `drifted` was pinned in one form and is now listed in another.
  await policy.pins.observe('srv', [tool('drifted', { description: 'as approved' })], 'person');
  return policy;
}

/** Fresh tool objects each time: a new list from the server is new objects, never hashed. */
function fresh(): ListedOf<'tools'>[] {
  return [
    listed(tool('reader', { annotations: { readOnlyHint: true } })),
    listed(tool('wiper', { annotations: { destructiveHint: true } })),
    listed(tool('denied')),
    listed(tool('drifted', { description: 'changed since' })),
  ];
}

const names = (items: readonly ListedOf<'tools'>[]) => items.map((each) => each.original.name);

describe('ConsentPolicy.filter on tools', () => {
  it('drops denied and changed tools and keeps the ones it would ask about, hashed or not', async () => {
    const policy = await approvedPolicy();
    const unhashed = fresh();
    expect(names(await policy.filter(principal, unhashed))).toEqual(['reader', 'wiper']);

    const hashed = fresh();
    for (const each of hashed) await fingerprint(each.original);
    expect(names(await policy.filter(principal, hashed))).toEqual(['reader', 'wiper']);
  });

  it('returns the same array when every item stays', async () => {
    const policy = await approvedPolicy();
    const kept = fresh().slice(0, 2);
    expect(await policy.filter(principal, kept)).toBe(kept);
  });
});
