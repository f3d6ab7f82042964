/**
 * Reading the MCP SDK's hashed dist chunks for scripts/sdk-dedupe.ts: which top-level bindings a
 * chunk declares and imports, what each refers to (`identityOf`), and whether two statements from
 * two copies are the same code (`sameCode`). Pure: the caller reads the files.
 */
import { dirname, resolve } from 'node:path';
import { parseAst } from 'vite';

/** The ESTree subset this file reads; `parseAst` (oxc) gives UTF-16 `start`/`end` offsets. */
export interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** Where a top-level binding comes from, so the copies can be compared by what they refer to. */
export interface Chunk {
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

export const HASHED_CHUNK = /^(.+)-[A-Za-z0-9_-]{8}\.mjs$/;
const REGION = /^\/\/#(region|endregion)\b[ \t]*(.*)$/gm;

export class DedupeError extends Error {
  override name = 'DedupeError';
}

export function fail(chunk: Chunk | string, problem: string): never {
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
export function declaredNames(stmt: Node, chunk: Chunk): string[] {
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
export function walk(node: unknown, visit: (node: Node) => void): void {
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
export function patternNames(node: Node | null | undefined, out: string[]): string[] {
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
