/**
 * A Vite plugin for the hub worker build: ONE copy of the MCP SDK's internals instead of two.
 *
 * Why: `@modelcontextprotocol/client` and `@modelcontextprotocol/server` each bundle their own copy
 * of the SDK's private `core-internal` code (Protocol, the wire codecs, the error classes, the JSON
 * Schema validator, …) into hashed chunks of their `dist/` (`src-<hash>.mjs`,
 * `cfWorkerProvider-<hash>.mjs`, …). The hub uses both packages, so the worker carried both copies
 * (about 27 KiB of its gzipped size). Each package tree-shook its copy on its own, so the two
 * chunks are not identical: most declarations are in both, some in one only.
 *
 * What: for every chunk the client package shares with the server package (a *twin*: same name
 * before the hash), each top-level declaration of the client's copy that the server's copy also
 * has is blanked out of the client's copy and imported from the server's instead; what only the
 * client has stays where it is. tsdown marks each source module in a chunk with a
 * `//#region <path>` comment, so a declaration is known by chunk, region and name (less tsdown's
 * `$1` deconfliction suffix, which differs between the copies); a binding imported from another
 * chunk is followed to the declaration it names.
 *
 * Safety: a shared name is not trusted. The two syntax trees are compared, every reference to a
 * top-level binding by what it refers to, and the build FAILS (with a message naming the chunk
 * and the declaration) when two declarations of the same name differ, when a statement with side
 * effects in a shared module has no twin, when the client's remaining code assigns to a binding
 * that now lives in the server's copy, or when no twin chunks are found at all. An SDK upgrade that
 * changes the layout therefore stops the build instead of shipping a mix of two versions; the fix
 * is to adjust this plugin, or to drop it if the SDK stops duplicating its internals.
 *
 * Side benefit: one class per SDK error, so `instanceof` never depends on which package made an
 * error (the SDK also brands its errors for that, see its `crossBundleBrand.ts`).
 *
 * It never patches node_modules: it rewrites modules as Vite loads them, blanking removed code
 * with spaces (newlines kept) and appending one import or export line, so every remaining line
 * keeps its position and the source maps stay right.
 */
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import {
  HASHED_CHUNK,
  declaredNames,
  fail,
  parseChunk,
  patternNames,
  sameCode,
  walk,
  type Chunk,
  type Node,
} from './sdk-chunks.ts';

export { DedupeError, parseChunk } from './sdk-chunks.ts';

/** What to do to one twin pair. */
export interface TwinPlan {
  /** Client-copy statements to blank out. */
  blank: Node[];
  /** Client local name → server local name, imported from the server's copy. */
  imports: Map<string, string>;
  /** Server local names the client's copy needs exported. */
  serverExports: Set<string>;
  shared: number;
  clientOnly: number;
}

const EXPORT_PREFIX = '__nexus_dedupe__';

