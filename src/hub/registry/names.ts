/**
 * Aggregated names: every tool, prompt and resource template a client sees is `<slug>__<name>`.
 *
 * Why always prefixed: a grant binds to the exposed name, so adding a server must never rename
 * another server's tools. Why the pattern: popular clients reject tool names outside
 * `^[a-zA-Z0-9_-]{1,64}$`. Upstream names may be anything (dots, slashes, `__`, unicode, empty,
 * very long), so a name that does not fit is shortened with a stable hash suffix, never dropped.
 * The mapping is not parsed back out of the string: it is looked up in a `NameTable` built from
 * persisted records, which is what makes it reversible and stable across restarts.
 */
import { SLUG_PATTERN, type NameKind, type NameRecord } from '../ports.ts';

/** What popular MCP clients accept as a tool name. */
export const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
export const MAX_NAME_LENGTH = 64;

/** Slugs are at most this long (see `SLUG_PATTERN`), which leaves room for a hashed name. */
const MAX_SLUG_LENGTH = 32;
const SEPARATOR = '__';
/** Each 32-bit half is rendered as 5 base36 digits: 10 characters, about 51 bits in total. */
const HALF_WIDTH = 5;
const HALF_MODULUS = 36 ** HALF_WIDTH;
/** `_` + the hash. */
const SUFFIX_LENGTH = 1 + 2 * HALF_WIDTH;
/** Alternate candidates tried before giving up; a real clash needs a 51-bit hash collision. */
const MAX_ATTEMPTS = 1000;

/**
 * FNV-1a over the UTF-16 code units (low byte, then high byte) from `seed`, finished with
 * murmur3's fmix32 so the low-order digits we keep depend on every input bit. Code units rather
 * than UTF-8 so that distinct strings with lone surrogates do not collapse onto U+FFFD.
 */
