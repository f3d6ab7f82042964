// ESLint flat config. Besides the usual TypeScript and Svelte rules, it enforces DESIGN.md's
// rooms ("Layers and rooms": who may import whom, with eslint-plugin-boundaries), the packages
// each layer may bundle, and that the hub reads time and randomness only through what is
// injected, so a wrong import fails `npm test` instead of surfacing later as a DOM reference in
// the worker or the SDK inside nexus-client.js. tests/unit/lint tries each rule on snippets.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import boundaries from 'eslint-plugin-boundaries';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

// The rooms of DESIGN.md's "Layers and rooms", and who may import whom, for
// eslint-plugin-boundaries. Dependencies point down: ui → client, protocol; worker → hub, store,
// transports, protocol; store → protocol and the hub's port TYPES; hub → protocol (and the SDK);
// transports → protocol; client → transports, protocol; protocol → nothing of ours. Nothing
// imports ui or worker. `import type` is erased at build time, so some edges allow types only.
const ROOMS = ['protocol', 'hub', 'store', 'worker', 'transports', 'client', 'ui'];

const BOUNDARY_ELEMENTS = ROOMS.map((room) => ({ type: room, pattern: `src/${room}` }));

// The hub's ports (the interfaces its platform implements) are a file category of their own, so
// the stores can be allowed their TYPES and nothing else of the hub.
const BOUNDARY_FILES = [{ category: 'ports', pattern: 'src/hub/ports.ts' }];

/** A policy: files of `from` may import (`kind`: only as types) files of the `to` rooms. */
function may(from, to, kind) {
  return {
    from: { element: { types: { anyOf: [from].flat() } } },
    allow: {
      to: { element: { types: { anyOf: to } } },
      ...(kind ? { dependency: { kind } } : {}),
    },
  };
}

const BOUNDARY_POLICIES = [
  may('protocol', ['protocol']),
  may('hub', ['hub', 'protocol']),
  may('store', ['store', 'protocol']),
  {
    from: { element: { type: 'store' } },
    allow: {
      to: { element: { type: 'hub' }, file: { categories: 'ports' } },
      dependency: { kind: 'type' },
    },
  },
  may('transports', ['transports', 'protocol']),
  may('client', ['client', 'transports', 'protocol']),
  may('worker', ['worker', 'hub', 'store', 'transports', 'protocol']),
  may('ui', ['ui', 'client', 'protocol']),
];

const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_'));
const NO_NODE = {
  paths: NODE_BUILTINS.map((name) => ({
    name,
    message: 'src/hub also runs in browser workers: no Node built-ins.',
  })),
  pattern: { regex: '^node:', message: 'src/hub also runs in browser workers: no Node built-ins.' },
};

/** `src/hub`: no DOM, no storage, no UI framework, no Node (the rooms rule covers our own code). */
const HUB_PACKAGES = [
  'error',
  {
    paths: NO_NODE.paths,
    patterns: [
      NO_NODE.pattern,
      {
        regex: '^(idb|comlink)($|/)',
        message: 'src/hub declares interfaces; idb/comlink belong to src/store and src/worker.',
      },
      { regex: '^svelte($|/)', message: 'src/hub has no UI: Svelte belongs to src/ui.' },
      {
        regex: '^(cross-spawn|ajv)($|/)',
        message: 'Browser bundles must not contain Ajv or cross-spawn (strict CSP, no Node).',
      },
    ],
  },
];

/** Packages a layer may use for types only: `import type` is erased, a value import is bundled. */
function typesOnly(regex, message) {
  return ['error', { patterns: [{ regex, allowTypeImports: true, message }] }];
}

/** Read the clock, timers and randomness through the hub's injected `Clock` and `Ids`. */
const INJECTED = (what) =>
  `src/hub reads ${what} through the injected Clock or Ids (HubOptions), so tests can drive it; only src/hub/platform.ts uses the platform's.`;

const RESTRICTED_HUB_GLOBALS = [
  'window',
  'document',
  'indexedDB',
  'localStorage',
  'navigator',
  'self',
  'location',
].map((name) => ({
  name,
  message: `src/hub runs in a SharedWorker, a dedicated Worker and Node: no \`${name}\`. Pass what you need in through the Hub's options.`,
}));

export default defineConfig(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'bench/results/**',
      'tests/e2e/screenshots/**',
      '.nexus/**',
    ],
  },
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    rules: {
      // `_`-prefixed names mark deliberately unused parameters (callbacks with fixed signatures).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Svelte components and rune modules: svelte-eslint-parser for the markup, the TS parser for
    // `<script lang="ts">` and `.svelte.ts` files.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      globals: globals.browser,
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.svelte'],
        svelteConfig,
      },
    },
  },
  { files: ['src/ui/**', 'src/client/**'], languageOptions: { globals: globals.browser } },
  {
    files: ['src/worker/**'],
    languageOptions: { globals: { ...globals.worker, ...globals.browser } },
  },
  {
    files: ['src/hub/**', 'src/transports/**'],
    languageOptions: { globals: globals['shared-node-browser'] },
  },
  {
    files: ['scripts/**', 'tests/**', 'native/**', 'bench/**', '*.config.{js,ts}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The benchmark's page and its echo SharedWorker run in the browser.
    files: ['bench/page/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.sharedWorker } },
  },
  {
    files: ['tests/e2e/**', 'tests/browser/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },

  {
    files: ['src/**/*.{ts,js,svelte}'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': BOUNDARY_ELEMENTS,
      'boundaries/files': BOUNDARY_FILES,
      'boundaries/include': ['src/**/*'],
      'import/resolver': { node: { extensions: ['.ts', '.js', '.svelte'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message:
            'This import crosses a room boundary the wrong way (DESIGN.md, "Layers and rooms": dependencies point down; stores, transports and the worker are passed in to the hub, the UI talks to it through src/protocol and the admin API).',
          policies: BOUNDARY_POLICIES,
        },
      ],
    },
  },
  { files: ['src/hub/**'], rules: { 'no-restricted-imports': HUB_PACKAGES } },
  {
    files: ['src/hub/**'],
    ignores: ['src/hub/platform.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...RESTRICTED_HUB_GLOBALS,
        { name: 'setTimeout', message: INJECTED('timers') },
        { name: 'setInterval', message: INJECTED('timers') },
        { name: 'clearTimeout', message: INJECTED('timers') },
        { name: 'performance', message: INJECTED('the clock') },
      ],
      'no-restricted-properties': [
        'error',
        ...RESTRICTED_HUB_GLOBALS.map(({ name, message }) => ({
          object: 'globalThis',
          property: name,
          message,
        })),
        { object: 'Date', property: 'now', message: INJECTED('the clock') },
        { object: 'performance', property: 'now', message: INJECTED('the clock') },
        { object: 'crypto', property: 'randomUUID', message: INJECTED('fresh ids') },
        { object: 'Math', property: 'random', message: INJECTED('randomness') },
      ],
    },
  },
  {
    files: ['src/client/**', 'src/transports/**', 'src/protocol/**'],
    ignores: ['src/protocol/errors.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': typesOnly(
        '^@modelcontextprotocol/',
        'nexus-client.js must not bundle the SDK: src/client, src/transports and src/protocol use it for types only (protocol/errors.ts is the one exception, and the client never imports it).',
      ),
    },
  },
  {
    files: ['src/client/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(idb|comlink|svelte)($|/)', message: 'src/client must stay tiny.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/ui/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^idb($|/)',
              message: 'src/ui never opens IndexedDB itself: the hub owns the data.',
            },
          ],
        },
      ],
    },
  },
);
