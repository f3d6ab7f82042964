// ESLint flat config. Besides the usual TypeScript and Svelte rules, it enforces the layer table
// in DESIGN.md ("Layers and who may import whom"), so a wrong import fails `npm test` instead of
// surfacing later as a DOM reference in the worker or the SDK inside nexus-client.js.
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

// Relative imports are checked by how far they climb: a file N folders below `src/<layer>/`
// leaves its layer with N+1 `../`. Flat config replaces (does not merge) a rule's options when
// two blocks match one file, so each depth gets its own block carrying the layer's full list.
// Folders nest at most two deep today; five leaves room without slowing the config down.
const MAX_DEPTH = 5;

/** `^(\.\./){n}`: an import that climbs out of the layer from `depth` folders below its root. */
function leaves(depth) {
  return `^(\\.\\./){${depth + 1}}`;
}

/** Glob for the files exactly `depth` folders below `root`. */
function atDepth(root, depth) {
  return `${root}/${'*/'.repeat(depth)}*.{ts,js,svelte}`;
}

// Aliases some tools invent (`src/ui/…`, `/src/ui/…`); relative paths are the house style, but
// an alias must not be a way around the rule.
const srcAlias = (layers) => `(^|/)src/(${layers})(/|$)`;

const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_'));
const NO_NODE = {
  paths: NODE_BUILTINS.map((name) => ({
    name,
    message: 'src/hub also runs in browser workers: no Node built-ins.',
  })),
  pattern: { regex: '^node:', message: 'src/hub also runs in browser workers: no Node built-ins.' },
};

/** `src/hub`: the SDK and itself only; no DOM, no storage, no UI framework, no Node. */
function hubImports(depth) {
  return [
    'error',
    {
      paths: NO_NODE.paths,
      patterns: [
        NO_NODE.pattern,
        {
          regex: `${leaves(depth)}(?!protocol/)`,
          message:
            'src/hub imports only the SDK and src/hub (stores, transports and the worker are passed in).',
        },
        {
          regex: srcAlias('ui|store|worker|client|transports'),
          message: 'src/hub imports only the SDK and src/hub.',
        },
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
}

/** Value imports from outside the SDK-free layers; `import type` is erased and always fine. */
function typeOnly(message, regexes) {
  return {
    regex: regexes,
    allowTypeImports: true,
    message,
  };
}

/** `src/client`: ships alone as nexus-client.js, must not bundle the SDK; may import src/transports. */
function clientImports(depth) {
  return [
    'error',
    {
      patterns: [
        typeOnly(
          'nexus-client.js must not bundle the SDK: use `import type` only.',
          '^@modelcontextprotocol/',
        ),
        typeOnly(
          'src/client may import src/transports only (anything else ends up in nexus-client.js).',
          `${leaves(depth)}(?!(transports|protocol)(/|$))`,
        ),
        typeOnly('src/client may import src/transports only.', srcAlias('hub|store|worker|ui')),
        typeOnly(
          'src/client must stay tiny: no idb, comlink or Svelte.',
          '^(idb|comlink|svelte)($|/)',
        ),
      ],
    },
  ];
}

/** `src/transports`: SDK `Transport` implementations; SDK types only, nothing from other layers. */
function transportImports(depth) {
  return [
    'error',
    {
      patterns: [
        typeOnly(
          'src/transports uses the SDK for types only (nexus-client.js imports transports and must not bundle the SDK).',
          '^@modelcontextprotocol/',
        ),
        typeOnly(
          'src/transports imports nothing from other layers but src/protocol.',
          `${leaves(depth)}(?!protocol/)`,
        ),
        typeOnly(
          'src/transports imports nothing from other layers.',
          srcAlias('hub|store|worker|ui|client'),
        ),
      ],
    },
  ];
}

/** `src/ui`: talks to the hub only through the admin API (types) and src/client. */
function uiImports(depth) {
  return [
    'error',
    {
      patterns: [
        typeOnly(
          'src/ui talks to the hub through the admin API: import hub, store and worker code as types only.',
          `${leaves(depth)}(hub|store|worker)(/|$)`,
        ),
        typeOnly('src/ui talks to the hub through the admin API.', srcAlias('hub|store|worker')),
        typeOnly('src/ui never opens IndexedDB itself: the hub owns the data.', '^idb($|/)'),
      ],
    },
  ];
}

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

function perDepth(root, ruleName, build) {
  return Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => ({
    files: [atDepth(root, depth)],
    rules: { [ruleName]: build(depth) },
  }));
}

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
    files: ['src/hub/**'],
    rules: {
      'no-restricted-globals': ['error', ...RESTRICTED_HUB_GLOBALS],
      // `globalThis.window` would be a way around the rule above.
      'no-restricted-properties': [
        'error',
        ...RESTRICTED_HUB_GLOBALS.map(({ name, message }) => ({
          object: 'globalThis',
          property: name,
          message,
        })),
      ],
    },
  },
  ...perDepth('src/hub', 'no-restricted-imports', hubImports),
  ...perDepth('src/client', '@typescript-eslint/no-restricted-imports', clientImports),
  ...perDepth('src/transports', '@typescript-eslint/no-restricted-imports', transportImports),
  ...perDepth('src/ui', '@typescript-eslint/no-restricted-imports', uiImports),
);