function fnv1a(text: string, seed: number): number {
  let hash = seed >>> 0;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    hash = Math.imul(hash ^ (unit & 0xff), 0x01000193);
    hash = Math.imul(hash ^ (unit >>> 8), 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * A deterministic 10-character lowercase base36 digest of `text`: two FNV-1a passes with
 * different seeds. Pure and synchronous (crypto.subtle is async and absent in some contexts),
 * and identical in every browser and in Node, because names derived from it are persisted.
 */
export function stableHash(text: string): string {
  const render = (value: number): string =>
    (value % HALF_MODULUS).toString(36).padStart(HALF_WIDTH, '0');
  return render(fnv1a(text, 0x811c9dc5)) + render(fnv1a(text, 0x9e3779b9));
}

function assertSlug(slug: string): void {
  if (!SLUG_PATTERN.test(slug)) {
    throw new RangeError(
      `The slug "${slug}" is not valid: use 1–32 lowercase letters, digits, "-" or single "_".`,
    );
  }
}

/** `slug__<readable part>_<hash>`, with the readable part cut so the whole fits 64 characters. */
function shortened(slug: string, upstreamName: string, hash: string): string {
  // Per code point (the `u` flag), so one emoji becomes one `_`, not two.
  const readable = upstreamName.replace(/[^a-zA-Z0-9_-]/gu, '_');
  const room = MAX_NAME_LENGTH - slug.length - SEPARATOR.length - SUFFIX_LENGTH;
  return `${slug}${SEPARATOR}${readable.slice(0, room)}_${hash}`;
}

/**
 * The exposed name `upstreamName` of the server `slug` would get if nothing else claimed it:
 * `slug__upstreamName` verbatim when that is a valid name, else a shortened form ending in
 * `_` + `stableHash(upstreamName)`. A verbatim name of one tool can, in theory, equal the
 * shortened name of another; `NameTable` settles that (and any hash collision) deterministically.
 * @throws RangeError when `slug` does not match `SLUG_PATTERN`.
 */
export function candidateName(slug: string, upstreamName: string): string {
  assertSlug(slug);
  const verbatim = `${slug}${SEPARATOR}${upstreamName}`;
  if (NAME_PATTERN.test(verbatim)) return verbatim;
  return shortened(slug, upstreamName, stableHash(upstreamName));
}

/** The `attempt`-th fallback when the candidate is taken: same shape, a different hash. */
function alternateName(slug: string, upstreamName: string, attempt: number): string {
  return shortened(slug, upstreamName, stableHash(`${attempt}\u0000${upstreamName}`));
}

/** Trims the separators a slug may not start with (and that look untidy at its end). */
function trimSeparators(text: string): string {
  return text.replace(/^[-_]+/, '').replace(/[-_]+$/, '');
}

/**
 * A valid slug from a config key or host name: `"GitHub Copilot"` → `github-copilot`,
 * `"api.example.com"` → `api-example-com`, `"Café"` → `cafe`. Falls back to `server`.
 */
export function slugify(text: string): string {
  const slug = trimSeparators(
    text
      // Decompose accents so `é` keeps its `e` instead of becoming `-`.
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/-{2,}/g, '-')
      // `__` separates slug from name; inside a slug it would make names ambiguous to read.
      .replace(/_{2,}/g, '_'),
  );
  const cut = trimSeparators(slug.slice(0, MAX_SLUG_LENGTH));
  return cut === '' ? 'server' : cut;
}

/**
 * `base` if no server has it yet, else `base-2`, `base-3`, …, cut so the result stays within 32
 * characters. Does not add the result to `taken`. A `base` that is not a valid slug is slugified.
 */
export function uniqueSlug(base: string, taken: Set<string>): string {
  const slug = SLUG_PATTERN.test(base) ? base : slugify(base);
  if (!taken.has(slug)) return slug;
  for (let counter = 2; ; counter++) {
    const suffix = `-${counter}`;
    const stem = trimSeparators(slug.slice(0, MAX_SLUG_LENGTH - suffix.length)) || 'server';
    const candidate = `${stem}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

interface Route {
  serverId: string;
  upstreamName: string;
}

/**
 * The live mapping between exposed and upstream names, for every server and kind. Built from the
 * persisted records; `assign` hands out names for new upstream names and returns them as `added`
 * for the caller to persist. Lookups are Map hits both ways, because the hub resolves a name on
 * every call and re-assigns on every tools/list.
 */
export class NameTable {
  /** kind → serverId → upstreamName → record. Nested maps, so no key encoding can collide. */
  readonly #byUpstream = new Map<NameKind, Map<string, Map<string, NameRecord>>>();
  /** kind → exposedName → record. */
  readonly #byExposed = new Map<NameKind, Map<string, NameRecord>>();

  /**
   * @param records persisted mappings. A record whose exposed name or (server, kind, upstream)
   * key is already held by an earlier record is ignored (the store forbids both, so this only
   * guards against damaged data); its upstream name gets a fresh name on the next `assign`.
   */
  constructor(records: Iterable<NameRecord>) {
    for (const record of records) {
      if (this.#exposed(record.kind).has(record.exposedName)) continue;
      if (this.#upstream(record.kind, record.serverId).has(record.upstreamName)) continue;
      this.#add({ ...record });
    }
  }

  /**
   * The exposed name of each of `upstreamNames` of one server. Names that already have a record
   * keep it; the others get `candidateName`, or a deterministic alternate when another
   * (server, upstream) pair holds that name, and are returned in `added`.
   *
   * New names are handed out verbatim-first, then in code-unit order, so the outcome does not
   * depend on the order of the server's list. A record whose name no longer starts with
   * `slug__` (the slug changed without `dropServer`) is replaced, and the replacement is in
   * `added` too: the store's `putNames` replaces a record with the same key.
   */
  assign(
    serverId: string,
    slug: string,
    kind: NameKind,
    upstreamNames: string[],
  ): { exposed: Map<string, string>; added: NameRecord[] } {
    assertSlug(slug);
    const prefix = `${slug}${SEPARATOR}`;
    const known = this.#upstream(kind, serverId);
    const exposed = new Map<string, string>();
    const missing = new Set<string>();
    for (const upstreamName of upstreamNames) {
      const record = known.get(upstreamName);
      if (record && record.exposedName.startsWith(prefix)) {
        exposed.set(upstreamName, record.exposedName);
      } else {
        missing.add(upstreamName);
      }
    }
    if (missing.size === 0) return { exposed, added: [] };

    // Stale records go first, so their names are free for this server's own new candidates.
    for (const upstreamName of missing) {
      const stale = known.get(upstreamName);
      if (stale) this.#remove(stale);
    }
    const added: NameRecord[] = [];
    for (const upstreamName of orderForAssignment(slug, missing)) {
      const record: NameRecord = {
        serverId,
        kind,
        upstreamName,
        exposedName: this.#freeName(kind, slug, upstreamName),
      };
      this.#add(record);
      added.push({ ...record });
    }
    for (const upstreamName of upstreamNames) {
      exposed.set(upstreamName, known.get(upstreamName)!.exposedName);
    }
    return { exposed, added };
  }

  /** Which server and upstream name an exposed name stands for, or undefined if none. */
  resolve(kind: NameKind, exposedName: string): Route | undefined {
    const record = this.#byExposed.get(kind)?.get(exposedName);
    return record && { serverId: record.serverId, upstreamName: record.upstreamName };
  }

  /** The exposed name already given to one server's upstream name, if any. */
  exposedName(kind: NameKind, serverId: string, upstreamName: string): string | undefined {
    return this.#byUpstream.get(kind)?.get(serverId)?.get(upstreamName)?.exposedName;
  }

  /** Forgets every name of one server (it was removed, or its slug changed). */
  dropServer(serverId: string): void {
    for (const [kind, servers] of this.#byUpstream) {
      const records = servers.get(serverId);
      if (!records) continue;
      const exposed = this.#exposed(kind);
      for (const record of records.values()) exposed.delete(record.exposedName);
      servers.delete(serverId);
    }
  }

  #freeName(kind: NameKind, slug: string, upstreamName: string): string {
    const taken = this.#exposed(kind);
    let name = candidateName(slug, upstreamName);
    for (let attempt = 1; taken.has(name); attempt++) {
      if (attempt > MAX_ATTEMPTS) {
        throw new Error(`Could not find a free name for "${upstreamName}" of server "${slug}".`);
      }
      name = alternateName(slug, upstreamName, attempt);
    }
    return name;
  }

  #exposed(kind: NameKind): Map<string, NameRecord> {
    let map = this.#byExposed.get(kind);
    if (!map) this.#byExposed.set(kind, (map = new Map()));
    return map;
  }

  #upstream(kind: NameKind, serverId: string): Map<string, NameRecord> {
    let servers = this.#byUpstream.get(kind);
    if (!servers) this.#byUpstream.set(kind, (servers = new Map()));
    let records = servers.get(serverId);
    if (!records) servers.set(serverId, (records = new Map()));
    return records;
  }

  #add(record: NameRecord): void {
    this.#exposed(record.kind).set(record.exposedName, record);
    this.#upstream(record.kind, record.serverId).set(record.upstreamName, record);
  }

  #remove(record: NameRecord): void {
    this.#exposed(record.kind).delete(record.exposedName);
    this.#upstream(record.kind, record.serverId).delete(record.upstreamName);
  }
}

/**
 * Names that fit verbatim first, so that a tool literally named like another's shortened form
 * (`foo_bar_<hash>` next to `foo.bar`) keeps its own name; then code-unit order (not
 * `localeCompare`, which differs between engines and locales).
 */
function orderForAssignment(slug: string, names: Iterable<string>): string[] {
  const fits = (name: string): boolean => NAME_PATTERN.test(`${slug}${SEPARATOR}${name}`);
  return [...names].sort((a, b) => {
    const byFit = Number(fits(b)) - Number(fits(a));
    if (byFit !== 0) return byFit;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
