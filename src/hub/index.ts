/**
 * The hub core's public entry, for Node (tests, benchmarks, the conformance runner) as much as for
 * the worker: `createHub()` with in-memory stores unless others are passed in, then
 * `hub.connect(transport, principal)` for any SDK `Transport`.
 */
import { Hub, type HubOptions } from './hub.ts';
import { MemoryJournalStore, MemoryNotesStore, MemoryRegistryStore } from './memory-stores.ts';

export type CreateHubOptions = Partial<HubOptions>;

export function createHub(options: CreateHubOptions = {}): Promise<Hub> {
  return Hub.create({
    ...options,
    registry: options.registry ?? new MemoryRegistryStore(),
    notes: options.notes ?? new MemoryNotesStore(),
    journal: options.journal ?? new MemoryJournalStore(),
  });
}

export { Hub, type HubOptions } from './hub.ts';
export { Session } from './downstream/session.ts';
export { Playground, PLAYGROUND_CLIENT_NAME } from './admin/playground.ts';
export type * from './ports.ts';
export type * from '../protocol/views.ts';
export { allowAllPolicy, systemClock, SLUG_PATTERN } from './ports.ts';
