/**
 * The admin room opened on a running hub: the dashboard's service and, when the policy is the
 * person's, its consent side. The hub does not build these itself, so that the worker's start
 * chunk does not carry them: a hub serving only client pages never needs them. Node's
 * `createHub` (../index.ts) opens the room at once; the worker when its first dashboard connects
 * (src/worker/admin.ts, a chunk loaded on demand).
 */
import type { Hub } from '../hub.ts';
import { ConsentAdmin } from './consent-admin.ts';
import { AdminService } from './service.ts';

export interface AdminRoom {
  service: AdminService;
  /** Undefined when the hub runs without the person's consent policy. */
  consent: ConsentAdmin | undefined;
}

/** Opens the admin room on `hub`, once: later calls return the same room. */
export function openAdminRoom(hub: Hub): AdminRoom {
  return hub.openAdmin(({ consent, audit, ...deps }) => ({
    service: new AdminService(deps),
    consent:
      consent &&
      new ConsentAdmin({ policy: consent, person: deps.person, router: deps.router, audit }),
  }));
}
