import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { isRetryable, TributaryError } from '../../platform/errors.js';
import { Lifecycle, type LifecycleState } from '../../platform/lifecycle.js';
import type { Logger } from '../../platform/logger.js';
import { translatePgError } from '../../platform/postgres.js';
import { backoffDelay } from './backoff.js';
import { type CircuitState, createDbCircuit, type DbCircuit, isCircuitOpenError } from './dbCircuit.js';
import { createRecordDecoder, type WireDecoder } from './decodeRecord.js';
import { createDlqPublisher } from './dlqPublisher.js';
import { OffsetConflictError, readStoredOffset } from './offsetStore.js';
import { PartitionState } from './partitionState.js';
import { createSinkMetrics, type SinkMetrics } from './sinkMetrics.js';
import {
  type PostgresSinkOptions,
  type PostgresSinkOptionsInput,
  resolvePostgresSinkOptions,
} from './sinkOptions.js';
import type { SinkRecord } from './sinkRecord.js';
import type { EntityTableSpec } from './specs/entityTableSpec.js';
import { createTableStatements, type TableStatements } from './tableStatements.js';
import { writeBatch } from './writeBatch.js';

export interface PostgresSinkDeps {
  kafka: Kafka;
  /** The sink does not end the pool; its owner does, after stop(). */
  pool: pg.Pool;
  decoder: WireDecoder;
  log: Logger;
  metrics: Registry;
  /** Grace period for stop(). @default 25000 */
  graceMs?: number;
  /** Called once when the sink hits an error it cannot recover from (e.g. a missing table). */
  onFatal?: (error: unknown) => void;
  /** Test-only fault points. */
  faults?: { afterDbCommit?: () => void };
}

interface TopicBinding {
  spec: EntityTableSpec;
  statements: TableStatements;
  decode: ReturnType<typeof createRecordDecoder>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The PostgreSQL sink: consumes canonical topics as one consumer group and writes each partition's
 * records in batches, each batch one transaction that also moves the stored offset
 * (compare-and-set). The fetch loop only decodes and buffers; writing happens off the fetch loop,
 * so long transactions never block kafkajs heartbeats. Buffers are bounded by water marks that
 * pause and resume partitions; a database outage opens a circuit that pauses every partition.
 */
export class PostgresSink {
  readonly options: PostgresSinkOptions;
  private readonly lifecycle: Lifecycle;
  private readonly log: Logger;
  private readonly metrics: SinkMetrics;
  private readonly bindings = new Map<string, TopicBinding>();
  private readonly partitions = new Map<string, PartitionState>();
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly circuit: DbCircuit;
  private readonly publishDlq: ReturnType<typeof createDlqPublisher>;
  private intakeStopped = false;
  private forced = false;
  private fatal = false;
  private readonly flushes = new Set<Promise<void>>();

  constructor(
    optionsInput: PostgresSinkOptionsInput,
    private readonly deps: PostgresSinkDeps,
  ) {
    this.options = resolvePostgresSinkOptions(optionsInput);
    this.log = deps.log.child({ component: 'postgres-sink', group: this.options.groupId });
    this.metrics = createSinkMetrics(deps.metrics);
    for (const [topic, spec] of this.options.topicOf) {
      this.bindings.set(topic, {
        spec,
        statements: createTableStatements(spec),
        decode: createRecordDecoder(deps.decoder, spec.entity),
      });
    }
    this.consumer = deps.kafka.consumer({
      groupId: this.options.kafkaGroupId,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(this.options.sessionTimeoutMs / 3)),
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      maxWaitTimeInMs: 250,
      readUncommitted: false,
    });
    this.producer = deps.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.publishDlq = createDlqPublisher(this.producer, this.options.dlqTopic);
    this.circuit = createDbCircuit({
      resetTimeoutMs: this.options.circuitResetMs,
      errorThresholdPercentage: this.options.circuitErrorThresholdPercentage,
      volumeThreshold: this.options.circuitVolumeThreshold,
      log: this.log,
      onStateChange: (state) => this.onCircuitChange(state),
      probe: async () => {
        try {
          await deps.pool.query('SELECT 1');
        } catch (error) {
          throw translatePgError(error, 'probe');
        }
      },
    });
    this.lifecycle = new Lifecycle(
      'postgres-sink',
      {
        start: () => this.startConsuming(),
        drain: () => this.drain(),
        forceClose: () => this.forceClose(),
      },
      this.log,
      deps.graceMs ?? 25_000,
    );
  }

  get state(): LifecycleState {
    return this.lifecycle.state;
  }

  get circuitState(): CircuitState {
    return this.circuit.state;
  }

