/**
 * The in-memory state of one simulated resource: which records exist, their change times, and
 * the tombstones of deleted ones. Records are kept in an array sorted by (changedAt, id) so a page
 * is a binary search plus a slice — O(log n + page), never a scan — which is what lets a
 * simulator serve 100k records per resource. Unchanged seed records are not held in memory: they
 * are regenerated from the seed when a page needs them; only created/updated records are stored.
 */
export interface IndexEntry {
  readonly id: string;
  /** Change time, epoch milliseconds. */
  readonly at: number;
  /** Position in the seeded generation, or -1 for records created by a mutation. */
  readonly seq: number;
}

export interface Tombstone {
  readonly id: string;
  /** Deletion time, epoch milliseconds. */
  readonly at: number;
}

/** A keyset position: the (time, id) of the last item a client has seen. */
export interface KeysetPosition {
  readonly at: number;
  readonly id: string;
}

export interface StorePage<E> {
  readonly items: readonly E[];
  /** Items matching the filter, before paging. */
  readonly total: number;
  /** Whether items follow the last one returned. */
  readonly hasMore: boolean;
}

function compareKey(aAt: number, aId: string, bAt: number, bId: string): number {
  if (aAt !== bAt) return aAt < bAt ? -1 : 1;
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}

/** A list kept sorted by (at, id), with positional search. */
class OrderedIndex<E extends { readonly id: string; readonly at: number }> {
  items: E[] = [];

  /** First position whose key is >= (at, id) (strict: > (at, id)). */
  bound(at: number, id: string, strict: boolean): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const item = this.items[mid] as E;
      const cmp = compareKey(item.at, item.id, at, id);
      if (cmp < 0 || (strict && cmp === 0)) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  insert(item: E): void {
    this.items.splice(this.bound(item.at, item.id, false), 0, item);
  }

  remove(item: E): void {
    const position = this.bound(item.at, item.id, false);
    if (this.items[position]?.id !== item.id) {
      throw new Error(`OrderedIndex: ${item.id} is not at its sorted position`);
    }
    this.items.splice(position, 1);
  }

  sortAll(): void {
    this.items.sort((a, b) => compareKey(a.at, a.id, b.at, b.id));
  }

  /** Start of the range of keys >= since (or after a keyset position). */
  start(since: number | undefined, after: KeysetPosition | undefined): number {
    let start = since === undefined ? 0 : this.bound(since, '', false);
    if (after !== undefined) start = Math.max(start, this.bound(after.at, after.id, true));
    return start;
  }
}

export interface RecordStoreOptions<T> {
  readonly name: string;
  /** Regenerates an unchanged seed record from its sequence number. */
  readonly generate: (seq: number) => T;
}

export class RecordStore<T> {
  readonly name: string;
  private readonly generate: (seq: number) => T;
  private readonly entries = new OrderedIndex<IndexEntry>();
  private readonly byId = new Map<string, IndexEntry>();
  /** Records that differ from what their seed generates (updated or created). */
  private readonly overrides = new Map<string, T>();
  private readonly tombstones = new OrderedIndex<Tombstone>();
  private readonly tombstoneById = new Map<string, Tombstone>();

  constructor(options: RecordStoreOptions<T>) {
    this.name = options.name;
    this.generate = options.generate;
  }

  /** Bulk load of the seed records (sorted once). */
  load(entries: Iterable<IndexEntry>): void {
    for (const entry of entries) {
      if (this.byId.has(entry.id)) throw new Error(`RecordStore ${this.name}: duplicate id ${entry.id}`);
      this.byId.set(entry.id, entry);
      this.entries.items.push(entry);
    }
    this.entries.sortAll();
  }

  get size(): number {
    return this.entries.items.length;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The entry at a position of the (at, id) order; used to pick records to mutate. */
  entryAt(position: number): IndexEntry | undefined {
    return this.entries.items[position];
  }

  /** The latest change time of any record or tombstone, or undefined when empty. */
  latestChange(): number | undefined {
    const record = this.entries.items.at(-1)?.at;
    const tombstone = this.tombstones.items.at(-1)?.at;
    if (record === undefined) return tombstone;
    if (tombstone === undefined) return record;
    return Math.max(record, tombstone);
  }

  record(entry: IndexEntry): T {
    return this.overrides.get(entry.id) ?? this.generate(entry.seq);
  }

  get(id: string): T | undefined {
    const entry = this.byId.get(id);
    return entry === undefined ? undefined : this.record(entry);
  }

  /** Creates or replaces a record, moving it to its new (at, id) position. */
  put(id: string, at: number, record: T): void {
    const previous = this.byId.get(id);
    if (previous !== undefined) this.entries.remove(previous);
    const entry: IndexEntry = { id, at, seq: previous?.seq ?? -1 };
    this.byId.set(id, entry);
    this.entries.insert(entry);
    this.overrides.set(id, record);
    const tombstone = this.tombstoneById.get(id);
    if (tombstone !== undefined) {
      this.tombstones.remove(tombstone);
      this.tombstoneById.delete(id);
    }
  }

  /** Removes a record and leaves a tombstone. Returns false when the id does not exist. */
  delete(id: string, at: number): boolean {
    const entry = this.byId.get(id);
    if (entry === undefined) return false;
    this.entries.remove(entry);
    this.byId.delete(id);
    this.overrides.delete(id);
    const tombstone: Tombstone = { id, at };
    this.tombstones.insert(tombstone);
    this.tombstoneById.set(id, tombstone);
    return true;
  }

  /** Offset paging over records with at >= since, ordered by (at, id). */
  pageByOffset(since: number | undefined, offset: number, limit: number): StorePage<IndexEntry> {
    return sliceFrom(this.entries, since, undefined, offset, limit);
  }

  /** Keyset paging: records with at >= since strictly after `after`, ordered by (at, id). */
  pageAfter(
    since: number | undefined,
    after: KeysetPosition | undefined,
    limit: number,
  ): StorePage<IndexEntry> {
    return sliceFrom(this.entries, since, after, 0, limit);
  }

  tombstonesByOffset(since: number | undefined, offset: number, limit: number): StorePage<Tombstone> {
    return sliceFrom(this.tombstones, since, undefined, offset, limit);
  }

  tombstonesAfter(
    since: number | undefined,
    after: KeysetPosition | undefined,
    limit: number,
  ): StorePage<Tombstone> {
    return sliceFrom(this.tombstones, since, after, 0, limit);
  }

  /** Every current record, sorted by id (the ground truth a test compares against). */
  allRecords(): T[] {
    const entries = [...this.entries.items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return entries.map((entry) => this.record(entry));
  }

  /** Ids of deleted records, sorted. */
  deletedIds(): string[] {
    return [...this.tombstoneById.keys()].sort();
  }
}

function sliceFrom<E extends { readonly id: string; readonly at: number }>(
  index: OrderedIndex<E>,
  since: number | undefined,
  after: KeysetPosition | undefined,
  offset: number,
  limit: number,
): StorePage<E> {
  const filterStart = index.start(since, undefined);
  const start = index.start(since, after) + offset;
  const end = Math.min(index.items.length, start + limit);
  return {
    items: start < end ? index.items.slice(start, end) : [],
    total: index.items.length - filterStart,
    hasMore: end < index.items.length,
  };
}
