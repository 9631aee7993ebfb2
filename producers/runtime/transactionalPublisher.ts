import { randomUUID } from 'node:crypto';
import type { Kafka, Producer, Transaction } from 'kafkajs';
import type { Registry } from 'prom-client';
import { TributaryError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { ensureCounter, ensureHistogram } from '../../platform/metrics.js';
import { groupByTopic, type OutboundRecord } from '../../platform/outboundRecords.js';
import type { ReadBarrier } from '../../platform/topicReader.js';
import { encodeSourceState, loadSourceStates, type SourceState } from './sourceState.js';

/** Header that marks the read barrier a publisher writes to the state topic when it connects. */
export const readBarrierHeader = 'tributary.read-barrier';

export type { OutboundRecord } from '../../platform/outboundRecords.js';

export interface TransactionalPublisherOptions {
  kafka: Kafka;
  /** One per stream: a restarted instance with the same id fences the old one. */
  transactionalId: string;
  stateTopic: string;
  log: Logger;
  metrics: Registry;
  /** Label for metrics (bounded: the source name, not ids). */
  source: string;
  /** Kafka transaction timeout; an abandoned transaction is aborted by the broker after it. @default 60000 */
  transactionTimeoutMs?: number;
}

/**
 * Writes records and the stream state that covers them in one Kafka transaction: after a crash
 * at any instruction, readers (read_committed) see both or neither. This is the one mechanism
 * the polling and CDC producers share.
 */
export class TransactionalPublisher {
  private producer: Producer | undefined;
  private barrier: ReadBarrier | undefined;
  /** The publish in progress, if any: disconnect() lets it settle first. */
  private inFlight: Promise<unknown> | undefined;
  private readonly transactions;
  private readonly records;
  private readonly latency;

  constructor(private readonly options: TransactionalPublisherOptions) {
    this.transactions = ensureCounter(
      options.metrics,
      'tributary_producer_transactions_total',
      'Kafka transactions by outcome',
      ['source', 'outcome'],
    );
    this.records = ensureCounter(
      options.metrics,
      'tributary_producer_records_published_total',
      'Records published to raw topics (committed)',
      ['source'],
    );
    this.latency = ensureHistogram(
      options.metrics,
      'tributary_producer_transaction_seconds',
      'Duration of one publish transaction',
      ['source'],
    );
  }

  /**
   * Connects and fences any earlier instance with the same transactional id. kafkajs' connect()
   * only initialises an idempotent producer id; the transactional InitProducerId (which bumps the
   * epoch and aborts a zombie's open transaction) is sent at the first transaction(). Without the
   * transaction below, a zombie could still commit after its successor connected — our fencing
   * test caught exactly that against Kafka 4.1.
   *
   * That first transaction commits a read barrier (a tombstone under a key of its own) to
   * every partition of the state topic, so that `loadStates` can tell when it has read everything
   * committed before it — see there.
   */
  async connect(): Promise<void> {
    const producer = this.options.kafka.producer({
      transactionalId: this.options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.options.transactionTimeoutMs ?? 60_000,
      // An idempotent producer must keep retrying a send (kafkajs warns otherwise); the
      // transaction timeout bounds how long an unresolved transaction can block readers.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 50, maxRetryTime: 5_000 },
    });
    await producer.connect();
    const partitions = await this.statePartitions();
    const barrier: ReadBarrier = { header: readBarrierHeader, value: randomUUID() };
    const fence = await producer.transaction();
    try {
      await fence.send({
        topic: this.options.stateTopic,
        messages: partitions.map((partition) => ({
          partition,
          key: `_tributary/read-barrier/${this.options.transactionalId}`,
          value: null,
          headers: { [barrier.header]: barrier.value },
        })),
      });
      await fence.commit();
    } catch (error) {
      await fence.abort().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = producer;
    this.barrier = barrier;
  }

  private async statePartitions(): Promise<number[]> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [this.options.stateTopic] });
      return (topics[0]?.partitions ?? []).map((partition) => partition.partitionId);
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * The committed state of these keys, as the last transaction before `connect()` left it. A plain
   * read to the end would stop at each partition's last stable offset, which stays before any
   * transaction still open there — another stream's producer that was SIGKILLed mid-transaction
   * holds it for up to its transaction timeout — and would return an older state, or none (a CDC
   * producer then re-snapshots, and deletes made meanwhile are lost). Reading up to this publisher's
   * barrier waits for those transactions to end instead (bounded by `timeoutMs`, retryable).
   */
  async loadStates(keys: readonly string[], timeoutMs = 120_000): Promise<Map<string, SourceState>> {
    if (!this.barrier) throw new TributaryError('INVALID_STATE', 'publisher not connected');
    return loadSourceStates(this.options.kafka, this.options.stateTopic, keys, {
      untilBarrier: this.barrier,
      timeoutMs,
    });
  }

  /**
   * Publishes the records and, in the same transaction, the new state under `stateKey`.
   * Throws (after aborting) when the transaction could not be committed; the caller must not
   * treat any of these records or the state as published.
   */
  async publish(records: readonly OutboundRecord[], stateKey: string, state: SourceState): Promise<void> {
    const publishing = this.publishOnce(records, stateKey, state);
    this.inFlight = publishing.catch(() => undefined);
    try {
      await publishing;
    } finally {
      this.inFlight = undefined;
    }
  }

  private async publishOnce(
    records: readonly OutboundRecord[],
    stateKey: string,
    state: SourceState,
  ): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new TributaryError('INVALID_STATE', 'publisher not connected');
    const stop = this.latency.startTimer({ source: this.options.source });
    let transaction: Transaction | undefined;
    try {
      transaction = await producer.transaction();
      await transaction.sendBatch({
        topicMessages: groupByTopic([
          ...records,
          { topic: this.options.stateTopic, key: stateKey, value: encodeSourceState(state) },
        ]),
      });
      await transaction.commit();
    } catch (error) {
      this.transactions.inc({ source: this.options.source, outcome: 'aborted' });
      await transaction?.abort().catch((abortError: unknown) => {
        this.options.log.warn({ err: abortError }, 'abort after failed publish also failed');
      });
      // The outcome may be unknown (a commit sent, its answer lost) and kafkajs' producer may be
      // stuck mid-transaction after a broker restart: drop it. The caller must reconnect — which
      // fences, so the transaction is then settled one way or the other — and re-read its state.
      this.producer = undefined;
      await producer.disconnect().catch(() => undefined);
      throw new TributaryError(
        'KAFKA_UNAVAILABLE',
        `publishing ${records.length} records for ${stateKey} failed`,
        {
          cause: error,
          retryable: true,
        },
      );
    } finally {
      stop();
    }
    this.transactions.inc({ source: this.options.source, outcome: 'committed' });
    this.records.inc({ source: this.options.source }, records.length);
  }

  /** False after a failed publish: reconnect (and re-read the committed state) before publishing again. */
  get connected(): boolean {
    return this.producer !== undefined;
  }

  /**
   * Lets a publish in progress commit or abort (up to `settleMs`), then disconnects. Disconnecting
   * in the middle of a transaction would leave it open on the broker until its timeout, and an open
   * transaction holds back every read_committed reader of its partitions (processors, the next
   * instance's state read) for that long.
   */
  async disconnect(settleMs = 10_000): Promise<void> {
    const producer = this.producer;
    this.producer = undefined; // no new publish from here on
    this.barrier = undefined;
    if (this.inFlight) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.inFlight,
        new Promise((resolve) => {
          timer = setTimeout(resolve, settleMs);
        }),
      ]);
      clearTimeout(timer);
    }
    await producer?.disconnect();
  }
}