/** Decides, for one twin pair, what the client's copy keeps and what it imports. */
export function planTwins(
  client: Chunk,
  server: Chunk,
  load: (path: string) => Chunk | undefined,
): TwinPlan {
  const serverByIdentity = new Map<string, { stmt: Node; local: string }>();
  for (const [local, { stmt, identity }] of server.decls) {
    serverByIdentity.set(identity, { stmt, local });
  }
  const serverEffects = server.body.filter(
    (stmt) => !isModuleSyntax(stmt) && declaredNames(stmt, server).length === 0,
  );
  const plan: TwinPlan = {
    blank: [],
    imports: new Map(),
    serverExports: new Set(),
    shared: 0,
    clientOnly: 0,
  };
  const kept: Node[] = [];
  for (const stmt of client.body) {
    if (isModuleSyntax(stmt)) continue;
    const names = declaredNames(stmt, client);
    const region = client.regionOf.get(stmt) ?? '';
    if (names.length === 0) {
      // A statement run for its effect (e.g. filling a registry): shared only if the server's
      // copy runs the same one; the client's then goes, or it would run twice.
      const at = serverEffects.findIndex(
        (other) =>
          server.regionOf.get(other) === region && sameCode(stmt, other, client, server, load),
      );
      if (at >= 0) {
        serverEffects.splice(at, 1);
        plan.blank.push(stmt);
      } else if (server.regions.has(region)) {
        fail(client, `a statement in ${region} at ${stmt.start} has no twin in ${server.path}`);
      } else {
        kept.push(stmt);
      }
      continue;
    }
    const twins = names.map((name) => serverByIdentity.get(client.decls.get(name)!.identity));
    if (twins.every((twin) => twin === undefined)) {
      plan.clientOnly += names.length;
      kept.push(stmt);
      continue;
    }
    const twinStmt = twins[0]?.stmt;
    if (twins.some((twin) => twin === undefined || twin.stmt !== twinStmt)) {
      fail(client, `"${names.join(', ')}" are declared together but not so in ${server.path}`);
    }
    if (!sameCode(stmt, twinStmt, client, server, load)) {
      fail(client, `"${names.join(', ')}" (${region}) differs from its twin in ${server.path}`);
    }
    plan.blank.push(stmt);
    names.forEach((name, i) => {
      plan.imports.set(name, twins[i]!.local);
      plan.serverExports.add(twins[i]!.local);
    });
    plan.shared += names.length;
  }
  // An import binding is read-only: the client's remaining code may read, never assign, what now
  // lives in the server's copy (the bundler would reject it, less clearly).
  for (const stmt of kept) {
    walk(stmt, (node) => {
      const written =
        node.type === 'AssignmentExpression'
          ? patternNames(node.left as Node, [])
          : node.type === 'UpdateExpression'
            ? patternNames(node.argument as Node, [])
            : [];
      for (const name of written) {
        if (plan.imports.has(name)) {
          fail(client, `code only the client's copy has assigns "${name}", which is shared`);
        }
      }
    });
  }
  return plan;
}

function isModuleSyntax(stmt: Node): boolean {
  return stmt.type === 'ImportDeclaration' || stmt.type.startsWith('Export');
}

/** The client's copy with shared code blanked (positions kept) and one import line appended. */
export function rewriteClient(client: Chunk, plan: TwinPlan, serverPath: string): string {
  let code = client.source;
  for (const stmt of [...plan.blank].sort((a, b) => b.start - a.start)) {
    const blank = code.slice(stmt.start, stmt.end).replace(/[^\n]/g, ' ');
    code = code.slice(0, stmt.start) + blank + code.slice(stmt.end);
  }
  if (plan.imports.size === 0) return code;
  const specifiers = [...plan.imports]
    .map(([local, remote]) => `${EXPORT_PREFIX}${remote} as ${local}`)
    .join(', ');
  return `${code}\nimport { ${specifiers} } from ${JSON.stringify(serverPath)};\n`;
}

/** The server's copy with one export line appended for what the client's copy imports. */
export function rewriteServer(server: Chunk, exported: Set<string>): string {
  if (exported.size === 0) return server.source;
  const specifiers = [...exported].map((local) => `${local} as ${EXPORT_PREFIX}${local}`);
  return `${server.source}\nexport { ${specifiers.join(', ')} };\n`;
}

/** Hashed chunks by name without the hash; a name twice in one package is an error. */
function hashedChunks(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    const stem = HASHED_CHUNK.exec(file)?.[1];
    if (!stem) continue;
    if (found.has(stem)) fail(dir, `two chunks named "${stem}-…"`);
    found.set(stem, join(dir, file));
  }
  return found;
}

/**
 * The twin chunks of two packages' `dist/` folders (real paths), parsed and planned on first use:
 * the worker never loads most of them (the Ajv provider, a large one, never).
 */
export class SdkTwins {
  /** client chunk → its server twin */
  readonly twinOf = new Map<string, string>();
  readonly #serverChunks = new Set<string>();
  readonly #parsed = new Map<string, Chunk | undefined>();
  readonly #plans = new Map<string, TwinPlan>();

