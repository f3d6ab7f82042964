/**
 * Loads a part of the hub that only some requests need (the connection doctor, config import and
 * export) on first use, so the worker starts without it: the worker build puts each such module
 * in a chunk of its own (see vite.config.ts). In Node (tests, benchmarks) it is a plain import.
 *
 * A chunk can fail to load where the whole hub could not: after an update, a hub that is still
 * running (other tabs keep a SharedWorker alive) asks for a chunk of its own version, which the
 * service worker and the server may no longer have. Say so, and what to do, instead of the
 * browser's "Failed to fetch dynamically imported module".
 */
export async function onDemand<T>(what: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new Error(
      `Nexus could not load its ${what} (${error instanceof Error ? error.message : String(error)}). ` +
        'If Nexus was just updated, the hub still running is the old version: close every Nexus ' +
        'tab, then open Nexus again.',
      { cause: error },
    );
  }
}
