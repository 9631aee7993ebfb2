import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyEntityState, MergeStateStore } from '../../../processors/stages/mergeStateStore.js';

const stores: MergeStateStore[] = [];
function newStore(parent = mkdtempSync(join(tmpdir(), 'merge-state-'))): MergeStateStore {
  const store = new MergeStateStore(parent);
  stores.push(store);
  return store;
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close().catch(() => undefined);
});

describe('MergeStateStore', () => {
  it('keeps staged entries out of the disk until commit, and forgets them on rollback', () => {
    const store = newStore();
    const entry = emptyEntityState();
    entry.version = 3;
    entry.contentHash = 'abc';
    store.stage('t:0', 'id-1', entry);
    expect(store.get('t:0', 'id-1')).toBe(entry);
    expect(store.count('t:0')).toBe(0);
    store.rollback('t:0');
    expect(store.get('t:0', 'id-1')).toBeUndefined();

    store.stage('t:0', 'id-1', entry);
    store.commit('t:0');
    expect(store.count('t:0')).toBe(1);
    expect(store.stagedCount('t:0')).toBe(0);
    // Read back from disk: an equal copy, not the staged object.
    const read = store.get('t:0', 'id-1');
    expect(read).toEqual(entry);
    expect(read).not.toBe(entry);
  });

  it('round-trips fragments and positions, and removes entries that became empty', () => {
    const store = newStore();
    const entry = emptyEntityState();
    entry.positions['hr/w-1'] = 'raw.hr.workers:2:41';
    entry.fragments['hr/w-1'] = JSON.stringify({
      entity: 'employee',
      canonicalId: 'id-1',
      businessKey: 'w-1',
      sourceSystem: 'hr',
      sourceInstance: 'main',
      sourceRecordKey: 'w-1',
      rawTopic: 'raw.hr.workers',
      rawPartition: 2,
      rawOffset: '41',
      observedAt: '2026-11-28T00:00:00.000Z',
      sourceUpdatedAt: null,
      mapping: 'hr-workers@1',
      fields: {
        'salary.amount': { value: '1234.50', transformation: 'money' },
        note: { value: null, transformation: 'copy' },
      },
    });
    store.stage('t:1', 'id-1', entry);
    store.commit('t:1');
    expect(store.get('t:1', 'id-1')).toEqual(entry);

    store.stage('t:1', 'id-1', emptyEntityState());
    store.commit('t:1');
    expect(store.get('t:1', 'id-1')).toBeUndefined();
    expect(store.count('t:1')).toBe(0);
  });

  it('keeps partitions apart and resets one without touching the others', () => {
    const store = newStore();
    for (const partition of ['t:0', 't:1']) {
      store.stage(partition, 'id', { ...emptyEntityState(), version: 1 });
      store.commit(partition);
    }
    store.reset('t:0');
    expect(store.get('t:0', 'id')).toBeUndefined();
    expect(store.get('t:1', 'id')?.version).toBe(1);
  });

  it('removes its directory on close and the directories of dead processes on open', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'merge-state-'));
    // A leftover of a SIGKILLed process (pid 2^22 - 1 is above Linux's default pid_max, never alive).
    mkdirSync(join(parent, '4194303-deadbeef'));
    mkdirSync(join(parent, 'not-a-state-dir'));
    const store = newStore(parent);
    expect(readdirSync(parent).sort()).toEqual(
      [store.directory.slice(parent.length + 1), 'not-a-state-dir'].sort(),
    );
    const second = newStore(parent);
    expect(existsSync(store.directory)).toBe(true);
    await second.close();
    expect(existsSync(second.directory)).toBe(false);
  });
});
