import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { canonicalHeaders } from '../../processors/stages/mergeStage.js';
import { contentHashHeader } from '../../producers/runtime/dedupeIndex.js';
import { errorMessage } from '../errors.js';
import { readTopicToEnd } from '../topicReader.js';
import { readDlq } from './dlqReader.js';
import { expectedCanonicalId, type ReconcileStream } from './reconcileStreams.js';

/** A live raw record: its content hash and the canonical id its mapping would give it. */
export interface RawLiveRecord {
  contentHash: string;
  /** Undefined when the stream feeds no entity or the record cannot be keyed (see keyError). */
  canonicalId?: string;
  keyError?: string;
}

/** Live raw records by source instance, then stream, then natural key. */
export type RawLiveRecords = Map<string, Map<string, Map<string, RawLiveRecord>>>;

/** Splits `<instance>/<stream>/<naturalKey>` (natural keys may contain '/', instance and stream not). */
export function parseRawKey(
  key: string,
): { instance: string; stream: string; naturalKey: string } | undefined {
  const first = key.indexOf('/');
  const second = first < 0 ? -1 : key.indexOf('/', first + 1);
  if (first <= 0 || second <= first + 1 || second === key.length - 1) return undefined;
  return {
    instance: key.slice(0, first),
    stream: key.slice(first + 1, second),
    naturalKey: key.slice(second + 1),
  };
}

/**
 * The latest record per key of a raw topic, read committed to its end; deletes (a delete
 * envelope, then a tombstone) are not live; `deletedIds` maps each deleted raw key to the
 * canonical id it had before. Keys that do not parse or name a stream not in
 * `streams` are counted in `unknownKeys`.
 */
export async function readRawLive(
  kafka: Kafka,
  topic: string,
  streams: ReadonlyMap<string, ReconcileStream>,
): Promise<{ live: RawLiveRecords; deletedIds: Map<string, string>; unknownKeys: number }> {
  const latest = new Map<string, RawLiveRecord | null>();
  // The canonical id a key had before its delete: a delete that was dead-lettered leaves that
  // canonical record live, which is then reported as dead-lettered rather than extra.
  const formerIds = new Map<string, string>();
  await readTopicToEnd({
    kafka,
    topic,
    onMessage: (message) => {
      const key = message.key?.toString('utf8');
      if (key === undefined) return;
      const operation = message.headers?.['tributary.operation']?.toString();
      if (message.value === null || operation === 'delete') {
        const previous = latest.get(key)?.canonicalId;
        if (previous !== undefined) formerIds.set(key, previous);
        latest.set(key, null);
        return;
      }
      const parsed = parseRawKey(key);
      const stream = parsed ? streams.get(parsed.stream) : undefined;
      const record: RawLiveRecord = { contentHash: message.headers?.[contentHashHeader]?.toString() ?? '' };
      if (parsed && stream?.entity) {
        const value = message.value;
        try {
          record.canonicalId = expectedCanonicalId(
            stream,
            parsed.naturalKey,
            () => (JSON.parse(value.toString('utf8')) as { payload?: unknown }).payload,
          );
        } catch (error) {
          record.keyError = errorMessage(error);
        }
      }
      latest.set(key, record);
    },
  });
  const live: RawLiveRecords = new Map();
  const deletedIds = new Map<string, string>();
  let unknownKeys = 0;
  for (const [key, record] of latest) {
    if (record === null) {
      const former = formerIds.get(key);
      if (former !== undefined) deletedIds.set(key, former);
      continue;
    }
    const parsed = parseRawKey(key);
    if (!parsed || !streams.has(parsed.stream)) {
      unknownKeys++;
      continue;
    }
    const byStream = live.get(parsed.instance) ?? new Map<string, Map<string, RawLiveRecord>>();
    live.set(parsed.instance, byStream);
    const records = byStream.get(parsed.stream) ?? new Map<string, RawLiveRecord>();
    byStream.set(parsed.stream, records);
    records.set(parsed.naturalKey, record);
  }
  return { live, deletedIds, unknownKeys };
}

/** Live canonical ids (latest record not a tombstone) with their version (tributary.version header). */
export async function readCanonicalLive(
  kafka: Kafka,
  topic: string,
): Promise<{ live: Map<string, string>; tombstoned: number }> {
  const latest = new Map<string, string | null>();
  await readTopicToEnd({
    kafka,
    topic,
    onMessage: (message) => {
      const key = message.key?.toString('utf8');
      if (key === undefined) return;
      const version = message.headers?.[canonicalHeaders.version]?.toString() ?? '0';
      latest.set(key, message.value === null ? null : BigInt(version).toString());
    },
  });
  const live = new Map<string, string>();
  let tombstoned = 0;
  for (const [id, version] of latest) {
    if (version === null) tombstoned++;
    else live.set(id, version);
  }
  return { live, tombstoned };
}

/** Live rows (deleted_at IS NULL) of an entity table with their version; undefined when the table is absent. */
export async function readPostgresLive(
  pool: pg.Pool,
  table: string,
): Promise<Map<string, string> | undefined> {
  const exists = await pool.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
    pg.escapeIdentifier(table),
  ]);
  if (!exists.rows[0]?.present) return undefined;
  const { rows } = await pool.query<{ id: string; version: string }>(
    `SELECT id::text AS id, version::text AS version FROM ${pg.escapeIdentifier(table)} WHERE deleted_at IS NULL`,
  );
  return new Map(rows.map((row) => [row.id, row.version]));
}

/** Where a dead-lettered record came from: the topic it was consumed from and its key. */
export interface DeadLetterOrigin {
  dlqTopic: string;
  originTopic: string;
  key: string;
}

/** Every DLQ entry of the given topics (both header dialects, see dlqEntry.ts) as origin + key. */
export async function readDeadLetterOrigins(
  kafka: Kafka,
  dlqTopics: readonly string[],
): Promise<DeadLetterOrigin[]> {
  const origins: DeadLetterOrigin[] = [];
  for (const dlqTopic of dlqTopics) {
    for (const entry of await readDlq(kafka, dlqTopic)) {
      if (entry.originTopic === null || entry.key === null) continue;
      origins.push({ dlqTopic, originTopic: entry.originTopic, key: entry.key.toString('utf8') });
    }
  }
  return origins;
}
