import kafkajs, {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Producer,
  type Transaction,
} from 'kafkajs';
import type { Registry } from 'prom-client';
import { isRetryable, TributaryError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { ensureCounter, ensureGauge, ensureHistogram } from '../../platform/metrics.js';
import { groupByTopic, type OutboundRecord } from '../../platform/outboundRecords.js';
import { deadLetterRecord } from './deadLetter.js';

export interface InputRecord {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * A processing stage: turns one input record into output records. It may keep per-partition
 * state; `loadPartition` (re)builds it when a partition is (re)assigned or after a failed
 * transaction, and `commitPartition` is told once the outputs are committed.
 */
export interface ProcessingStage {
  readonly name: string;
  process(input: InputRecord): Promise<OutboundRecord[]>;
  /**
   * `keepAlive` heartbeats the consumer group: a rebuild can outlast the session timeout, and a
   * member that stops heartbeating is removed, which triggers a rebalance and another rebuild.
   */
  loadPartition?(
    topic: string,
    partition: number,
    committedOffset: string,
    keepAlive: () => Promise<void>,
  ): Promise<void>;
  /** Called after a transaction committed, so staged state becomes durable state. */
  commitPartition?(topic: string, partition: number): void;
  /** Called after a transaction aborted: staged state must be discarded. */
  rollbackPartition?(topic: string, partition: number): void;
  /** Releases what the stage holds (reference-data consumers). */
  close?(): Promise<void>;
}

export interface ExactlyOnceProcessorOptions {
  kafka: Kafka;
  groupId: string;
  inputTopics: readonly string[];
  stage: ProcessingStage;
  dlqTopic: string;
  log: Logger;
  metrics: Registry;
  /** Records per transaction; bounds memory and the redo after a crash. @default 500 */
  maxRecordsPerTransaction?: number;
  /** Attempts for a record whose error is retryable (e.g. an FX rate not yet arrived) before it goes to the DLQ. @default 5 */
  maxAttemptsPerRecord?: number;
  partitionsConsumedConcurrently?: number;
  /**
   * Group session timeout. A crashed instance's partitions move after this long; the broker's
   * group.min.session.timeout.ms (6 s by default) is the floor. @default 30000
   */
  sessionTimeoutMs?: number;
  /** Called when the consumer stopped for good (kafkajs will not restart it). */
  onFatal?: (error: unknown) => void;
  /** Fault-injection hooks for crash tests (e.g. SIGKILL between produce and commit). */
  faultPoints?: { beforeCommit?: () => void };
}

/**
 * Consume → transform → produce, exactly once, with kafkajs (which lacks KIP-447): one
 * transactional producer per input partition (transactional id `<group>.<topic>.<partition>`),
 * so whoever owns a partition fences the previous owner. After fencing, the committed offset is
 * re-read and the consumer seeks forward if a zombie committed more after our join: the outputs
 * and input offsets of one batch are committed in one transaction, never separately.
 */
export class ExactlyOnceProcessor {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private readonly producers = new Map<string, Producer>();
  private readonly verified = new Set<string>();
  /** Next offset after this process's last committed transaction, per partition. */
  private readonly lastCommitted = new Map<string, string>();
  private running = false;
  private readonly recordsIn;
  private readonly recordsOut;
  private readonly deadLetters;
  private readonly transactionSeconds;
  private readonly lagGauge;

  constructor(private readonly options: ExactlyOnceProcessorOptions) {
    const m = options.metrics;
    this.recordsIn = ensureCounter(
      m,
      'tributary_processor_records_in_total',
      'Input records processed and committed',
      ['processor'],
    );
    this.recordsOut = ensureCounter(m, 'tributary_processor_records_out_total', 'Output records committed', [
      'processor',
    ]);
    this.deadLetters = ensureCounter(m, 'tributary_processor_dlq_total', 'Input records sent to the DLQ', [
      'processor',
    ]);
    this.transactionSeconds = ensureHistogram(
      m,
      'tributary_processor_transaction_seconds',
      'Duration of one processing transaction',
      ['processor'],
    );
    this.lagGauge = ensureGauge(
      m,
      'tributary_processor_partition_lag',
      'Records behind the high watermark at the last batch',
      ['processor', 'topic', 'partition'],
    );
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    const { kafka, groupId } = this.options;
    this.admin = kafka.admin();
    await this.admin.connect();
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      rebalanceTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3_000, Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 3)),
      maxBytesPerPartition: 1024 * 1024,
      maxBytes: 8 * 1024 * 1024,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // New generation: every partition must be fenced and its offset re-read before use.
      this.verified.clear();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.options.log.error(
        { err: event.payload.error, restart: event.payload.restart },
        'processor consumer crashed',
      );
      this.verified.clear();
      // kafkajs gives up on this consumer: let the process exit and be restarted rather than
      // idle while looking alive (committed offsets make the restart exact).
      if (!event.payload.restart) {
        this.running = false;
        this.options.onFatal?.(event.payload.error);
      }
    });
    await consumer.connect();
    for (const topic of this.options.inputTopics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.running = true;
  }

  private transactionalId(topic: string, partition: number): string {
    return `${this.options.groupId}.${topic}.${partition}`;
  }

  private async producerFor(topic: string, partition: number): Promise<Producer> {
    const key = `${topic}:${partition}`;
    const existing = this.producers.get(key);
    if (existing) return existing;
    const producer = this.options.kafka.producer({
      transactionalId: this.transactionalId(topic, partition),
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 50, maxRetryTime: 5_000 },
    });
    await producer.connect();
    // kafkajs only sends the transactional InitProducerId at the first transaction: do it now,
    // so the previous owner of this partition is fenced before we read its committed offset.
    const fence = await producer.transaction();
    await fence.abort();
    this.producers.set(key, producer);
    return producer;
  }

  private async dropProducer(topic: string, partition: number): Promise<void> {
    const key = `${topic}:${partition}`;
    const producer = this.producers.get(key);
    this.producers.delete(key);
    this.verified.delete(key);
    await producer?.disconnect().catch(() => undefined);
  }

  private async committedOffset(topic: string, partition: number): Promise<string> {
    const admin = this.admin;
    if (!admin) throw new TributaryError('INVALID_STATE', 'processor not started');
    const offsets = await admin.fetchOffsets({ groupId: this.options.groupId, topics: [topic] });
    return offsets[0]?.partitions.find((entry) => entry.partition === partition)?.offset ?? '-1';
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    const key = `${topic}:${partition}`;
    const consumer = this.consumer;
    if (!consumer || batch.messages.length === 0) return;
    if (!this.verified.has(key)) {
      // First batch of this partition in this generation: fence again, even if this process owned
      // it before. A new InitProducerId returns only once the previous transaction of this
      // transactional id (ours or a zombie's) is complete, offsets included — without it the
      // committed offset read below can be stale (the race KIP-447 fixed with requireStable) and
      // a partition re-assigned to the same member re-processes records it already committed.
      await this.dropProducer(topic, partition);
    }
    const producer = await this.producerFor(topic, partition);
    if (!this.verified.has(key)) {
      const fetched = await this.committedOffset(topic, partition);
      // Our own last successful commit is committed too, whatever OffsetFetch says.
      const ownCommit = this.lastCommitted.get(key);
      const committed =
        ownCommit !== undefined && (fetched === '-1' || BigInt(ownCommit) > BigInt(fetched))
          ? ownCommit
          : fetched;
      if (committed !== '-1' && BigInt(committed) > BigInt(batch.firstOffset() ?? '0')) {
        this.options.log.info(
          { topic, partition, committed, fetched: batch.firstOffset() },
          'a previous owner committed further: seeking',
        );
        consumer.seek({ topic, partition, offset: committed });
        return;
      }
      await this.options.stage.loadPartition?.(topic, partition, committed, heartbeat);
      this.verified.add(key);
    }
    const maxRecords = this.options.maxRecordsPerTransaction ?? 500;
    const messages = batch.messages;
    for (let start = 0; start < messages.length; start += maxRecords) {
      if (!isRunning() || isStale()) return;
      const chunk = messages.slice(start, start + maxRecords);
      const outputs: OutboundRecord[] = [];
      let deadLettered = 0;
      try {
        for (const message of chunk) {
          const result = await this.processWithRetries({ topic, partition, message });
          if (result.ok) outputs.push(...result.outputs);
          else {
            outputs.push(result.deadLetter);
            deadLettered++;
          }
        }
      } catch (error) {
        // A dependency failed (not the record): nothing of this chunk is committed, the staged
        // state goes, and the consumer restarts from the committed offset. kafkajs restarts only
        // for errors it deems retriable, judged on the innermost cause — hence no cause here.
        this.options.stage.rollbackPartition?.(topic, partition);
        this.options.log.warn(
          { err: error, topic, partition },
          'a dependency failed while processing; partition will be re-read from its committed offset',
        );
        throw new kafkajs.KafkaJSError(error instanceof Error ? error.message : String(error), {
          retriable: true,
        });
      }
      const last = chunk.at(-1);
      if (!last) continue;
      const nextOffset = (BigInt(last.offset) + 1n).toString();
      const stopTimer = this.transactionSeconds.startTimer({ processor: this.options.stage.name });
      // Everything from here to the commit is one unit: whatever fails (beginning the transaction
      // included — a broker restart leaves kafkajs' producer in a state it cannot leave), the
      // staged state is rolled back and the producer replaced, else the partition stalls or the
      // stage believes in outputs that were never committed.
      let transaction: Transaction | undefined;
      try {
        transaction = await producer.transaction();
        if (outputs.length > 0) await transaction.sendBatch({ topicMessages: groupByTopic(outputs) });
        await transaction.sendOffsets({
          consumerGroupId: this.options.groupId,
          topics: [{ topic, partitions: [{ partition, offset: nextOffset }] }],
        });
        this.options.faultPoints?.beforeCommit?.();
        await transaction.commit();
      } catch (error) {
        await transaction?.abort().catch(() => undefined);
        this.options.stage.rollbackPartition?.(topic, partition);
        await this.dropProducer(topic, partition);
        this.options.log.warn(
          { err: error, topic, partition },
          'processing transaction failed; partition will be re-read from its committed offset',
        );
        throw error;
      } finally {
        stopTimer();
      }
      this.options.stage.commitPartition?.(topic, partition);
      this.lastCommitted.set(key, nextOffset);
      resolveOffset(last.offset);
      this.recordsIn.inc({ processor: this.options.stage.name }, chunk.length);
      this.recordsOut.inc({ processor: this.options.stage.name }, outputs.length - deadLettered);
      if (deadLettered > 0) this.deadLetters.inc({ processor: this.options.stage.name }, deadLettered);
      await heartbeat();
    }
    const lag = BigInt(batch.highWatermark) - 1n - BigInt(batch.lastOffset());
    this.lagGauge.set(
      { processor: this.options.stage.name, topic, partition: String(partition) },
      Number(lag < 0n ? 0n : lag),
    );
  }

  private async processWithRetries(
    input: InputRecord,
  ): Promise<{ ok: true; outputs: OutboundRecord[] } | { ok: false; deadLetter: OutboundRecord }> {
    const maxAttempts = this.options.maxAttemptsPerRecord ?? 5;
    let attempt = 0;
    for (;;) {
      attempt++;
      try {
        return { ok: true, outputs: await this.options.stage.process(input) };
      } catch (error) {
        if (isDependencyFailure(error)) throw error;
        if (isRetryable(error) && attempt < maxAttempts) {
          await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
          continue;
        }
        this.options.log.warn(
          {
            err: error,
            topic: input.topic,
            partition: input.partition,
            offset: input.message.offset,
            stage: this.options.stage.name,
          },
          'record sent to the DLQ',
        );
        return {
          ok: false,
          deadLetter: deadLetterRecord({
            dlqTopic: this.options.dlqTopic,
            stage: this.options.stage.name,
            topic: input.topic,
            partition: input.partition,
            message: input.message,
            error,
            attempts: attempt,
          }),
        };
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer?.disconnect();
    for (const producer of this.producers.values()) await producer.disconnect().catch(() => undefined);
    this.producers.clear();
    await this.options.stage.close?.();
    await this.admin?.disconnect();
  }
}

/**
 * Errors that say nothing about the record — Kafka or the database is unreachable while a stage
 * looks something up. They fail the batch instead of dead-lettering a good record.
 */
function isDependencyFailure(error: unknown): boolean {
  return (
    error instanceof TributaryError &&
    (error.code === 'KAFKA_UNAVAILABLE' || error.code === 'DATABASE_UNAVAILABLE')
  );
}
