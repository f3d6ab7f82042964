/**
 * The keys the person's decisions are found by, one definition for the policy's maps and the
 * memory stores (whose order follows IndexedDB's for the same arrays, src/store/grant-store.ts):
 * a client is `[origin, clientName]`; a grant `[origin, clientName, serverId, target, name]`,
 * with '' '' for a grant for everyone. JSON text, so no separator can be forged by a name.
 */
import type { ClientId, GrantKey } from '../ports.ts';

export function clientKey(client: ClientId): string {
  return JSON.stringify([client.origin, client.clientName]);
}

export function grantKey(grant: GrantKey): string {
  return JSON.stringify([
    grant.client?.origin ?? '',
    grant.client?.clientName ?? '',
    grant.serverId,
    grant.target,
    grant.name,
  ]);
}
