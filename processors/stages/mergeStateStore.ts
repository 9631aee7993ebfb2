import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, open, type RootDatabase } from 'lmdb';

/** What the merge stage knows about one canonical id. */
export interface EntityState {
  /**
   * Current fragment per source record key, as the JSON text it was consumed as: stored and
   * loaded as a plain string (no structured encoding of every field), parsed only when another
   * source's fragment is merged with it.
   */
  fragments: Record<string, string>;
  /** Raw position (topic:partition:offset) of the last fragment or delete seen per source record. */
  positions: Record<string, string>;
  /** Last canonical version written (a tombstone counts). */
  version: number;
  /** Content hash of the live canonical record; null when there is none (never written, deleted). */
  contentHash: string | null;
}

export function emptyEntityState(): EntityState {
  return { fragments: {}, positions: {}, version: 0, contentHash: null };
}

/** Directories opened by this process: a sibling with our pid that is not in here is a leftover. */
const liveDirectories = new Set<string>();

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes state directories left by processes that died without closing theirs (SIGKILL). A
 * container restarted in the same pod gets the same pid (often 1), so a directory with our own pid
 * that this process did not open is a leftover too.
 */
function removeLeftovers(parent: string): void {
  for (const name of readdirSync(parent)) {
    const pid = Number(name.split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const path = join(parent, name);
    if (liveDirectories.has(path)) continue;
    if (pid === process.pid || !processIsAlive(pid)) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * The merge stage's state for its assigned partitions, on local disk (LMDB: memory-mapped, read
 * without copying into the JS heap until an entry is used). In the heap lives only what the
 * transaction in flight changed ("staged"), so memory is bounded by the transaction size, not by
 * the number of entities: the page cache holds the rest and the kernel evicts it under pressure.
 *
 * The disk copy is a cache of what Kafka holds, never the source of truth: a partition's entries
 * are rebuilt from its fragments and canonical partitions every time it is assigned, so the store
 * needs no durability (no fsync) and a fresh directory per process is right. Staged entries reach
 * the disk only after their Kafka transaction committed; an aborted transaction drops them, so
 * the disk always matches committed outputs.
 */
export class MergeStateStore {
  readonly directory: string;
  private readonly root: RootDatabase;
  private readonly partitions = new Map<string, Database<EntityState, string>>();
  private readonly staged = new Map<string, Map<string, EntityState>>();

  constructor(parentDirectory: string) {
    mkdirSync(parentDirectory, { recursive: true });
    removeLeftovers(parentDirectory);
    this.directory = join(parentDirectory, `${process.pid}-${randomUUID().slice(0, 8)}`);
    liveDirectories.add(this.directory);
    this.root = open({
      path: this.directory,
      // A rebuildable cache: durability would only cost fsyncs.
      noSync: true,
      noMetaSync: true,
      // One named database per input partition (fragment topics × partitions).
      maxDbs: 4096,
    });
  }

  private database(partitionKey: string): Database<EntityState, string> {
    let database = this.partitions.get(partitionKey);
    if (!database) {
      database = this.root.openDB<EntityState, string>({ name: partitionKey });
      this.partitions.set(partitionKey, database);
    }
    return database;
  }

  /** Empties a partition's state (before it is rebuilt). */
  reset(partitionKey: string): void {
    this.staged.delete(partitionKey);
    this.database(partitionKey).clearSync();
  }

  /** The state of `id`: what the transaction in flight staged, else the committed entry. */
  get(partitionKey: string, id: string): EntityState | undefined {
    return this.staged.get(partitionKey)?.get(id) ?? this.database(partitionKey).get(id);
  }

  /**
   * Records a changed entry for the transaction in flight. The caller may keep mutating the same
   * object until `commit` or `rollback`.
   */
  stage(partitionKey: string, id: string, state: EntityState): void {
    let entries = this.staged.get(partitionKey);
    if (!entries) {
      entries = new Map();
      this.staged.set(partitionKey, entries);
    }
    entries.set(id, state);
  }

  stagedCount(partitionKey: string): number {
    return this.staged.get(partitionKey)?.size ?? 0;
  }

  /** Writes the staged entries of a partition to disk (its Kafka transaction committed). */
  commit(partitionKey: string): void {
    const entries = this.staged.get(partitionKey);
    if (!entries || entries.size === 0) return;
    const database = this.database(partitionKey);
    database.transactionSync(() => {
      for (const [id, state] of entries) {
        const empty =
          Object.keys(state.fragments).length === 0 &&
          Object.keys(state.positions).length === 0 &&
          state.contentHash === null &&
          state.version === 0;
        if (empty) database.removeSync(id);
        else database.putSync(id, state);
      }
    });
    this.staged.delete(partitionKey);
  }

  /** Drops the staged entries of a partition (its transaction aborted). */
  rollback(partitionKey: string): void {
    this.staged.delete(partitionKey);
  }

  /** Entities held for a partition (committed). */
  count(partitionKey: string): number {
    return this.database(partitionKey).getCount();
  }

  async close(): Promise<void> {
    this.staged.clear();
    await this.root.close();
    rmSync(this.directory, { recursive: true, force: true });
    liveDirectories.delete(this.directory);
  }
}
