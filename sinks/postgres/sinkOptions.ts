import { TributaryError } from '../../platform/errors.js';
import { type BackoffPolicy, defaultBackoff } from './backoff.js';
import { canonicalTopic, type EntityTableSpec } from './specs/entityTableSpec.js';

export interface PostgresSinkOptionsInput {
  /** Entities to sink; each is consumed from `topics[entity]` or `canonical.<entity>`. */
  entities: readonly EntityTableSpec[];
  /** Overrides of the topic per entity name (tests use random topic names). */
  topics?: Readonly<Record<string, string>>;
  /** Consumer group, also the key of the stored offsets. @default 'tributary-sink-postgres' */
  groupId?: string;
  /**
   * Kafka consumer group used for assignment and lag monitoring, when it must differ from
   * `groupId` (the stored-offsets key): e.g. after moving clusters. @default groupId
   */
  kafkaGroupId?: string;
  /** @default 'dlq.sink' */
  dlqTopic?: string;
  /** Largest batch written in one transaction. @default 5000 */
  maxBatchRecords?: number;
  /** How long a partial batch may wait for more records before it is written. @default 50 */
  lingerMs?: number;
  /**
   * Pause a partition when its buffer holds this many records… Two batches: enough to keep the
   * writer busy; more only costs memory and GC time (bench/sink --rss: 20000 gave a 915 MiB peak
   * for 6 partitions, 10000 gave 534 MiB at the same rate). @default 2 × maxBatchRecords
   */
  highWaterRecords?: number;
  /** …and resume it at or below this many. @default maxBatchRecords / 2 */
  lowWaterRecords?: number;
  /** Pause a partition when its buffer holds this many (encoded) bytes… @default 16 MiB */
  highWaterBytes?: number;
  /** …and resume it at or below this many. @default 4 MiB */
  lowWaterBytes?: number;
  /**
   * Pause any partition that receives records while all partitions together buffer this many
   * (encoded) bytes; resume at or below half. The per-partition marks alone let 8 entities × 6
   * partitions buffer ~800 MB (the e2e bench measured a 1.1 GB peak). @default 64 MiB
   */
  maxBufferedBytes?: number;
  /** Delay between retries of a failed transaction. */
  backoff?: Partial<BackoffPolicy>;
  /** How long the database circuit stays open before a trial. @default 2000 */
  circuitResetMs?: number;
  /** Failures (retryable database errors) in the rolling window that open the circuit, in %. @default 50 */
  circuitErrorThresholdPercentage?: number;
  /** Minimum calls in the window before the circuit may open. @default 3 */
  circuitVolumeThreshold?: number;
  /** Max bytes kafkajs fetches per partition per request. @default 1 MiB */
  maxBytesPerPartition?: number;
  /** @default 30000 */
  sessionTimeoutMs?: number;
}

export interface PostgresSinkOptions {
  entities: readonly EntityTableSpec[];
  topicOf: ReadonlyMap<string, EntityTableSpec>;
  groupId: string;
  kafkaGroupId: string;
  dlqTopic: string;
  maxBatchRecords: number;
  lingerMs: number;
  highWaterRecords: number;
  lowWaterRecords: number;
  highWaterBytes: number;
  lowWaterBytes: number;
  maxBufferedBytes: number;
  backoff: BackoffPolicy;
  circuitResetMs: number;
  circuitErrorThresholdPercentage: number;
  circuitVolumeThreshold: number;
  maxBytesPerPartition: number;
  sessionTimeoutMs: number;
}

function invalid(field: string, problem: string): never {
  throw new TributaryError('CONFIG_INVALID', `sink option ${field}: ${problem}`, { details: { field } });
}

export function resolvePostgresSinkOptions(input: PostgresSinkOptionsInput): PostgresSinkOptions {
  if (input.entities.length === 0) invalid('entities', 'at least one entity is required');
  const topicOf = new Map<string, EntityTableSpec>();
  for (const spec of input.entities) {
    const topic = input.topics?.[spec.entity] ?? canonicalTopic(spec.entity);
    if (topicOf.has(topic)) invalid('topics', `topic ${topic} is mapped twice`);
    topicOf.set(topic, spec);
  }
  const MiB = 1024 * 1024;
  const maxBatchRecords = input.maxBatchRecords ?? 5000;
  const options: PostgresSinkOptions = {
    entities: input.entities,
    topicOf,
    groupId: input.groupId ?? 'tributary-sink-postgres',
    kafkaGroupId: input.kafkaGroupId ?? input.groupId ?? 'tributary-sink-postgres',
    dlqTopic: input.dlqTopic ?? 'dlq.sink',
    maxBatchRecords,
    lingerMs: input.lingerMs ?? 50,
    highWaterRecords: input.highWaterRecords ?? 2 * maxBatchRecords,
    lowWaterRecords: input.lowWaterRecords ?? Math.floor(maxBatchRecords / 2),
    highWaterBytes: input.highWaterBytes ?? 16 * MiB,
    lowWaterBytes: input.lowWaterBytes ?? 4 * MiB,
    maxBufferedBytes: input.maxBufferedBytes ?? 64 * MiB,
    backoff: { ...defaultBackoff, ...input.backoff },
    circuitResetMs: input.circuitResetMs ?? 2000,
    circuitErrorThresholdPercentage: input.circuitErrorThresholdPercentage ?? 50,
    circuitVolumeThreshold: input.circuitVolumeThreshold ?? 3,
    maxBytesPerPartition: input.maxBytesPerPartition ?? MiB,
    sessionTimeoutMs: input.sessionTimeoutMs ?? 30_000,
  };
  if (!Number.isInteger(options.maxBatchRecords) || options.maxBatchRecords < 1)
    invalid('maxBatchRecords', 'must be a positive integer');
  if (options.lowWaterRecords >= options.highWaterRecords)
    invalid('lowWaterRecords', 'must be below highWaterRecords');
  if (options.lowWaterBytes >= options.highWaterBytes)
    invalid('lowWaterBytes', 'must be below highWaterBytes');
  if (options.lingerMs < 0) invalid('lingerMs', 'must not be negative');
  if (options.maxBufferedBytes < options.highWaterBytes)
    invalid('maxBufferedBytes', 'must be at least highWaterBytes');
  if (options.backoff.initialMs <= 0 || options.backoff.maxMs < options.backoff.initialMs)
    invalid('backoff', 'need 0 < initialMs <= maxMs');
  return options;
}
