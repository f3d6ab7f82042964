import { defineConfig } from 'vitest/config';

/**
 * Unit tests in Node. A config of its own (not vite.config.ts) so Vitest does not load the Svelte
 * plugin or the app's build modes; unit tests exercise src/hub and the fixtures, never components.
 */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/unit/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    // Fixture servers are real processes; starting server-everything takes a second or two.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
