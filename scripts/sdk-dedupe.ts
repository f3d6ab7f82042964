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
import { dirname, join, resolve } from 'node:path';
import { parseAst, type Plugin } from 'vite';

/** The ESTree subset this file reads; `parseAst` (oxc) gives UTF-16 `start`/`end` offsets. */
interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** Where a top-level binding comes from, so the copies can be compared by what they refer to. */
interface Chunk {
  path: string;
  /** The chunk's name without its hash (`src`, `cfWorkerProvider`, …). */
  stem: string;
  source: string;
  body: Node[];
  /** `//#region` path of each top-level statement ('' outside any region). */
  regionOf: Map<Node, string>;
  regions: Set<string>;
  decls: Map<string, { stmt: Node; identity: string }>;
  imports: Map<string, { module: string; name: string }>;
  /** exported name → local name */
  exports: Map<string, string>;
}

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
const HASHED_CHUNK = /^(.+)-[A-Za-z0-9_-]{8}\.mjs$/;
const REGION = /^\/\/#(region|endregion)\b[ \t]*(.*)$/gm;

export class DedupeError extends Error {
  override name = 'DedupeError';
}

function fail(chunk: Chunk | string, problem: string): never {
  const where = typeof chunk === 'string' ? chunk : chunk.path;
  throw new DedupeError(
    `sdk-dedupe: ${problem} (in ${where}). The MCP SDK's client and server chunks no longer ` +
      'match the way scripts/sdk-dedupe.ts expects, so it will not merge them: update the plugin ' +
      'for this SDK version, or remove it from vite.config.ts if the SDK no longer bundles its ' +
      'internals twice.',
  );
}

const baseName = (name: string) => name.replace(/\$\d+$/, '');

/**
 * Parses one chunk and indexes its top-level bindings. `resolveBare` names the module a bare
 * specifier (`zod/v4`) resolves to from this chunk, so two copies share it only if they really
 * import the same file.
 */
export function parseChunk(
  path: string,
  source: string,
  resolveBare: (specifier: string) => string,
): Chunk {
  const stem = HASHED_CHUNK.exec(path.split(/[\\/]/).pop() ?? '')?.[1] ?? path;
  const body = (parseAst(source) as unknown as { body: Node[] }).body;
  const ranges: { name: string; start: number; end: number }[] = [];
  let open: { name: string; start: number } | undefined;
  for (const m of source.matchAll(REGION)) {
    if (m[1] === 'region') open = { name: m[2]!.trim(), start: m.index };
    else if (open) {
      ranges.push({ ...open, end: m.index });
      open = undefined;
    }
  }
  const chunk: Chunk = {
    path,
    stem,
    source,
    body,
    regionOf: new Map(),
    regions: new Set(ranges.map((r) => r.name)),
    decls: new Map(),
    imports: new Map(),
    exports: new Map(),
  };
  const identities = new Set<string>();
  for (const stmt of body) {
    const region = ranges.find((r) => r.start <= stmt.start && stmt.start < r.end)?.name ?? '';
    chunk.regionOf.set(stmt, region);
    const declare = (name: string) => {
      const identity = `${stem}|${region}|${baseName(name)}`;
      if (identities.has(identity)) fail(chunk, `two declarations are both "${identity}"`);
      identities.add(identity);
      chunk.decls.set(name, { stmt, identity });
    };
    switch (stmt.type) {
      case 'ImportDeclaration': {
        const from = (stmt.source as { value: string }).value;
        const module = from.startsWith('.') ? resolve(dirname(path), from) : resolveBare(from);
        for (const spec of stmt.specifiers as Node[]) {
          const local = (spec.local as { name: string }).name;
          const name =
            spec.type === 'ImportNamespaceSpecifier'
              ? '*'
              : spec.type === 'ImportDefaultSpecifier'
                ? 'default'
                : nameOf(spec.imported as Node);
          chunk.imports.set(local, { module, name });
        }
        break;
      }
      case 'ExportNamedDeclaration':
        if (stmt.declaration || stmt.source)
          fail(chunk, 'an `export` form other than `export {…}`');
        for (const spec of stmt.specifiers as Node[]) {
          chunk.exports.set(nameOf(spec.exported as Node), nameOf(spec.local as Node));
        }
        break;
      case 'ExportAllDeclaration':
      case 'ExportDefaultDeclaration':
        fail(chunk, `an unexpected ${stmt.type}`);
        break;
      default:
        for (const name of declaredNames(stmt, chunk)) declare(name);
    }
  }
  if (ranges.length === 0) fail(chunk, 'no `//#region` markers');
  return chunk;
}

