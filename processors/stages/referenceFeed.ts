import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { TributaryError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';

export interface ReferenceFeedOptions {
  kafka: Kafka;
  topic: string;
  log: Logger;
  /** Applies one record (in offset order per partition); must not throw. */
  apply: (message: KafkaMessage) => void;
  /** How long a catch-up may wait for the feed to reach the topic's end. @default 30000 */
  catchUpTimeoutMs?: number;
}

/**
 * A "global table": every record of one reference topic (exchange rates, crosswalk links), in
 * every map-stage instance, outside the consumer group. One tailing read_committed consumer reads
 * the topic from the beginning; `catchUp()` waits until it has applied everything committed when
 * the call began — the last stable offset of each partition, which is what kafkajs' ListOffsets
 * returns by default. A lookup that misses calls it before concluding the entry does not exist:
 * a record the map stage reads was committed, so the reference records committed before it are
 * then applied too — except when the commit marker of the same transaction has not reached the
 * reference partition yet (markers land a moment after commit() returns, one partition at a
 * time); the engine's retries of a miss cover that moment.
 */
export class ReferenceFeed {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  /** Next offset to apply, per partition. */
  private readonly positions = new Map<number, bigint>();
  private started = false;

  constructor(private readonly options: ReferenceFeedOptions) {}

  get topic(): string {
    return this.options.topic;
  }

  private advance(partition: number, offset: string): void {
    const next = BigInt(offset) + 1n;
    if (next > (this.positions.get(partition) ?? 0n)) this.positions.set(partition, next);
  }

  /** Starts tailing (when the topic exists) and waits until everything committed so far is applied. */
  async start(): Promise<void> {
    if (this.started) return;
    if (!this.admin) {
      const admin = this.options.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const admin = this.admin;
    if (!(await admin.listTopics()).includes(this.options.topic)) {
      this.options.log.warn(
        { topic: this.options.topic },
        'reference topic missing: lookups will wait for it',
      );
      return;
    }
    const consumer = this.options.kafka.consumer({
      groupId: `tributary-reference-${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    // End-of-batch events also come for batches holding only transaction markers or aborted
    // records, so a partition ending in a commit marker counts as read.
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart) return;
      // kafkajs gave up on this consumer: the next catch-up starts a new one from the beginning.
      // Records are applied again in offset order; until it has caught up, an entry changed since
      // its first record (a re-linked key) can read its older value.
      this.options.log.warn(
        { err: event.payload.error, topic: this.options.topic },
        'reference feed stopped; restarting',
      );
      this.started = false;
      this.consumer = undefined;
      this.positions.clear();
      void consumer.disconnect().catch(() => undefined);
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      if (event.payload.topic === this.options.topic)
        this.advance(event.payload.partition, event.payload.lastOffset);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        this.options.apply(message);
        this.advance(partition, message.offset);
      },
    });
    this.started = true;
    await this.catchUp();
  }

  /**
   * Resolves once every record committed when it was called has been applied. Throws a retryable
   * KAFKA_UNAVAILABLE error after the timeout: the caller's batch must fail and be retried, never
   * be dead-lettered for an infrastructure fault.
   */
  async catchUp(): Promise<void> {
    if (!this.started) await this.start();
    // Still not started: the topic does not exist, so there is nothing to catch up with.
    const admin = this.admin;
    if (!this.started || !admin) return;
    const offsets = await admin.fetchTopicOffsets(this.options.topic);
    const deadline = Date.now() + (this.options.catchUpTimeoutMs ?? 30_000);
    const behind = (): number[] =>
      offsets
        .filter((partition) => BigInt(partition.high) > BigInt(partition.low))
        .filter((partition) => (this.positions.get(partition.partition) ?? 0n) < BigInt(partition.high))
        .map((partition) => partition.partition);
    for (let waiting = behind(); waiting.length > 0; waiting = behind()) {
      if (Date.now() > deadline) {
        throw new TributaryError(
          'KAFKA_UNAVAILABLE',
          `reference feed ${this.options.topic} did not catch up within ${this.options.catchUpTimeoutMs ?? 30_000} ms`,
          { retryable: true, details: { partitionsBehind: waiting } },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
    this.consumer = undefined;
    this.admin = undefined;
    this.started = false;
  }
}
