import type { Admin, Kafka } from 'kafkajs';
import pg from 'pg';
import { cursorEpochMs, parseCursor } from '../../producers/connector/tieSafeCursor.js';
import { decodeSourceState } from '../../producers/runtime/sourceState.js';
import { sourceStateTopic } from '../declaredTopics.js';
import { errorMessage } from '../errors.js';
import { redactUrl } from '../logger.js';
import { readTopicToEnd } from '../topicReader.js';
import { committedOffsets, describeGroupActivity, topicBounds } from './consumerGroups.js';
import { type MetricSample, scrapeMetrics } from './metricsScrape.js';
import type { PartitionBounds } from './replayPlan.js';
import { readSinkOffsets, type StoredSinkOffset, sinkOffsetsTableExists } from './sinkOffsetsTable.js';

/** Offsets are decimal strings in the report (JSON has no bigint; never floats). */
export interface PartitionStatus {
  topic: string;
  partition: number;
  low: string;
  high: string;
  /** Kafka's committed offset for the group; null when none. */
  committed: string | null;
  /** The sink's stored next offset (PostgreSQL); null for Kafka-offset groups. */
  stored: string | null;
  /** high − (stored for the sink, else committed; the log start when neither exists). */
  lag: string;
}

export interface GroupStatus {
  groupId: string;
  kind: 'kafka' | 'sink';
  state: string;
  members: number;
  totalLag: string;
  partitions: PartitionStatus[];
}

export interface SourceStreamStatus {
  key: string;
  cursor: string | null;
  cursorTime: string | null;
  /** Seconds between now and the cursor time: how old the newest data we have is. */
  freshnessSeconds: number | null;
  lastSyncId: string;
  updatedAt: string;
  /** Other position fields (an LSN and slot for CDC sources, page tokens). */
  position: Record<string, unknown>;
  /** Why the cursor could not be read, when it could not (the rest of the row still shows). */
  problem?: string;
}

export interface SlotStatus {
  database: string;
  slotName: string;
  plugin: string | null;
  active: boolean;
  /** Bytes of WAL between the current position and what the consumer confirmed. */
  lagBytes: string | null;
  /** Bytes of WAL the slot keeps on disk (current position − restart_lsn). */
  retainedBytes: string | null;
  /** The source stream whose committed state names this slot (CDC producers store `position.slot`). */
  sourceKey: string | null;
}

export interface StatusReport {
  generatedAt: string;
  groups: GroupStatus[];
  sources: SourceStreamStatus[];
  slots: SlotStatus[];
  metrics: { url: string; samples: MetricSample[]; error?: string }[];
  notes: string[];
}

export interface StatusOptions {
  kafka: Kafka;
  admin: Admin;
  /** The sink's database (tributary_sink_offsets, and its replication slots if any). */
  db?: pg.Pool;
  databaseUrl?: string;
  /** Only these Kafka groups (and stored sink groups). @default every group but throwaway readers */
  groups?: readonly string[];
  /** @default '_tributary.source-state' */
  stateTopic?: string;
  /** Source databases to look for CDC replication slots in. */
  cdcDatabaseUrls?: readonly string[];
  /** /metrics endpoints of running roles, for paused partitions, circuits and sync outcomes. */
  metricsUrls?: readonly string[];
  now?: () => Date;
}

function lagOf(bounds: PartitionBounds, position: bigint | null): bigint {
  const from = position ?? bounds.low;
  return bounds.high > from ? bounds.high - from : 0n;
}

