import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { TributaryError } from './errors.js';

export interface ReadTopicOptions {
  kafka: Kafka;
  topic: string;
  /** Only committed transactional records (the default, as every Tributary reader). */
  readCommitted?: boolean;
  /** Give up when the end is not reached within this time. @default 60000 */
  timeoutMs?: number;
  /** Read only these partitions (default: all). */
  partitions?: readonly number[];
  /** Stop before this offset per partition instead of the high watermark (exclusive). */
  endOffsets?: ReadonlyMap<number, string>;
  /** Start at this offset per partition instead of the beginning. */
  startOffsets?: ReadonlyMap<number, string>;
  /**
   * Read each partition until the record carrying this header value (written by the caller in a
   * committed transaction just before) instead of stopping at the offsets taken at the start. Those
   * are last stable offsets: while any producer's transaction is open on a partition they stay
   * before it, so records committed after it — e.g. this stream's latest state — would be missed.
   * A read_committed reader sees the barrier only once every transaction begun before it has ended.
   * The barrier record itself is not passed to `onMessage`, nor anything after it.
   */
  untilBarrier?: ReadBarrier;
  onMessage: (message: KafkaMessage, partition: number) => void | Promise<void>;
}

/** A record written to every partition of a topic so that a later read knows where "now" was. */
export interface ReadBarrier {
  header: string;
  value: string;
}

/** End of a partition whose barrier has not been read yet. */
const unbounded = 2n ** 63n - 1n;

function isBarrier(message: KafkaMessage, barrier: ReadBarrier | undefined): boolean {
  return barrier !== undefined && message.headers?.[barrier.header]?.toString() === barrier.value;
}

/**
 * Reads a topic from the beginning up to the offsets taken when the read starts — kafkajs asks
 * for them read_committed, so they are last stable offsets, not high watermarks (see
 * `untilBarrier` for a read that must not stop before an open transaction) — then stops.
 * "Reached" is judged from kafkajs' end-of-batch events, which are also emitted for
 * batches made only of transaction markers or aborted records — so a log ending in a commit
 * marker still counts as read. Used to rebuild state (source cursors, dedupe indexes, merge
 * state) and by tests to compare a topic with the ground truth.
 */
export async function readTopicToEnd(options: ReadTopicOptions): Promise<{ messages: number }> {
  const admin = options.kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(options.topic);
    const wanted = options.partitions ? new Set(options.partitions) : undefined;
    ends = new Map(
      offsets
        .filter((partition) => wanted === undefined || wanted.has(partition.partition))
        .map((partition) => {
          const stopAt = options.endOffsets?.get(partition.partition);
          // Never past the high watermark: offsets beyond it do not exist yet.
          const high =
            stopAt === undefined || BigInt(stopAt) > BigInt(partition.high)
              ? BigInt(partition.high)
              : BigInt(stopAt);
          const startAt = options.startOffsets?.get(partition.partition);
          const low =
            startAt === undefined
              ? BigInt(partition.low)
              : BigInt(startAt) > BigInt(partition.low)
                ? BigInt(startAt)
                : BigInt(partition.low);
          return [partition.partition, { low, last: high - 1n }] as const;
        })
        // With a barrier every partition is read until its barrier, however empty it looked.
        .filter(([, range]) => options.untilBarrier !== undefined || range.last >= range.low)
        .map(([partition, range]) => [partition, options.untilBarrier ? unbounded : range.last]),
    );
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return { messages: 0 };

  const groupId = `tributary-reader-${randomUUID()}`;
  const consumer = options.kafka.consumer({
    groupId,
    readUncommitted: !(options.readCommitted ?? true),
    maxWaitTimeInMs: 200,
    sessionTimeout: 30_000,
  });
  const remaining = new Set(ends.keys());
  let messages = 0;
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const markReached = (partition: number, lastOffset: string): void => {
    const end = ends.get(partition);
    if (end !== undefined && BigInt(lastOffset) >= end) {
      remaining.delete(partition);
      if (remaining.size === 0) resolveDone();
    }
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    if (event.payload.topic === options.topic && options.untilBarrier === undefined)
      markReached(event.payload.partition, event.payload.lastOffset);
  });
  await consumer.connect();
  let failure: unknown;
  try {
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        const end = ends.get(partition);
        if (end === undefined || BigInt(message.offset) > end) return;
        if (isBarrier(message, options.untilBarrier)) {
          // Nothing after the barrier belongs to this read.
          ends.set(partition, BigInt(message.offset) - 1n);
          markReached(partition, message.offset);
          return;
        }
        const startAt = options.startOffsets?.get(partition);
        if (startAt !== undefined && BigInt(message.offset) < BigInt(startAt)) return;
        messages++;
        try {
          await options.onMessage(message, partition);
        } catch (error) {
          failure ??= error;
          resolveDone();
        }
      },
    });
    for (const partition of ends.keys()) {
      const startAt = options.startOffsets?.get(partition);
      if (startAt !== undefined) consumer.seek({ topic: options.topic, partition, offset: startAt });
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
        `reading ${options.topic} to its end took longer than ${timeoutMs} ms`,
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
    // The throwaway group committed nothing; deleting it keeps the group list readable.
    await cleanup.deleteGroups([groupId]).catch(() => undefined);
    await cleanup.disconnect().catch(() => undefined);
  }
  return { messages };
}
