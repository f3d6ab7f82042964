/**
 * The hub core's public entry, for Node (tests, benchmarks, the conformance runner, embedders) as
 * much as for the worker: `createHub({ policy })` with in-memory stores unless others are passed
 * in, then `hub.connect(transport, principal)` for any SDK `Transport`, and `hub.admin` for what
 * the dashboard does (servers, sessions, the Inspector, answers to the person's queue).
 */
import { openAdminRoom } from './admin/room.ts';
import { HttpFront, type HttpFrontOptions } from './downstream/http-front.ts';
import { Hub, type HubOptions } from './hub.ts';
import {
  MemoryJournalStore,
  MemoryNotesStore,
  MemoryRegistryStore,
  MemoryTokenStore,
} from './memory-stores.ts';
import type { TokenStore } from './ports.ts';
import type { SignInSettings } from './upstream/auth/sign-ins.ts';

/** Every option may be left out but the policy: who may do what is never a silent default. */
export type CreateHubOptions = Partial<Omit<HubOptions, 'signIn'>> &
  Pick<HubOptions, 'policy'> & {
    /** Sign-ins to servers; tokens are kept in memory unless a store is given. */
    signIn?: Omit<SignInSettings, 'tokens'> & { tokens?: TokenStore };
  };

/** A hub with its admin room open: `hub.admin` (and `hub.consentAdmin`) answer at once. */
export async function createHub(options: CreateHubOptions): Promise<Hub> {
  const hub = await Hub.create({
    ...options,
    registry: options.registry ?? new MemoryRegistryStore(),
    notes: options.notes ?? new MemoryNotesStore(),
    journal: options.journal ?? new MemoryJournalStore(),
    signIn: options.signIn && {
      ...options.signIn,
      tokens: options.signIn.tokens ?? new MemoryTokenStore(),
    },
  });
  openAdminRoom(hub);
  return hub;
}

/**
 * The hub over Streamable HTTP (both eras): `fetch(request)` serves one web `Request`. In Node,
 * mount it with `toNodeHandler` from `@modelcontextprotocol/node`; by default only loopback host
 * names and origins get in. `server` (a slug) serves that one server under its own names.
 */
export function createHttpFront(hub: Hub, options: HttpFrontOptions = {}): HttpFront {
  return new HttpFront(hub.frontDeps(), options);
}

export { Hub, type HubOptions } from './hub.ts';
export { HttpFront, LOCAL_PROCESS_ORIGIN, type HttpFrontOptions } from './downstream/http-front.ts';
export { Session } from './downstream/session.ts';
export { Playground, PLAYGROUND_CLIENT_NAME } from './admin/playground.ts';
export { openAdminRoom, type AdminRoom } from './admin/room.ts';
export type * from './ports.ts';
export type * from './policy/policy.ts';
export type * from '../protocol/views.ts';
export { allowAllPolicy } from './policy/allow-all.ts';
export { ConsentPolicy, type ConsentPolicyOptions } from './policy/consent-policy.ts';
export {
  MemoryGrantStore,
  MemoryJournalStore,
  MemoryNotesStore,
  MemoryPinStore,
  MemoryRegistryStore,
  MemoryTokenStore,
} from './memory-stores.ts';
export { randomIds, systemClock } from './platform.ts';
export { SLUG_PATTERN } from './ports.ts';
export { NexusErrorCode } from '../protocol/errors.ts';
