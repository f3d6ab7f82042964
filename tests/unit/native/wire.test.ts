/**
 * native/ is plain JavaScript (Node 20 runs no .ts), so it keeps copies of the wire's constants:
 * this fails when a copy drifts from src/protocol/bridge.ts.
 */
import { expect, it } from 'vitest';
import * as wire from '../../../src/protocol/bridge.ts';
import * as copies from '../../../native/wire.js';

it("native/wire.js's constants equal src/protocol/bridge.ts's", () => {
  expect(copies.BRIDGE_HOST_NAME).toBe(wire.BRIDGE_HOST_NAME);
  expect(copies.BRIDGE_WIRE_VERSION).toBe(wire.BRIDGE_WIRE_VERSION);
  expect(copies.DEFAULT_EXTENSION_ID).toBe(wire.DEFAULT_EXTENSION_ID);
  expect(copies.NATIVE_TO_BROWSER_LIMIT).toBe(wire.NATIVE_TO_BROWSER_LIMIT);
});
