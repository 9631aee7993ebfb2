import type { DeleteRecord, PoisonRecord, SinkRecord, UpsertRecord } from './sinkRecord.js';

export interface DedupedBatch {
  /** Tombstones to apply, at most one per key (the last one that matters). Applied before upserts. */
  deletes: DeleteRecord[];
  /** The highest version per key, at most one per key. */
  upserts: UpsertRecord[];
  poison: PoisonRecord[];
}

/**
 * Reduces one partition batch (in offset order) to one statement's worth of rows, with the same
 * outcome as applying every record one by one under the sink's rules:
 *  - an upsert applies when its version is higher than every version seen before for the key;
 *  - a tombstone applies to whatever came before it at a lower offset (tombstones carry no version).
 * So per key we keep the last tombstone and the highest-version upsert that came after it. When
 * both survive, the delete runs first and the upsert (a re-creation with a higher version) after.
 * Versions of upserts that lost still raise the bar: `u5, T, u3` ends deleted, as one-by-one would.
 */
export function dedupeBatch(records: readonly SinkRecord[]): DedupedBatch {
  const state = new Map<string, { del?: DeleteRecord; up?: UpsertRecord; maxVersion: number }>();
  const poison: PoisonRecord[] = [];
  for (const record of records) {
    if (record.kind === 'poison') {
      poison.push(record);
      continue;
    }
    let entry = state.get(record.key);
    if (!entry) {
      entry = { maxVersion: 0 };
      state.set(record.key, entry);
    }
    if (record.kind === 'delete') {
      entry.del = record;
      delete entry.up;
    } else if (record.value.version > entry.maxVersion) {
      entry.up = record;
      entry.maxVersion = record.value.version;
    }
  }
  const deletes: DeleteRecord[] = [];
  const upserts: UpsertRecord[] = [];
  for (const entry of state.values()) {
    if (entry.del) deletes.push(entry.del);
    if (entry.up) upserts.push(entry.up);
  }
  return { deletes, upserts, poison };
}
