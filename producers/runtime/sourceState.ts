import type { Kafka } from 'kafkajs';
import { z } from 'zod/v4';
import { TributaryError } from '../../platform/errors.js';
import { type ReadBarrier, readTopicToEnd } from '../../platform/topicReader.js';

/**
 * The position of one source stream (polling cursor or CDC LSN), kept in the compacted
 * `_tributary.source-state` topic under `<sourceInstance>/<stream>` and written only inside the
 * same Kafka transaction as the records it covers.
 */
export const sourceStateSchema = z.object({
  stateVersion: z.literal(1),
  /** Connector-specific position: a tie-safe cursor, an LSN, a page token. */
  position: z.record(z.string(), z.unknown()),
  /** Last sync id that advanced this state (for logs and status). */
  syncId: z.string(),
  updatedAt: z.iso.datetime(),
});

export type SourceState = z.output<typeof sourceStateSchema>;

export function sourceStateKey(sourceInstance: string, stream: string): string {
  return `${sourceInstance}/${stream}`;
}

export function encodeSourceState(state: SourceState): Buffer {
  return Buffer.from(JSON.stringify(state));
}

export function decodeSourceState(key: string, value: Buffer): SourceState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new TributaryError('VALIDATION_FAILED', `source state ${key}: not JSON`, { cause: error });
  }
  const result = sourceStateSchema.safeParse(parsed);
  if (!result.success) {
    throw new TributaryError(
      'VALIDATION_FAILED',
      `source state ${key}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return result.data;
}

/**
 * Reads the committed state of the given keys. A stream resumes through
 * `TransactionalPublisher.loadStates`, which passes the barrier its connect() committed: connecting
 * fences any earlier instance and aborts its open transaction, and reading up to the barrier makes
 * what is read here exactly what the last committed transaction left. Without a barrier the read
 * stops at the last stable offsets of the moment — fine for inspection (status, tests), wrong for
 * resuming.
 */
export async function loadSourceStates(
  kafka: Kafka,
  topic: string,
  keys: readonly string[],
  read: { untilBarrier?: ReadBarrier; timeoutMs?: number } = {},
): Promise<Map<string, SourceState>> {
  const wanted = new Set(keys);
  const states = new Map<string, SourceState>();
  await readTopicToEnd({
    kafka,
    topic,
    ...read,
    onMessage: (message) => {
      const key = message.key?.toString('utf8');
      if (key === undefined || !wanted.has(key)) return;
      if (message.value === null) states.delete(key);
      else states.set(key, decodeSourceState(key, message.value));
    },
  });
  return states;
}
