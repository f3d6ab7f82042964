/**
 * The stores' shared contract rules: what every `RegistryStore` (in memory in src/hub, over
 * IndexedDB in src/store) refuses, and with which error, so both refuse alike and the contract
 * suite (tests/contract) can hold them to it. Here because both layers may import src/protocol
 * and neither may import the other's code. Structural types only: nothing here imports the hub.
 */

/** The fields of a name record the constraints look at (the hub's `NameRecord`). */
export interface NameRecordLike {
  serverId: string;
  kind: string;
  upstreamName: string;
  exposedName: string;
}

/**
 * A write broke a unique constraint. Named `ConstraintError`, like the DOMException IndexedDB
 * raises for the same thing, so `err.name === 'ConstraintError'` works for every store.
 */
export class StoreConstraintError extends Error {
  override readonly name = 'ConstraintError';
}

/** The error both registry stores raise when a server would take a slug another server holds. */
export function slugTakenError(
  entry: { name: string; slug: string },
  holder: { name: string },
): StoreConstraintError {
  return new StoreConstraintError(
    `cannot save server '${entry.name}': a server with slug '${entry.slug}' already exists ` +
      `('${holder.name}'); choose another slug`,
  );
}

/** The error both registry stores raise when an aggregated name is already handed out. */
export function exposedNameTakenError(
  record: NameRecordLike,
  holder: NameRecordLike,
): StoreConstraintError {
  return new StoreConstraintError(
    `cannot map ${record.kind} '${record.upstreamName}' of server ${record.serverId} to ` +
      `'${record.exposedName}': that name already belongs to ${holder.kind} ` +
      `'${holder.upstreamName}' of server ${holder.serverId}`,
  );
}

/** A collision-free string form of the primary key (the parts may contain any character). */
export function nameKey(
  record: Pick<NameRecordLike, 'serverId' | 'kind' | 'upstreamName'>,
): string {
  return JSON.stringify([record.serverId, record.kind, record.upstreamName]);
}

export function exposedKey(record: Pick<NameRecordLike, 'kind' | 'exposedName'>): string {
  return JSON.stringify([record.kind, record.exposedName]);
}

/**
 * Checks a `putNames` batch as if its records were put one after another: throws
 * `exposedNameTakenError` for the first record whose exposed name another key holds by then.
 * A record replaced under its key frees the exposed name it had. `stored` answers for what was
 * stored before the batch: `holderOf(i)`, the record holding `records[i]`'s exposed name;
 * `previousOf(i)`, the record under `records[i]`'s key. Both stores use it, so the IndexedDB one
 * can look everything up at once instead of one record after another.
 */
export function checkNameBatch<R extends NameRecordLike>(
  records: readonly R[],
  stored: {
    holderOf(index: number): R | undefined;
    previousOf(index: number): R | undefined;
  },
): void {
  // What the batch changed so far: exposed name → its holder now (null: freed); key → record.
  const claimed = new Map<string, NameRecordLike | null>();
  const current = new Map<string, NameRecordLike>();
  records.forEach((record, index) => {
    const key = nameKey(record);
    const exposed = exposedKey(record);
    const holder = claimed.has(exposed) ? claimed.get(exposed) : stored.holderOf(index);
    if (holder && nameKey(holder) !== key) throw exposedNameTakenError(record, holder);
    const previous = current.has(key) ? current.get(key) : stored.previousOf(index);
    if (previous && exposedKey(previous) !== exposed) claimed.set(exposedKey(previous), null);
    current.set(key, record);
    claimed.set(exposed, record);
  });
}
