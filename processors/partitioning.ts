import { Partitioners } from 'kafkajs';

const partitioner = Partitioners.DefaultPartitioner();
const metadataCache = new Map<
  number,
  { partitionId: number; leader: number; replicas: number[]; isr: number[]; partitionErrorCode: number }[]
>();

/**
 * The partition Kafka's default (murmur2) partitioner picks for a key — the same choice the Java
 * client makes — computed explicitly so fragments keyed by `<canonicalId>|<source key>` land in
 * the partition of their canonical id, next to the canonical record itself.
 */
export function partitionFor(key: string, partitions: number): number {
  let metadata = metadataCache.get(partitions);
  if (!metadata) {
    metadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    }));
    metadataCache.set(partitions, metadata);
  }
  return partitioner({ topic: 'tributary', partitionMetadata: metadata, message: { key, value: null } });
}
