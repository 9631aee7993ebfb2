import type { Admin } from 'kafkajs';
import type pg from 'pg';
import { TributaryError } from '../errors.js';
import { translatePgError } from '../postgres.js';
import {
  assertGroupInactive,
  committedOffsets,
  describeGroupActivity,
  offsetsAtTime,
  setGroupOffsets,
  topicBounds,
} from './consumerGroups.js';
import type { OffsetTarget } from './offsetTarget.js';
import { type PartitionBounds, planRow, type ReplayPlanRow } from './replayPlan.js';
import {
  readSinkOffsets,
  type StoredSinkOffset,
  sinkOffsetsTableExists,
  writeSinkOffsets,
} from './sinkOffsetsTable.js';

export type ReplayMode = 'kafka' | 'sink';

export interface ReplayOptionsInput {
  /** The Kafka consumer group (processors: tributary-processor-map / -merge; the sink's Kafka group). */
  groupId: string;
  target: OffsetTarget;
  /** Limit to these topics. @default every topic the group has offsets for */
  topics?: readonly string[];
  /**
   * `sink` rewrites the offsets stored in PostgreSQL (the truth for the sink) and the Kafka
   * group's; `kafka` moves only Kafka's committed offsets (the truth for processors).
   * @default 'auto': `sink` when tributary_sink_offsets holds rows for the group, else `kafka`
   */
  mode?: ReplayMode | 'auto';
  /** Key of the stored offsets when it differs from the Kafka group (SINK_GROUP_ID vs SINK_KAFKA_GROUP_ID). @default groupId */
  storedGroupId?: string;
  /** Plan only, change nothing. @default false */
  dryRun?: boolean;
}

export interface ReplayDeps {
  admin: Admin;
  /** Needed for the sink (and to detect it); absent: Kafka groups only. */
  db?: pg.Pool;
}

export interface ReplayResult {
  groupId: string;
  storedGroupId: string | null;
  mode: ReplayMode;
  dryRun: boolean;
  /** Members seen when planning (a dry run reports them instead of refusing). */
  activeMembers: number;
  rows: ReplayPlanRow[];
}

async function detectMode(deps: ReplayDeps, storedGroupId: string): Promise<ReplayMode> {
  if (!deps.db) return 'kafka';
  const client = await deps.db.connect().catch((error: unknown) => {
    // Guessing "not the sink" here would move only Kafka offsets, which the sink ignores.
    throw new TributaryError(
      'DATABASE_UNAVAILABLE',
      `cannot tell whether ${storedGroupId} is the sink (database unreachable); pass --kafka for a processor group or fix DATABASE_URL`,
      { cause: translatePgError(error, 'connect'), retryable: true },
    );
  });
  try {
    if (!(await sinkOffsetsTableExists(client))) return 'kafka';
    return (await readSinkOffsets(client, storedGroupId)).length > 0 ? 'sink' : 'kafka';
  } finally {
    client.release();
  }
}

async function targetsFor(
  admin: Admin,
  topic: string,
  target: OffsetTarget,
  bounds: ReadonlyMap<number, PartitionBounds>,
): Promise<Map<number, bigint>> {
  switch (target.kind) {
    case 'earliest':
      return new Map([...bounds].map(([partition, range]) => [partition, range.low]));
    case 'timestamp':
      return offsetsAtTime(admin, topic, target.at, bounds);
    case 'offsets': {
      const given = target.offsets.get(topic) ?? new Map<number, bigint>();
      for (const partition of given.keys()) {
        if (!bounds.has(partition))
          throw new TributaryError('USAGE', `--to-offsets: ${topic} has no partition ${partition}`);
      }
      return new Map(given);
    }
  }
}

/**
 * Plans (and unless dry-run, applies) a replay. For the sink the stored offsets and the Kafka
 * group's offsets are rewritten in one PostgreSQL transaction that holds the group's offset rows
 * locked; the Kafka write happens inside it, so a Kafka failure rolls the database back.
 */
