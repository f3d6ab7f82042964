// @ts-check
/**
 * The constants of the bridge wire that nexus-bridge needs at run time. They are copies of the
 * ones in src/protocol/bridge.ts (the one definition of the wire): Node 20 cannot import .ts, and
 * the bridge must run from the repo and as an npm bin without a build step.
 * tests/unit/native/wire.test.ts fails when a copy drifts from its original.
 */

/** src/protocol/bridge.ts BRIDGE_HOST_NAME: the host manifest is `<name>.json`. */
export const BRIDGE_HOST_NAME = 'dev.nexus.bridge';

/** src/protocol/bridge.ts BRIDGE_WIRE_VERSION: a hello with another one is refused. */
export const BRIDGE_WIRE_VERSION = 1;

/** src/protocol/bridge.ts DEFAULT_EXTENSION_ID: the companion extension's id (fixed by its key). */
export const DEFAULT_EXTENSION_ID = 'ecegeiokejnenlkhcmkmcadbhbimbhai';

/** src/protocol/bridge.ts NATIVE_TO_BROWSER_LIMIT: Chrome refuses a host message above 1 MiB. */
export const NATIVE_TO_BROWSER_LIMIT = 1024 * 1024;
