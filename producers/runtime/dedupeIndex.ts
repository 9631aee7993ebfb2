import type { Kafka } from 'kafkajs';
import { readTopicToEnd } from '../../platform/topicReader.js';

/** Header carrying the SHA-256 of the payload on every raw record. */
export const contentHashHeader = 'tributary.content-hash';
export const eventIdHeader = 'tributary.event-id';
/** Index value for a key whose last raw record is a delete. */
export const DELETED = 'deleted';

/**
 * What the raw topic currently says about each record of a stream: its content hash, or DELETED.
 * Built at start from the topic itself (the compacted raw log is the truth), then updated only
 * after a publish transaction committed. It is what makes re-fetches and the cursor look-back
 * overlap publish nothing new.
 * Memory: about 150 bytes per key (1M keys ≈ 150 MB); see README "Limits".
 */
export class DedupeIndex {
  private readonly hashes = new Map<string, string>();

  get size(): number {
    return this.hashes.size;
  }

  get(key: string): string | undefined {
    return this.hashes.get(key);
  }

  keys(): IterableIterator<string> {
    return this.hashes.keys();
  }

  apply(changes: ReadonlyMap<string, string>): void {
    for (const [key, hash] of changes) this.hashes.set(key, hash);
  }

  static async load(kafka: Kafka, topic: string): Promise<DedupeIndex> {
    const index = new DedupeIndex();
    await index.reload(kafka, topic);
    return index;
  }

  /** Re-reads the topic into this same index (shared by the streams that write the topic). */
  async reload(kafka: Kafka, topic: string): Promise<void> {
    this.hashes.clear();
    await readTopicToEnd({
      kafka,
      topic,
      onMessage: (message) => {
        const key = message.key?.toString('utf8');
        if (key === undefined) return;
        if (message.value === null) {
          this.hashes.set(key, DELETED);
          return;
        }
        const hash = message.headers?.[contentHashHeader]?.toString();
        const operation = message.headers?.['tributary.operation']?.toString();
        this.hashes.set(key, operation === 'delete' ? DELETED : (hash ?? ''));
      },
    });
  }
}