async function groupStatus(
  admin: Admin,
  groupId: string,
  stored: readonly StoredSinkOffset[],
  boundsOf: (topic: string) => Promise<Map<number, PartitionBounds>>,
): Promise<GroupStatus> {
  const activity = await describeGroupActivity(admin, groupId);
  const committed = await committedOffsets(admin, groupId);
  const kind = stored.length > 0 ? 'sink' : 'kafka';
  const keys = new Map<string, { topic: string; partition: number }>();
  for (const [topic, partitions] of committed)
    for (const partition of partitions.keys()) keys.set(`${topic}\u0000${partition}`, { topic, partition });
  for (const row of stored) keys.set(`${row.topic}\u0000${row.partition}`, row);
  const partitions: PartitionStatus[] = [];
  let total = 0n;
  for (const { topic, partition } of [...keys.values()].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  )) {
    const bounds = (await boundsOf(topic)).get(partition);
    if (!bounds) continue;
    const kafkaOffset = committed.get(topic)?.get(partition) ?? null;
    const storedOffset = stored.find((row) => row.topic === topic && row.partition === partition)?.nextOffset;
    const lag = lagOf(bounds, kind === 'sink' ? (storedOffset ?? null) : kafkaOffset);
    total += lag;
    partitions.push({
      topic,
      partition,
      low: bounds.low.toString(),
      high: bounds.high.toString(),
      committed: kafkaOffset?.toString() ?? null,
      stored: storedOffset?.toString() ?? null,
      lag: lag.toString(),
    });
  }
  return {
    groupId,
    kind,
    state: activity.state,
    members: activity.members.length,
    totalLag: total.toString(),
    partitions,
  };
}

async function sourceStatuses(kafka: Kafka, topic: string, now: Date): Promise<SourceStreamStatus[]> {
  const latest = new Map<string, Buffer | null>();
  await readTopicToEnd({
    kafka,
    topic,
    onMessage: (message) => {
      const key = message.key?.toString('utf8');
      if (key !== undefined) latest.set(key, message.value);
    },
  });
  const statuses: SourceStreamStatus[] = [];
  for (const [key, value] of [...latest].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (value === null) continue;
    const state = decodeSourceState(key, value);
    const { cursor: cursorValue, ...position } = state.position;
    const cursor = typeof cursorValue === 'string' ? cursorValue : null;
    let cursorTime: string | null = null;
    let freshnessSeconds: number | null = null;
    let problem: string | undefined;
    if (cursor !== null) {
      try {
        const epochMs = cursorEpochMs(parseCursor(cursor));
        cursorTime = new Date(epochMs).toISOString();
        freshnessSeconds = Math.max(0, Math.round((now.getTime() - epochMs) / 1000));
      } catch (error) {
        problem = `cursor unreadable: ${errorMessage(error)}`;
      }
    }
    statuses.push({
      key,
      cursor,
      cursorTime,
      freshnessSeconds,
      lastSyncId: state.syncId,
      updatedAt: state.updatedAt,
      position,
      ...(problem ? { problem } : {}),
    });
  }
  return statuses;
}

