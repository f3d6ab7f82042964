/**
 * The hub worker: the composition root. Built to the fixed URL `/nexus-hub.js` and started as the
 * SharedWorker `nexus-hub` (one hub for every tab of this origin), or, where SharedWorker is
 * missing, as a dedicated Worker per tab (./serve.ts).
 *
 * Origins: only same-origin pages can construct this SharedWorker (and a dedicated Worker belongs
 * to the page that made it), so every port comes from this origin; each session's principal gets
 * the origin the browser vouches for with the port, never one the page declares.
 */
/// <reference lib="webworker" />
import { systemClock } from '../hub/platform.ts';
import { ConsentPolicy } from '../hub/policy/consent-policy.ts';
import { IdbGrantStore } from '../store/grant-store.ts';
import { IdbPinStore } from '../store/pin-store.ts';
import { notifyThroughServiceWorker } from './notify.ts';
import { serveHub } from './serve.ts';

serveHub({
  // The person decides: clients are approved, tools allowed, asked or denied, definitions
  // pinned, all kept in this database (DESIGN, "Consent, grants and pins").
  policy: (db) =>
    new ConsentPolicy({
      grants: new IdbGrantStore(db),
      pins: new IdbPinStore(db),
      clock: systemClock,
    }),
  notify: notifyThroughServiceWorker,
});
