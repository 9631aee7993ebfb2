import { describe, expect, it } from 'vitest';
import { Prng } from '../../../producers/simulators/prng.js';
import { type IndexEntry, RecordStore } from '../../../producers/simulators/recordStore.js';

interface Row {
  id: string;
  v: number;
}

function storeWith(times: readonly number[]): RecordStore<Row> {
  const store = new RecordStore<Row>({ name: 'rows', generate: (seq) => ({ id: `R${seq}`, v: 0 }) });
  store.load(times.map((at, seq): IndexEntry => ({ id: `R${seq}`, at, seq })));
  return store;
}

const ids = (items: readonly { id: string }[]) => items.map((item) => item.id);

describe('RecordStore', () => {
  it('orders by (time, id) and pages by offset with a total for the filter', () => {
    const store = storeWith([30, 10, 20, 10, 40]);
    expect(ids(store.pageByOffset(undefined, 0, 10).items)).toEqual(['R1', 'R3', 'R2', 'R0', 'R4']);
    const filtered = store.pageByOffset(20, 1, 2);
    expect(ids(filtered.items)).toEqual(['R0', 'R4']);
    expect(filtered.total).toBe(3);
    expect(filtered.hasMore).toBe(false);
    expect(store.pageByOffset(20, 0, 1).hasMore).toBe(true);
  });

  it('keyset paging resumes strictly after (time, id), so ties at a page boundary are not skipped', () => {
    const store = storeWith([5, 5, 5, 5, 6]);
    const first = store.pageAfter(undefined, undefined, 2);
    expect(ids(first.items)).toEqual(['R0', 'R1']);
    const last = first.items.at(-1)!;
    const second = store.pageAfter(undefined, { at: last.at, id: last.id }, 2);
    expect(ids(second.items)).toEqual(['R2', 'R3']);
    const third = store.pageAfter(undefined, { at: 5, id: 'R3' }, 2);
    expect(ids(third.items)).toEqual(['R4']);
    expect(third.hasMore).toBe(false);
  });

  it('put moves an updated record to its new position and keeps the override; delete leaves a tombstone', () => {
    const store = storeWith([1, 2, 3]);
    store.put('R0', 10, { id: 'R0', v: 1 });
    expect(ids(store.pageByOffset(undefined, 0, 10).items)).toEqual(['R1', 'R2', 'R0']);
    expect(store.get('R0')).toEqual({ id: 'R0', v: 1 });
    expect(store.delete('R1', 11)).toBe(true);
    expect(store.delete('R1', 12)).toBe(false);
    expect(store.has('R1')).toBe(false);
    expect(store.deletedIds()).toEqual(['R1']);
    expect(ids(store.tombstonesByOffset(11, 0, 10).items)).toEqual(['R1']);
    expect(store.tombstonesByOffset(12, 0, 10).items).toEqual([]);
    expect(store.allRecords()).toEqual([
      { id: 'R0', v: 1 },
      { id: 'R2', v: 0 },
    ]);
    expect(store.latestChange()).toBe(11);
  });

  it('property: keyset paging under random concurrent updates never skips a record, and sees every record current at the end', () => {
    for (let round = 0; round < 30; round++) {
      const prng = new Prng(round);
      const count = prng.int(1, 200);
      const store = storeWith(Array.from({ length: count }, () => prng.int(0, 20)));
      let clock = 100;
      const seen = new Map<string, number>();
      let after: { at: number; id: string } | undefined;
      for (;;) {
        const page = store.pageAfter(undefined, after, prng.int(1, 15));
        for (const entry of page.items) seen.set(entry.id, (seen.get(entry.id) ?? 0) + 1);
        const last = page.items.at(-1);
        if (!page.hasMore || last === undefined) break;
        after = { at: last.at, id: last.id };
        // Concurrent updates move records behind the cursor (re-served later) or ahead of it.
        for (let i = prng.int(0, 3); i > 0; i--) {
          const id = `R${prng.int(0, count - 1)}`;
          store.put(id, clock++, { id, v: clock });
        }
      }
      for (let seq = 0; seq < count; seq++) expect(seen.has(`R${seq}`)).toBe(true);
    }
  });
});
