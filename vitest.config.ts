import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * Unit tests in Node. A config of its own (not vite.config.ts) so Vitest does not load the app's
 * build modes. The Svelte plugin is here only so tests/unit/ui can import the dashboard's
 * `.svelte.ts` state classes and render components to HTML with `svelte/server` (Node has no DOM
 * to mount them in); it compiles `.svelte` and `.svelte.ts` files and leaves every other file alone.
 */
export default defineConfig({
  plugins: [svelte()],
  test: {
    environment: 'node',
    include: ['tests/unit/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    // Fixture servers are real processes; starting server-everything takes a second or two.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
