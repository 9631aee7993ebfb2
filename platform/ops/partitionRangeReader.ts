import type { Kafka, KafkaMessage } from 'kafkajs';
import { readTopicToEnd } from '../topicReader.js';

/** Offsets `[from, to)` of one partition. */
export interface OffsetRange {
  from: bigint;
  to: bigint;
}

export interface ReadRangesOptions {
  kafka: Kafka;
  topic: string;
  ranges: ReadonlyMap<number, OffsetRange>;
  /** @default true */
  readCommitted?: boolean;
  /** @default 60000 */
  timeoutMs?: number;
  onMessage: (message: KafkaMessage, partition: number) => void | Promise<void>;
}

/**
 * Reads the given offset ranges once each, in order per partition, and stops. Unlike
 * readTopicToEnd it seeks to each range's start, so looking at one DLQ record or at what came
 * after a raw record does not read the topic from its beginning.
 */
export async function readOffsetRanges(options: ReadRangesOptions): Promise<{ messages: number }> {
  const ranges = new Map([...options.ranges].filter(([, range]) => range.to > range.from));
  if (ranges.size === 0) return { messages: 0 };
  return readTopicToEnd({
    kafka: options.kafka,
    topic: options.topic,
    partitions: [...ranges.keys()],
    startOffsets: new Map([...ranges].map(([partition, range]) => [partition, range.from.toString()])),
    endOffsets: new Map([...ranges].map(([partition, range]) => [partition, range.to.toString()])),
    readCommitted: options.readCommitted ?? true,
    timeoutMs: options.timeoutMs ?? 60_000,
    onMessage: options.onMessage,
  });
}
