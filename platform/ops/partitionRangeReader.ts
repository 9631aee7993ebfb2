import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { TributaryError } from '../errors.js';

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
  const admin = options.kafka.admin();
  await admin.connect();
  let partitions: number[];
  try {
    partitions = (await admin.fetchTopicOffsets(options.topic)).map((entry) => entry.partition);
  } finally {
    await admin.disconnect();
  }
  const groupId = `tributary-reader-${randomUUID()}`;
  const consumer = options.kafka.consumer({
    groupId,
    readUncommitted: !(options.readCommitted ?? true),
    maxWaitTimeInMs: 200,
    sessionTimeout: 30_000,
  });
  // Highest offset delivered per partition: a fetch that started before the seek took effect is
  // delivered again after it, and must not reach onMessage twice.
  const delivered = new Map([...ranges].map(([partition, range]) => [partition, range.from - 1n]));
  const remaining = new Set(ranges.keys());
  let messages = 0;
  let failure: unknown;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const reached = (partition: number, offset: bigint): void => {
    const range = ranges.get(partition);
    if (range && offset >= range.to - 1n && remaining.delete(partition) && remaining.size === 0)
      resolveDone();
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    const { topic, partition, lastOffset } = event.payload;
    // A batch ending in transaction markers still moves us past the range end; any in-range
    // record in it was delivered to eachMessage first.
    if (topic === options.topic) reached(partition, BigInt(lastOffset));
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        const range = ranges.get(partition);
        if (!range) return;
        const offset = BigInt(message.offset);
        if (offset < range.from || offset >= range.to) return;
        if (offset <= (delivered.get(partition) ?? -1n)) return;
        delivered.set(partition, offset);
        messages++;
        try {
          await options.onMessage(message, partition);
        } catch (error) {
          failure ??= error;
          resolveDone();
        }
        reached(partition, offset);
      },
    });
    const others = partitions.filter((partition) => !ranges.has(partition));
    if (others.length > 0) consumer.pause([{ topic: options.topic, partitions: others }]);
    for (const [partition, range] of ranges) {
      consumer.seek({ topic: options.topic, partition, offset: range.from.toString() });
    }
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      done.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (failure !== undefined) throw failure;
    if (timedOut) {
      throw new TributaryError(
        'KAFKA_UNAVAILABLE',
        `reading ${options.topic} ranges took longer than ${timeoutMs} ms`,
        {
          retryable: true,
          details: { partitionsNotReached: [...remaining] },
        },
      );
    }
  } finally {
    await consumer.disconnect();
    const cleanup = options.kafka.admin();
    await cleanup.connect().catch(() => undefined);
    await cleanup.deleteGroups([groupId]).catch(() => undefined);
    await cleanup.disconnect().catch(() => undefined);
  }
  return { messages };
}