async function slotStatuses(url: string, pool?: pg.Pool): Promise<SlotStatus[]> {
  const sql = `SELECT slot_name, plugin, active,
          pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint::text AS lag_bytes,
          pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text AS retained_bytes
     FROM pg_replication_slots ORDER BY slot_name`;
  type Row = {
    slot_name: string;
    plugin: string | null;
    active: boolean;
    lag_bytes: string | null;
    retained_bytes: string | null;
  };
  let rows: Row[];
  if (pool) rows = (await pool.query<Row>(sql)).rows;
  else {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    try {
      await client.connect();
      rows = (await client.query<Row>(sql)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return rows.map((row) => ({
    database: redactUrl(url),
    slotName: row.slot_name,
    plugin: row.plugin,
    active: row.active,
    lagBytes: row.lag_bytes,
    retainedBytes: row.retained_bytes,
    sourceKey: null,
  }));
}

/** Everything `tributary status` shows; each section degrades to a note instead of failing the rest. */
export async function collectStatus(options: StatusOptions): Promise<StatusReport> {
  const now = options.now?.() ?? new Date();
  const notes: string[] = [];
  const { admin } = options;
  const boundsCache = new Map<string, Promise<Map<number, PartitionBounds>>>();
  const boundsOf = (topic: string) => {
    let cached = boundsCache.get(topic);
    if (!cached) {
      cached = topicBounds(admin, topic);
      boundsCache.set(topic, cached);
    }
    return cached;
  };

  let stored: StoredSinkOffset[] = [];
  if (options.db) {
    try {
      if (await sinkOffsetsTableExists(options.db)) stored = await readSinkOffsets(options.db);
      else notes.push('tributary_sink_offsets does not exist in DATABASE_URL (migrations not applied?)');
    } catch (error) {
      notes.push(`sink offsets unavailable: ${errorMessage(error)}`);
    }
  }
  const listed = (await admin.listGroups()).groups
    .map((group) => group.groupId)
    .filter((groupId) => !groupId.startsWith('tributary-reader-'));
  const wanted = options.groups && options.groups.length > 0 ? new Set(options.groups) : undefined;
  const groupIds = [...new Set([...listed, ...stored.map((row) => row.groupId)])]
    .filter((groupId) => wanted === undefined || wanted.has(groupId))
    .sort();
  const groups: GroupStatus[] = [];
  for (const groupId of groupIds) {
    groups.push(
      await groupStatus(
        admin,
        groupId,
        stored.filter((row) => row.groupId === groupId),
        boundsOf,
      ),
    );
  }

  let sources: SourceStreamStatus[] = [];
  const stateTopic = options.stateTopic ?? sourceStateTopic;
  if ((await admin.listTopics()).includes(stateTopic)) {
    sources = await sourceStatuses(options.kafka, stateTopic, now);
  } else notes.push(`no ${stateTopic} topic: no source has committed a position yet`);

  const slots: SlotStatus[] = [];
  const slotSources: { url: string; pool?: pg.Pool }[] = [
    ...(options.databaseUrl && options.db ? [{ url: options.databaseUrl, pool: options.db }] : []),
    ...(options.cdcDatabaseUrls ?? []).map((url) => ({ url })),
  ];
  for (const source of slotSources) {
    try {
      slots.push(...(await slotStatuses(source.url, source.pool)));
    } catch (error) {
      notes.push(`replication slots of ${redactUrl(source.url)} unavailable: ${errorMessage(error)}`);
    }
  }
  if (slotSources.length > 0 && slots.length === 0) notes.push('no replication slots exist (no CDC source)');
  for (const slot of slots) {
    slot.sourceKey = sources.find((source) => source.position['slot'] === slot.slotName)?.key ?? null;
  }
  const missingSlots = sources.filter((source) => {
    const slotName = source.position['slot'];
    return typeof slotName === 'string' && !slots.some((slot) => slot.slotName === slotName);
  });
  if (slotSources.length > 0 && missingSlots.length > 0) {
    const names = missingSlots.slice(0, 5).map((source) => source.key);
    notes.push(
      `${missingSlots.length} CDC stream(s) name a slot not found in the databases read (pass each source database with --cdc-url; a stream of a dropped source leaves its state behind): ${names.join(', ')}${missingSlots.length > 5 ? ', …' : ''}`,
    );
  }
  if (groups.some((group) => group.partitions.some((partition) => partition.lag === '1'))) {
    notes.push(
      'lag counts offsets: on a transactionally written topic a caught-up partition shows lag 1 (its last offset is a commit marker)',
    );
  }

  const metrics: StatusReport['metrics'] = [];
  for (const url of options.metricsUrls ?? []) {
    try {
      metrics.push({ url, samples: await scrapeMetrics(url) });
    } catch (error) {
      metrics.push({ url, samples: [], error: errorMessage(error) });
    }
  }
  if ((options.metricsUrls ?? []).length === 0) {
    notes.push(
      'paused partitions, circuit states and sync outcomes live in the running roles: pass --metrics-url http://<pod>:9464/metrics to include them',
    );
  }
  return { generatedAt: now.toISOString(), groups, sources, slots, metrics, notes };
}