  constructor(clientDist: string, serverDist: string) {
    const clientChunks = hashedChunks(clientDist);
    for (const [stem, serverPath] of hashedChunks(serverDist)) {
      const clientPath = clientChunks.get(stem);
      if (!clientPath) continue;
      this.twinOf.set(clientPath, serverPath);
      this.#serverChunks.add(serverPath);
    }
    if (this.twinOf.size === 0) fail(clientDist, `no chunk has a twin in ${serverDist}`);
  }

  /** Whether this module is one of the twins (a real path, without a query). */
  has(path: string): boolean {
    return this.twinOf.has(path) || this.#serverChunks.has(path);
  }

  /** A twin chunk, parsed; undefined for any other file. */
  load = (path: string): Chunk | undefined => {
    if (!this.#parsed.has(path)) {
      this.#parsed.set(
        path,
        this.has(path)
          ? parseChunk(path, readFileSync(path, 'utf8'), (spec) =>
              realpathSync(createRequire(path).resolve(spec)),
            )
          : undefined,
      );
    }
    return this.#parsed.get(path);
  };

  plan(clientPath: string): TwinPlan {
    let plan = this.#plans.get(clientPath);
    if (!plan) {
      plan = planTwins(this.load(clientPath)!, this.load(this.twinOf.get(clientPath)!)!, this.load);
      this.#plans.set(clientPath, plan);
    }
    return plan;
  }

  /** The code to bundle for twin `path`, whose file holds `code`. */
  rewrite(path: string, code: string): string {
    const chunk = this.load(path);
    if (!chunk) fail(path, 'not a twin chunk');
    if (code !== chunk.source) fail(chunk, 'another plugin changed the chunk before this one');
    const serverPath = this.twinOf.get(path);
    if (serverPath) return rewriteClient(chunk, this.plan(path), serverPath);
    const exported = new Set<string>();
    for (const [clientPath, twin] of this.twinOf) {
      if (twin === path)
        for (const local of this.plan(clientPath).serverExports) exported.add(local);
    }
    return rewriteServer(chunk, exported);
  }

  /** One line per planned pair, for the build log. */
  summary(): string[] {
    return [...this.#plans].map(
      ([path, plan]) =>
        `${this.load(path)?.stem}: ${plan.shared} shared, ${plan.clientOnly} client-only`,
    );
  }
}

/** The file a module id names (without query), resolved through symlinks; undefined if none. */
function realPath(id: string): string | undefined {
  if (id.startsWith('\0')) return undefined;
  try {
    return realpathSync(id.split('?')[0]!);
  } catch {
    return undefined;
  }
}

export function sdkDedupe(
  client = '@modelcontextprotocol/client',
  server = '@modelcontextprotocol/server',
): Plugin {
  let root = process.cwd();
  let info: (message: string) => void = () => {};
  let twins: SdkTwins;
  const rewritten = new Set<string>();
  return {
    name: 'nexus-sdk-dedupe',
    apply: 'build',
    enforce: 'pre',
    configResolved(config) {
      root = config.root;
      info = (message) => config.logger.info(message);
    },
    buildStart() {
      const require = createRequire(join(root, 'package.json'));
      const distOf = (pkg: string) => realpathSync(dirname(require.resolve(pkg)));
      twins = new SdkTwins(distOf(client), distOf(server));
      rewritten.clear();
    },
    transform(code, id) {
      const path = realPath(id);
      if (path === undefined || !twins.has(path)) return null;
      rewritten.add(path);
      // `map: null`: no code moved (blanked, not cut), so the chunk's lines map to themselves.
      return { code: twins.rewrite(path, code), map: null };
    },
    buildEnd(error) {
      if (error) return;
      // A client twin in the bundle that this plugin never rewrote (a module id it did not
      // recognise) would ship the second copy silently.
      for (const id of this.getModuleIds()) {
        const path = realPath(id);
        if (path !== undefined && twins.twinOf.has(path) && !rewritten.has(path)) {
          fail(path, 'a client chunk in the bundle was not rewritten');
        }
      }
      const summary = twins.summary();
      if (summary.length > 0) {
        info(`sdk-dedupe: ${client} uses ${server}'s copy of shared code (${summary.join('; ')})`);
      }
    },
  };
}