  /** Partitions currently paused (backpressure or open circuit), as `topic/partition`. */
  pausedPartitions(): string[] {
    return this.consumer.paused().flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}/${p}`));
  }

  bufferedRecords(): number {
    let total = 0;
    for (const state of this.partitions.values()) total += state.records.length;
    return total;
  }

  /** Encoded bytes buffered across all partitions (the process-wide memory bound). */
  private bufferedBytes(): number {
    let total = 0;
    for (const state of this.partitions.values()) total += state.bytes;
    return total;
  }

  start(): Promise<void> {
    return this.lifecycle.start();
  }

  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  private async startConsuming(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    const { GROUP_JOIN, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      // A new generation: buffered records may be refetched, stored offsets may have moved.
      for (const state of this.partitions.values()) {
        state.reset();
        if (state.paused) this.setPaused(state, false);
      }
      this.log.info({ assignment: payload.memberAssignment }, 'partitions assigned');
    });
    this.consumer.on(CRASH, ({ payload }) => {
      this.log.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      // kafkajs gives up on this consumer: exit so the orchestrator restarts the process
      // (stored offsets make the restart exact) instead of idling while looking alive.
      if (!payload.restart) this.deps.onFatal?.(payload.error);
    });
    await this.consumer.subscribe({ topics: [...this.bindings.keys()], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.min(4, Math.max(1, this.bindings.size * 2)),
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private stateOf(topic: string, partition: number): PartitionState {
    const id = `${topic}/${partition}`;
    let state = this.partitions.get(id);
    if (!state) {
      state = new PartitionState(topic, partition);
      this.partitions.set(id, state);
    }
    return state;
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    if (this.intakeStopped || !isRunning() || isStale() || batch.isEmpty()) return;
    const binding = this.bindings.get(batch.topic);
    if (!binding) return;
    const state = this.stateOf(batch.topic, batch.partition);
    const generation = state.generation;
    // kafkajs keeps the requested fetch offset on the batch at run time but does not type it.
    const fetchedOffset = BigInt(
      (batch as unknown as { fetchedOffset?: string }).fetchedOffset ?? batch.firstOffset() ?? '0',
    );
    if (state.awaitingSeek !== undefined) {
      // Fetched before our seek took effect: drop it. A fetch at or past the stored offset means the
      // seek did take effect — kafkajs skips transaction markers without calling us, so the first
      // batch after seeking to an offset that holds a commit marker starts after it. (Waiting for
      // an exact match here looped forever: found by the chaos run.)
      if (fetchedOffset < state.awaitingSeek) return;
      state.awaitingSeek = undefined;
    }
    const floor = state.fetchedUpTo ?? (typeof state.stored === 'bigint' ? state.stored : -1n);
    const decoded: SinkRecord[] = [];
    for (const message of batch.messages) {
      if (BigInt(message.offset) < floor) continue;
      decoded.push(await binding.decode(batch.topic, batch.partition, message));
    }
    if (generation !== state.generation || this.intakeStopped) return; // rebalanced while decoding
    state.push(decoded);
    state.highWatermark = BigInt(batch.highWatermark);
    const lastOffset = batch.lastOffset();
    resolveOffset(lastOffset);
    state.fetchedUpTo = BigInt(lastOffset) + 1n;
    this.metrics.bufferedRecords.set(this.bufferedRecords());
    this.metrics.bufferedBytes.set(this.bufferedBytes());
    if (
      !state.paused &&
      (state.records.length >= this.options.highWaterRecords ||
        state.bytes >= this.options.highWaterBytes ||
        this.bufferedBytes() >= this.options.maxBufferedBytes)
    ) {
      this.setPaused(state, true);
    }
    this.scheduleFlush(state, binding);
    await heartbeat();
  }

  private setPaused(state: PartitionState, paused: boolean): void {
    state.paused = paused;
    const target = [{ topic: state.topic, partitions: [state.partition] }];
    if (paused) this.consumer.pause(target);
    else if (this.circuit.state === 'closed' && !this.intakeStopped) this.consumer.resume(target);
    this.updatePausedGauge();
  }

  private updatePausedGauge(): void {
    this.metrics.pausedPartitions.set(this.pausedPartitions().length);
  }

  private onCircuitChange(state: CircuitState): void {
    this.metrics.circuitState.set(state === 'closed' ? 0 : state === 'half-open' ? 1 : 2);
    const topics = [...this.bindings.keys()].map((topic) => ({ topic }));
    if (state === 'open') {
      // Every partition waits for the database; nothing more is fetched, so memory stays bounded.
      this.consumer.pause(topics);
    } else if (state === 'closed' && !this.intakeStopped) {
      this.consumer.resume(topics);
      for (const partition of this.partitions.values()) {
        if (partition.paused)
          this.consumer.pause([{ topic: partition.topic, partitions: [partition.partition] }]);
      }
    }
    this.updatePausedGauge();
  }

  private scheduleFlush(state: PartitionState, binding: TopicBinding): void {
    if (state.flushing || state.records.length === 0 || this.fatal) return;
    if (
      state.records.length >= this.options.maxBatchRecords ||
      this.intakeStopped ||
      this.options.lingerMs === 0
    ) {
      this.startFlush(state, binding);
    } else if (!state.lingerTimer) {
      state.lingerTimer = setTimeout(() => {
        state.lingerTimer = undefined;
        this.startFlush(state, binding);
      }, this.options.lingerMs);
    }
  }

  private startFlush(state: PartitionState, binding: TopicBinding): void {
    if (state.flushing) return;
    if (state.lingerTimer) clearTimeout(state.lingerTimer);
    state.lingerTimer = undefined;
    state.flushing = true;
    const flush = this.flushLoop(state, binding)
      .catch((error: unknown) => this.failFatally(error))
      .finally(() => {
        state.flushing = false;
        this.flushes.delete(flush);
        if (!this.forced && !this.fatal && state.records.length > 0) this.scheduleFlush(state, binding);
      });
    this.flushes.add(flush);
  }

  private async flushLoop(state: PartitionState, binding: TopicBinding): Promise<void> {
    while (state.records.length > 0 && !this.forced && !this.fatal) {
      await this.flushOnce(state, binding);
    }
  }

  /** Runs `fn` through the circuit, retrying retryable failures with backoff until it succeeds or we are forced down. */
  private async withRetry<T>(
    binding: TopicBinding,
    what: string,
    fn: (attempt: number) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.circuit.fire(() => fn(attempt));
      } catch (error) {
        if (this.forced) throw error;
        if (!isRetryable(error) && !isCircuitOpenError(error)) throw error;
        this.metrics.retries.inc({ entity: binding.spec.entity });
        if (!isCircuitOpenError(error) || attempt === 1) {
          this.log.warn(
            { err: error, attempt, what },
            'database unavailable; retrying the whole transaction',
          );
        }
        await sleep(backoffDelay(this.options.backoff, attempt));
      }
    }
  }

  /** Re-reads the stored offset (the truth after a join or a conflict) and lines the buffer up with it. */
  private async reconcile(state: PartitionState, binding: TopicBinding): Promise<void> {
    const generation = state.generation;
    const stored = await this.withRetry(binding, 'read offset', async () => {
      try {
        return await readStoredOffset(this.deps.pool, this.options.groupId, state.topic, state.partition);
      } catch (error) {
        throw translatePgError(error, 'read stored offset');
      }
    });
    if (generation !== state.generation) return;
    state.stored = stored;
    if (stored === null) return;
    state.dropBelow(stored);
    const first = state.records[0];
    const behind = first === undefined && state.fetchedUpTo !== undefined && state.fetchedUpTo < stored;
    const ahead = first !== undefined && first.offset > stored && state.seekedTo !== stored;
    if (behind || ahead) {
      // Kafka's position differs from the database's (committed offsets lost, or ahead): the
      // stored offset wins; behind it we would re-read applied records, ahead of it skip some.
      this.log.info(
        {
          topic: state.topic,
          partition: state.partition,
          stored: stored.toString(),
          first: first?.offset.toString(),
        },
        'seeking to stored offset',
      );
      state.shift(state.records.length);
      state.seekedTo = stored;
      state.awaitingSeek = stored;
      state.fetchedUpTo = stored;
      this.consumer.seek({ topic: state.topic, partition: state.partition, offset: stored.toString() });
    }
    // Dropping already-applied records can empty a buffer that paused its partition (one fetch
    // can pass the high-water mark before the stored offset is known): no flush would resume it.
    this.resumeIfDrained(state);
  }

  private resumeIfDrained(state: PartitionState, bufferedBytes = this.bufferedBytes()): void {
    if (
      state.paused &&
      state.records.length <= this.options.lowWaterRecords &&
      state.bytes <= this.options.lowWaterBytes &&
      bufferedBytes <= this.options.maxBufferedBytes / 2
    ) {
      this.setPaused(state, false);
    }
  }

  private async flushOnce(state: PartitionState, binding: TopicBinding): Promise<void> {
    const generation = state.generation;
    if (state.stored === undefined) {
      await this.reconcile(state, binding);
      if (generation !== state.generation || state.records.length === 0) return;
    }
    const batch = state.records.slice(0, this.options.maxBatchRecords);
    const expectedOffset = state.stored ?? null;
    const started = process.hrtime.bigint();
    let result: Awaited<ReturnType<typeof writeBatch>>;
    try {
      result = await this.withRetry(binding, 'write batch', async (attempt) => {
        const client = await this.deps.pool.connect().catch((error: unknown) => {
          throw translatePgError(error, 'connect');
        });
        let broken = false;
        // pg emits 'error' on a checked-out client whose connection dies (database restart,
        // reset): without a listener that is an uncaught exception that kills the process. The
        // in-flight query fails too, and that rejection is what we act on.
        const onConnectionLost = (error: unknown): void => {
          broken = true;
          this.log.debug({ err: error }, 'database connection lost during a batch');
        };
        client.on('error', onConnectionLost);
        try {
          return await writeBatch(client, {
            groupId: this.options.groupId,
            topic: state.topic,
            partition: state.partition,
            expectedOffset,
            records: batch,
            statements: binding.statements,
            publishRejected: async (rejected) => {
              await this.publishDlq(rejected, attempt);
              for (const { stage } of rejected) this.metrics.dlq.inc({ entity: binding.spec.entity, stage });
              this.log.warn(
                {
                  topic: state.topic,
                  partition: state.partition,
                  offsets: rejected.map(({ record }) => record.offset.toString()),
                  err: rejected[0]?.error,
                },
                'records sent to the DLQ',
              );
            },
            afterCommit: this.deps.faults?.afterDbCommit,
          });
        } catch (error) {
          broken ||= isRetryable(error);
          throw error;
        } finally {
          client.off('error', onConnectionLost);
          client.release(broken);
        }
      });
    } catch (error) {
      if (error instanceof OffsetConflictError) {
        this.metrics.offsetConflicts.inc({ entity: binding.spec.entity });
        this.log.warn(
          { topic: state.topic, partition: state.partition },
          'stored offset moved under us; reconciling',
        );
        if (generation === state.generation) state.stored = undefined;
        return;
      }
      throw error;
    }
    this.metrics.batchLatency.observe(
      { entity: binding.spec.entity },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    this.metrics.batchSize.observe({ entity: binding.spec.entity }, batch.length);
    this.metrics.rowsUpserted.inc({ entity: binding.spec.entity }, result.upserted);
    this.metrics.rowsDeleted.inc({ entity: binding.spec.entity }, result.deleted);
    if (generation !== state.generation) return; // rebalanced meanwhile; the buffer was already reset
    state.stored = result.nextOffset;
    state.shift(batch.length);
    this.metrics.bufferedRecords.set(this.bufferedRecords());
    this.metrics.bufferedBytes.set(this.bufferedBytes());
    if (state.highWatermark !== undefined) {
      const lag = state.highWatermark - result.nextOffset;
      this.metrics.lag.set(
        { topic: state.topic, partition: String(state.partition) },
        Number(lag > 0n ? lag : 0n),
      );
    }
    // A partition paused by the process-wide bound may hold nothing to flush itself: every
    // flush re-checks them all.
    const bufferedBytes = this.bufferedBytes();
    for (const partition of this.partitions.values()) this.resumeIfDrained(partition, bufferedBytes);
    // Kafka's committed offset is for lag monitoring only; the database holds the truth.
    this.consumer
      .commitOffsets([
        { topic: state.topic, partition: state.partition, offset: result.nextOffset.toString() },
      ])
      .catch((error: unknown) => this.log.debug({ err: error }, 'kafka offset commit skipped'));
  }

  private failFatally(error: unknown): void {
    if (this.fatal || this.forced) return;
    this.fatal = true;
    this.log.error({ err: error }, 'sink cannot continue');
    this.deps.onFatal?.(error instanceof TributaryError ? error : translatePgError(error, 'sink'));
  }

  private async drain(): Promise<void> {
    this.intakeStopped = true;
    this.consumer.pause([...this.bindings.keys()].map((topic) => ({ topic })));
    // Write what is buffered; each flush loop runs until its buffer is empty.
    for (const state of this.partitions.values()) {
      const topicBinding = this.bindings.get(state.topic);
      if (topicBinding && state.records.length > 0) this.startFlush(state, topicBinding);
    }
    while (this.flushes.size > 0) await Promise.allSettled([...this.flushes]);
    await this.consumer.disconnect();
    await this.producer.disconnect();
    this.circuit.shutdown();
  }

  private async forceClose(): Promise<void> {
    this.forced = true;
    for (const state of this.partitions.values()) state.reset();
    await Promise.allSettled([this.consumer.disconnect(), this.producer.disconnect()]);
    this.circuit.shutdown();
  }
}
