/**
 * The Permissions matrix's cells: everyone first, then approved clients only; each cell is that
 * column's own grant for the item on this server and kind, `default` where none is set.
 */
import { describe, expect, it } from 'vitest';
import type { ClientRecord, Grant } from '../../../src/protocol/consent.ts';
import { cellOf, columnsOf, grantIndex } from '../../../src/ui/permissions/matrix.ts';

const client = (
  clientName: string,
  state: ClientRecord['state'],
  label?: string,
): ClientRecord => ({
  origin: 'http://127.0.0.1:1',
  clientName,
  state,
  decidedAt: 0,
  ...(label ? { label } : {}),
});

describe('the permissions matrix', () => {
  it('has a column for everyone and one per approved client, named as the person named it', () => {
    const columns = columnsOf([
      client('a', 'approved', 'My agent'),
      client('b', 'denied'),
      client('c', 'approved'),
    ]);
    expect(columns.map((c) => c.label)).toEqual(['Everyone', 'My agent', 'c']);
    expect(new Set(columns.map((c) => c.key)).size).toBe(3);
    expect(columns[0]!.client).toBeUndefined();
  });

  it('reads each cell from the grants of this server and kind only', () => {
    const [everyone, a] = columnsOf([client('a', 'approved')]);
    const grants: Grant[] = [
      { serverId: 's1', target: 'tool', name: 'look', permission: 'allow', grantedAt: 0 },
      {
        client: a!.client,
        serverId: 's1',
        target: 'tool',
        name: 'look',
        permission: 'deny',
        grantedAt: 0,
      },
      {
        client: a!.client,
        serverId: 's2',
        target: 'tool',
        name: 'wipe',
        permission: 'ask',
        grantedAt: 0,
      },
      {
        client: a!.client,
        serverId: 's1',
        target: 'prompt',
        name: 'wipe',
        permission: 'ask',
        grantedAt: 0,
      },
    ];
    const index = grantIndex(grants, 's1', 'tool');
    expect(cellOf(index, everyone!, { name: 'look' })).toBe('allow');
    expect(cellOf(index, a!, { name: 'look' })).toBe('deny');
    expect(cellOf(index, a!, { name: 'wipe' })).toBe('default');
    // A name with a newline cannot pose as another column's key.
    expect(cellOf(index, everyone!, { name: `look\nx` })).toBe('default');
  });
});