export async function replay(deps: ReplayDeps, input: ReplayOptionsInput): Promise<ReplayResult> {
  const { admin } = deps;
  const dryRun = input.dryRun ?? false;
  const storedGroupId = input.storedGroupId ?? input.groupId;
  const requested = input.mode ?? 'auto';
  if (requested === 'sink' && !deps.db)
    throw new TributaryError(
      'USAGE',
      'replaying the sink needs DATABASE_URL (its offsets live in PostgreSQL)',
    );
  const mode = requested === 'auto' ? await detectMode(deps, storedGroupId) : requested;

  const activity = await describeGroupActivity(admin, input.groupId);
  if (!dryRun) await assertGroupInactive(admin, input.groupId);

  const committed = await committedOffsets(admin, input.groupId);
  let stored: StoredSinkOffset[] = [];
  if (mode === 'sink' && deps.db) stored = await readSinkOffsets(deps.db, storedGroupId);

  let topics: string[];
  if (input.target.kind === 'offsets') topics = [...input.target.offsets.keys()];
  else if (input.topics && input.topics.length > 0) topics = [...input.topics];
  else {
    const known = new Set<string>();
    for (const [topic, partitions] of committed) {
      if ([...partitions.values()].some((offset) => offset !== null)) known.add(topic);
    }
    for (const row of stored) known.add(row.topic);
    topics = [...known].sort();
  }
  if (input.topics && input.topics.length > 0)
    topics = topics.filter((topic) => input.topics?.includes(topic));
  if (topics.length === 0) {
    throw new TributaryError(
      'USAGE',
      `group ${input.groupId} has no offsets to move on the selected topics; name them with --topic`,
    );
  }

  const rows: ReplayPlanRow[] = [];
  for (const topic of topics) {
    const bounds = await topicBounds(admin, topic);
    const targets = await targetsFor(admin, topic, input.target, bounds);
    for (const [partition, target] of [...targets].sort(([a], [b]) => a - b)) {
      const range = bounds.get(partition);
      if (!range) continue;
      const kafkaCommitted = committed.get(topic)?.get(partition) ?? null;
      const storedOffset =
        stored.find((row) => row.topic === topic && row.partition === partition)?.nextOffset ?? null;
      rows.push(
        planRow({
          topic,
          partition,
          current: mode === 'sink' ? storedOffset : kafkaCommitted,
          kafkaCommitted,
          target,
          bounds: range,
        }),
      );
    }
  }

  const result: ReplayResult = {
    groupId: input.groupId,
    storedGroupId: mode === 'sink' ? storedGroupId : null,
    mode,
    dryRun,
    activeMembers: activity.members.length,
    rows,
  };
  if (dryRun) return result;

  const byTopic = new Map<string, Map<number, bigint>>();
  for (const row of rows) {
    const perTopic = byTopic.get(row.topic) ?? new Map<number, bigint>();
    perTopic.set(row.partition, row.target);
    byTopic.set(row.topic, perTopic);
  }
  if (mode === 'kafka') {
    for (const [topic, offsets] of byTopic) await setGroupOffsets(admin, input.groupId, topic, offsets);
    return result;
  }
  const db = deps.db;
  if (!db) throw new TributaryError('INVALID_STATE', 'sink replay without a database');
  const client = await db.connect().catch((error: unknown) => {
    throw translatePgError(error, 'connect');
  });
  try {
    await client.query('BEGIN');
    await readSinkOffsets(client, storedGroupId, { forUpdate: true });
    // Checked again under the row locks: a sink that started since planning must not be overrun.
    await assertGroupInactive(admin, input.groupId);
    await writeSinkOffsets(
      client,
      storedGroupId,
      rows.map((row) => ({ topic: row.topic, partition: row.partition, nextOffset: row.target })),
    );
    for (const [topic, offsets] of byTopic) await setGroupOffsets(admin, input.groupId, topic, offsets);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return result;
}