function nameOf(node: Node): string {
  return node.type === 'Identifier' ? (node.name as string) : String(node.value);
}

/** Names a top-level statement declares; none for a statement that only has effects. */
function declaredNames(stmt: Node, chunk: Chunk): string[] {
  if (stmt.type === 'FunctionDeclaration' || stmt.type === 'ClassDeclaration') {
    return [((stmt.id as Node).name as string) ?? fail(chunk, 'an anonymous declaration')];
  }
  if (stmt.type !== 'VariableDeclaration') return [];
  return (stmt.declarations as Node[]).map((d) => {
    const id = d.id as Node;
    return id.type === 'Identifier'
      ? (id.name as string)
      : fail(chunk, `a destructuring declaration at ${stmt.start}`);
  });
}

/**
 * What a name refers to at a chunk's top level, the same string in both copies when it is the
 * same thing: `chunk|region|name` for a declaration (followed through imports of sibling chunks),
 * `module|export` for an import of another package; undefined for a name that is not top-level.
 */
function identityOf(
  chunk: Chunk,
  name: string,
  load: (path: string) => Chunk | undefined,
): string | undefined {
  const decl = chunk.decls.get(name);
  if (decl) return decl.identity;
  const imported = chunk.imports.get(name);
  if (!imported) return undefined;
  const target = imported.name === '*' ? undefined : load(imported.module);
  if (!target) return `${imported.module}|${imported.name}`;
  const local = target.exports.get(imported.name);
  if (local === undefined) fail(chunk, `"${imported.name}" is not exported by ${target.path}`);
  return identityOf(target, local, load);
}

/** Identifier slots that hold a property or label name, not a reference to a binding. */
function isNameSlot(node: Node, key: string): boolean {
  switch (node.type) {
    case 'MemberExpression':
      return key === 'property' && !node.computed;
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
    case 'AccessorProperty':
      return key === 'key' && !node.computed;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
      return key === 'label';
    case 'MetaProperty':
      return true;
    default:
      return false;
  }
}

const IGNORED_KEYS = new Set(['start', 'end', 'range', 'loc', 'shorthand']);

/**
 * Whether two statements are the same code: the same tree, with each identifier that names a
 * top-level binding compared by what it refers to (so `isPlainObject$2` and `isPlainObject$5`
 * match when both are the same region's `isPlainObject`). Formatting and comments do not count.
 */
export function sameCode(
  a: unknown,
  b: unknown,
  client: Chunk,
  server: Chunk,
  load: (path: string) => Chunk | undefined,
): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameCode(item, b[i], client, server, load))
    );
  }
  const x = a as Node;
  const y = b as Node;
  if (x.type !== y.type) return false;
  if (x.type === 'Identifier') {
    const nameX = x.name as string;
    const nameY = y.name as string;
    const idX = identityOf(client, nameX, load);
    const idY = identityOf(server, nameY, load);
    return idX === undefined && idY === undefined ? nameX === nameY : idX === idY;
  }
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const key of keys) {
    if (IGNORED_KEYS.has(key)) continue;
    const vx = x[key];
    const vy = y[key];
    if (isNameSlot(x, key)) {
      const px = vx as Node | null;
      const py = vy as Node | null;
      if (px?.type === 'Identifier' && py?.type === 'Identifier') {
        if (px.name !== py.name) return false;
        continue;
      }
    }
    if (!sameCode(vx, vy, client, server, load)) return false;
  }
  return true;
}

/** Calls `visit` on every node under `node`. */
function walk(node: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (typeof node !== 'object' || node === null || typeof (node as Node).type !== 'string') return;
  visit(node as Node);
  for (const [key, value] of Object.entries(node)) {
    if (!IGNORED_KEYS.has(key) && typeof value === 'object') walk(value, visit);
  }
}

/** Identifiers a pattern (an assignment target) writes. */
function patternNames(node: Node | null | undefined, out: string[]): string[] {
  if (!node) return out;
  switch (node.type) {
    case 'Identifier':
      out.push(node.name as string);
      break;
    case 'ObjectPattern':
      for (const p of node.properties as Node[]) {
        patternNames((p.type === 'RestElement' ? p.argument : p.value) as Node, out);
      }
      break;
    case 'ArrayPattern':
      for (const e of node.elements as (Node | null)[]) patternNames(e, out);
      break;
    case 'RestElement':
      patternNames(node.argument as Node, out);
      break;
    case 'AssignmentPattern':
      patternNames(node.left as Node, out);
      break;
  }
  return out;
}

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
