import { describe, expect, it } from 'vitest';
import { onDemand } from '../../../../src/hub/admin/on-demand.ts';

describe('onDemand', () => {
  it('gives what the loader loads', async () => {
    await expect(onDemand('config exporter', async () => ({ answer: 42 }))).resolves.toEqual({
      answer: 42,
    });
  });

  it('says which part could not load, and what to do, keeping the cause', async () => {
    const cause = new TypeError(
      'Failed to fetch dynamically imported module: https://nexus.test/hub/doctor-old.js',
    );
    const failed = onDemand('connection doctor', () => Promise.reject(cause));
    await expect(failed).rejects.toThrow(
      /^Nexus could not load its connection doctor \(Failed to fetch .*doctor-old\.js\)\. If Nexus was just updated, .*close every Nexus tab, then open Nexus again\.$/,
    );
    await expect(failed).rejects.toHaveProperty('cause', cause);
  });
});
