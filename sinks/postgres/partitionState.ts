import type { SinkRecord } from './sinkRecord.js';

/**
 * What the sink knows about one assigned partition: its in-memory buffer (bounded by the water
 * marks), the stored offset the next batch continues from, and the fetch position it expects
 * from kafkajs. Reset on every group join: after a rebalance the database is the truth again.
 */
export class PartitionState {
  records: SinkRecord[] = [];
  bytes = 0;
  /** Stored next_offset the next batch must continue from; undefined = not read since the last join. */
  stored: bigint | null | undefined = undefined;
  /** Next offset expected from the fetch loop (last buffered offset + 1). */
  fetchedUpTo: bigint | undefined = undefined;
  /** After a seek, batches fetched from elsewhere are stale until one starts at this offset. */
  awaitingSeek: bigint | undefined = undefined;
  /** The offset last sought to, so a compaction gap after it is not mistaken for a skip. */
  seekedTo: bigint | undefined = undefined;
  highWatermark: bigint | undefined = undefined;
  paused = false;
  flushing = false;
  generation = 0;
  lingerTimer: NodeJS.Timeout | undefined = undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  push(records: readonly SinkRecord[]): void {
    for (const record of records) {
      this.records.push(record);
      this.bytes += record.bytes;
    }
  }

  /** Removes the first `count` records (they were committed). */
  shift(count: number): void {
    const removed = this.records.splice(0, count);
    for (const record of removed) this.bytes -= record.bytes;
  }

  /** Drops everything below `offset` (already applied, by us or another instance). */
  dropBelow(offset: bigint): void {
    let index = 0;
    while (index < this.records.length && (this.records[index]?.offset ?? offset) < offset) index++;
    if (index > 0) this.shift(index);
  }

  reset(): void {
    this.records = [];
    this.bytes = 0;
    this.stored = undefined;
    this.fetchedUpTo = undefined;
    this.awaitingSeek = undefined;
    this.seekedTo = undefined;
    this.generation++;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
  }
}
