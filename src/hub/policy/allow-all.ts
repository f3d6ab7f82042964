/**
 * A policy that allows every action and shows every item. A named double for tests, benchmarks
 * and the conformance runner, and what the worker passes until the person's consent (grants and
 * pins) replaces it: the hub never falls back to it on its own.
 */
import type { Policy } from './policy.ts';

export const allowAllPolicy: Policy = {
  authorize: () => 'allow',
  filter: (_principal, items) => items,
};
