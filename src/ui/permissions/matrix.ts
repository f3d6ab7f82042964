/**
 * The Permissions matrix (UI.md §3): one row per tool (prompt, resource) of a server, one column
 * for everyone and one per approved client, each cell the switch that client has for that item
 * (`default` when the person set none). Built from the hub's switches for everyone (names,
 * annotations, defaults) and the grants it holds, so one fetch fills every column.
 */
import type {
  ClientRecord,
  Grant,
  GrantTarget,
  Permission,
  SwitchView,
} from '../../protocol/consent.ts';

export type Cell = Permission | 'default';

export interface MatrixColumn {
  /** `undefined`: everyone. */
  client?: Pick<ClientRecord, 'origin' | 'clientName'>;
  label: string;
  /** Stable, unique: `everyone` or the client's key. */
  key: string;
}

export function columnsOf(clients: readonly ClientRecord[]): MatrixColumn[] {
  return [
    { label: 'Everyone', key: 'everyone' },
    ...clients
      .filter((client) => client.state === 'approved')
      .map((client) => ({
        client: { origin: client.origin, clientName: client.clientName },
        label: client.label ?? client.clientName,
        key: JSON.stringify([client.origin, client.clientName]),
      })),
  ];
}

/** A lookup of grants by client key, server, target and name: one pass over all grants. */
export function grantIndex(
  grants: readonly Grant[],
  serverId: string,
  target: GrantTarget,
): Map<string, Permission> {
  const index = new Map<string, Permission>();
  for (const grant of grants) {
    if (grant.serverId !== serverId || grant.target !== target) continue;
    const who = grant.client
      ? JSON.stringify([grant.client.origin, grant.client.clientName])
      : 'everyone';
    index.set(`${who}\n${grant.name}`, grant.permission);
  }
  return index;
}

export function cellOf(
  index: ReadonlyMap<string, Permission>,
  column: MatrixColumn,
  item: Pick<SwitchView, 'name'>,
): Cell {
  return index.get(`${column.key}\n${item.name}`) ?? 'default';
}

/** The words and glyph of a cell's choice: shape and word, never colour alone. */
export const CELL_CHOICES: ReadonlyArray<{ value: Cell; glyph: string; label: string }> = [
  { value: 'default', glyph: '·', label: 'Default' },
  { value: 'allow', glyph: '✓', label: 'Allow' },
  { value: 'ask', glyph: '?', label: 'Ask' },
  { value: 'deny', glyph: '✕', label: 'Deny' },
];
