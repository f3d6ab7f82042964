/**
 * The platform defaults of the hub's injected pieces: the one place in src/hub that reads the
 * real clock, timers and random sources (a lint rule forbids them elsewhere). The worker and the
 * Node entry pass these in; tests pass fakes (tests/support/fake-clock.ts), which is what lets a
 * test drive backoff, deadlines and expiry without waiting.
 */
import type { Clock, Ids } from './ports.ts';

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const randomIds: Ids = { next: () => crypto.randomUUID() };

/** Uniform in [0, 1): the jitter of reconnection backoff. */
export const systemRandom = (): number => Math.random();
