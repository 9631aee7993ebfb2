import type { DeleteRecord, PoisonRecord, SinkRecord, UpsertRecord } from './sinkRecord.js';

export interface DedupedBatch {
  /** Upserts that precede the key's last tombstone (so the deleted row holds the data it had). Applied first. */
  upsertsBeforeDelete: UpsertRecord[];
  /** At most one tombstone per key: the last one. Applied second. */
  deletes: DeleteRecord[];
  /** The highest version per key after its last tombstone (or with none). Applied last. */
  upserts: UpsertRecord[];
  poison: PoisonRecord[];
}

/**
 * Reduces one partition batch (in offset order) to at most three set-based statements with the
 * same end state as applying every record one by one under the sink's rules:
 *  - an upsert applies when its version is higher than every version seen before for the key;
 *  - a tombstone applies to whatever came before it at a lower offset (tombstones carry no version).
 * Per key we keep the best upsert before the last tombstone, the last tombstone, and the best
 * upsert after it (a re-creation, which must beat every earlier version: `u5, T, u3` ends deleted).
 * So how records fall into batches never changes the result.
 */
export function dedupeBatch(records: readonly SinkRecord[]): DedupedBatch {
  const state = new Map<
    string,
    { before?: UpsertRecord; del?: DeleteRecord; after?: UpsertRecord; max: number }
  >();
  const poison: PoisonRecord[] = [];
  for (const record of records) {
    if (record.kind === 'poison') {
      poison.push(record);
      continue;
    }
    let entry = state.get(record.key);
    if (!entry) {
      entry = { max: 0 };
      state.set(record.key, entry);
    }
    if (record.kind === 'delete') {
      // `after` beat every earlier version, so it is the best upsert before this tombstone.
      if (entry.after) entry.before = entry.after;
      delete entry.after;
      entry.del = record;
    } else if (record.value.version > entry.max) {
      entry.after = record;
      entry.max = record.value.version;
    }
  }
  const result: DedupedBatch = { upsertsBeforeDelete: [], deletes: [], upserts: [], poison };
  for (const entry of state.values()) {
    if (entry.before) result.upsertsBeforeDelete.push(entry.before);
    if (entry.del) result.deletes.push(entry.del);
    if (entry.after) result.upserts.push(entry.after);
  }
  return result;
}
