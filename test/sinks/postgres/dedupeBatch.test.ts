import { describe, expect, it } from 'vitest';
import { dedupeBatch } from '../../../sinks/postgres/dedupeBatch.js';
import type { SinkRecord } from '../../../sinks/postgres/sinkRecord.js';

let offset = 0n;
function up(key: string, version: number): SinkRecord {
  return {
    kind: 'upsert',
    topic: 't',
    partition: 0,
    offset: offset++,
    key,
    raw: Buffer.alloc(0),
    bytes: 1,
    value: { id: key, entity: 'e', version, mappingVersions: [], updatedAt: '', data: {}, provenance: {} },
  };
}
function del(key: string): SinkRecord {
  return { kind: 'delete', topic: 't', partition: 0, offset: offset++, key, bytes: 1 };
}

/** Reference: apply records one by one under the sink's rules. */
function oneByOne(records: readonly SinkRecord[]): Map<string, { version: number; deleted: boolean }> {
  const rows = new Map<string, { version: number; deleted: boolean }>();
  for (const record of records) {
    if (record.kind === 'poison') continue;
    const row = rows.get(record.key);
    if (record.kind === 'delete') {
      if (row) row.deleted = true;
    } else if (!row || record.value.version > row.version) {
      rows.set(record.key, { version: record.value.version, deleted: false });
    }
  }
  return rows;
}

function applyDeduped(records: readonly SinkRecord[]): Map<string, { version: number; deleted: boolean }> {
  const { upsertsBeforeDelete, deletes, upserts } = dedupeBatch(records);
  const rows = new Map<string, { version: number; deleted: boolean }>();
  const apply = (list: typeof upserts): void => {
    for (const record of list) {
      const row = rows.get(record.key);
      if (!row || record.value.version > row.version)
        rows.set(record.key, { version: record.value.version, deleted: false });
    }
  };
  apply(upsertsBeforeDelete);
  for (const record of deletes) {
    const row = rows.get(record.key);
    if (row) row.deleted = true;
  }
  apply(upserts);
  return rows;
}

describe('dedupeBatch', () => {
  it('keeps the highest version per key, one row per statement', () => {
    const { upserts, deletes } = dedupeBatch([up('a', 1), up('a', 3), up('a', 2), up('b', 2), up('b', 1)]);
    expect(upserts.map((r) => [r.key, r.kind === 'upsert' && r.value.version])).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
    expect(deletes).toEqual([]);
  });

  it('u5, T, u3 ends deleted; T, u6 re-creates', () => {
    expect(applyDeduped([up('a', 5), del('a'), up('a', 3)]).get('a')).toEqual({ version: 5, deleted: true });
    expect(applyDeduped([up('a', 5), del('a'), up('a', 6)]).get('a')).toEqual({ version: 6, deleted: false });
  });

  it('gives the same end state as one-by-one application for random sequences (property)', () => {
    for (let run = 0; run < 500; run++) {
      const records: SinkRecord[] = [];
      for (let index = 0; index < 30; index++) {
        const key = `k${Math.floor(Math.random() * 4)}`;
        records.push(Math.random() < 0.25 ? del(key) : up(key, 1 + Math.floor(Math.random() * 6)));
      }
      expect(applyDeduped(records)).toEqual(oneByOne(records));
    }
  });
});
