import { z } from 'zod/v4';
import { describeIssues } from '../../platform/config.js';
import { TributaryError } from '../../platform/errors.js';
import type { PostgresSinkOptionsInput } from './sinkOptions.js';

/** Sink-specific environment settings, parsed once in main. */
const settingsSchema = z.object({
  SINK_GROUP_ID: z.string().min(1).optional(),
  SINK_KAFKA_GROUP_ID: z.string().min(1).optional(),
  SINK_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).optional(),
  SINK_DLQ_TOPIC: z.string().min(1).optional(),
  SINK_TOPICS: z
    .string()
    .regex(/^[a-z_]+=[A-Za-z0-9._-]+(,[a-z_]+=[A-Za-z0-9._-]+)*$/, 'expected entity=topic[,entity=topic]')
    .optional(),
  SINK_MAX_BATCH: z.coerce.number().int().min(1).max(100_000).optional(),
  SINK_LINGER_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  SINK_HIGH_WATER_RECORDS: z.coerce.number().int().min(2).optional(),
  SINK_LOW_WATER_RECORDS: z.coerce.number().int().min(1).optional(),
  SINK_MAX_BYTES_PER_PARTITION: z.coerce.number().int().min(1024).optional(),
  SINK_MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024).optional(),
  SINK_CIRCUIT_RESET_MS: z.coerce.number().int().min(100).optional(),
  SINK_BACKOFF_INITIAL_MS: z.coerce.number().int().min(1).optional(),
  SINK_BACKOFF_MAX_MS: z.coerce.number().int().min(1).optional(),
  SINK_KILL_AFTER_COMMIT: z.coerce.number().int().min(1).optional(),
});

export interface SinkSettings {
  sink: Omit<PostgresSinkOptionsInput, 'entities'>;
  killAfterCommit: number | undefined;
}

export function sinkSettingsFromEnv(env: NodeJS.ProcessEnv): SinkSettings {
  const input: Record<string, string> = {};
  for (const key of Object.keys(settingsSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `invalid sink settings: ${describeIssues(parsed.error.issues)}`,
    );
  }
  const s = parsed.data;
  const sink: Omit<PostgresSinkOptionsInput, 'entities'> = {};
  if (s.SINK_GROUP_ID) sink.groupId = s.SINK_GROUP_ID;
  if (s.SINK_KAFKA_GROUP_ID) sink.kafkaGroupId = s.SINK_KAFKA_GROUP_ID;
  if (s.SINK_SESSION_TIMEOUT_MS) sink.sessionTimeoutMs = s.SINK_SESSION_TIMEOUT_MS;
  if (s.SINK_DLQ_TOPIC) sink.dlqTopic = s.SINK_DLQ_TOPIC;
  if (s.SINK_MAX_BATCH) sink.maxBatchRecords = s.SINK_MAX_BATCH;
  if (s.SINK_LINGER_MS !== undefined) sink.lingerMs = s.SINK_LINGER_MS;
  if (s.SINK_HIGH_WATER_RECORDS) sink.highWaterRecords = s.SINK_HIGH_WATER_RECORDS;
  if (s.SINK_LOW_WATER_RECORDS) sink.lowWaterRecords = s.SINK_LOW_WATER_RECORDS;
  if (s.SINK_MAX_BYTES_PER_PARTITION) sink.maxBytesPerPartition = s.SINK_MAX_BYTES_PER_PARTITION;
  if (s.SINK_MAX_BUFFERED_BYTES) sink.maxBufferedBytes = s.SINK_MAX_BUFFERED_BYTES;
  if (s.SINK_CIRCUIT_RESET_MS) sink.circuitResetMs = s.SINK_CIRCUIT_RESET_MS;
  if (s.SINK_BACKOFF_INITIAL_MS || s.SINK_BACKOFF_MAX_MS) {
    sink.backoff = {
      ...(s.SINK_BACKOFF_INITIAL_MS ? { initialMs: s.SINK_BACKOFF_INITIAL_MS } : {}),
      ...(s.SINK_BACKOFF_MAX_MS ? { maxMs: s.SINK_BACKOFF_MAX_MS } : {}),
    };
  }
  if (s.SINK_TOPICS) {
    sink.topics = Object.fromEntries(
      s.SINK_TOPICS.split(',').map((pair) => pair.split('=') as [string, string]),
    );
  }
  return { sink, killAfterCommit: s.SINK_KILL_AFTER_COMMIT };
}
