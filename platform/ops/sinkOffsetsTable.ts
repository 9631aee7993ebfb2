import type pg from 'pg';
import { translatePgError } from '../postgres.js';

type Queryable = Pick<pg.ClientBase, 'query'>;

/** One row of `tributary_sink_offsets` (migrations/0100_sink_offsets.sql). */
export interface StoredSinkOffset {
  groupId: string;
  topic: string;
  partition: number;
  nextOffset: bigint;
  updatedAt: Date;
}

/** Whether the sink offsets table exists in this database (it does once migrations ran). */
export async function sinkOffsetsTableExists(db: Queryable): Promise<boolean> {
  try {
    const { rows } = await db.query<{ present: boolean }>(
      `SELECT to_regclass('tributary_sink_offsets') IS NOT NULL AS present`,
    );
    return rows[0]?.present ?? false;
  } catch (error) {
    throw translatePgError(error, 'look for tributary_sink_offsets');
  }
}

export async function readSinkOffsets(
  db: Queryable,
  groupId?: string,
  options: { forUpdate?: boolean } = {},
): Promise<StoredSinkOffset[]> {
  try {
    const { rows } = await db.query<{
      group_id: string;
      topic: string;
      partition: number;
      next_offset: string;
      updated_at: Date;
    }>(
      `SELECT group_id, topic, partition, next_offset::text AS next_offset, updated_at
         FROM tributary_sink_offsets
        WHERE ($1::text IS NULL OR group_id = $1)
        ORDER BY group_id, topic, partition${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [groupId ?? null],
    );
    return rows.map((row) => ({
      groupId: row.group_id,
      topic: row.topic,
      partition: row.partition,
      nextOffset: BigInt(row.next_offset),
      updatedAt: row.updated_at,
    }));
  } catch (error) {
    throw translatePgError(error, 'read tributary_sink_offsets');
  }
}

/**
 * Sets stored offsets to the given values — backwards too, unlike the sink's own forward-only
 * compare-and-set. Call inside a transaction that locked the group's rows (readSinkOffsets
 * with forUpdate), so a sink that was started meanwhile blocks on the lock and then sees the
 * new offsets, never a mix.
 */
export async function writeSinkOffsets(
  db: Queryable,
  groupId: string,
  offsets: readonly { topic: string; partition: number; nextOffset: bigint }[],
): Promise<void> {
  if (offsets.length === 0) return;
  try {
    await db.query(
      `INSERT INTO tributary_sink_offsets (group_id, topic, partition, next_offset, updated_at)
       SELECT $1, t.topic, t.partition, t.next_offset, now()
         FROM unnest($2::text[], $3::int[], $4::bigint[]) AS t(topic, partition, next_offset)
       ON CONFLICT (group_id, topic, partition)
       DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
      [
        groupId,
        offsets.map((entry) => entry.topic),
        offsets.map((entry) => entry.partition),
        offsets.map((entry) => entry.nextOffset.toString()),
      ],
    );
  } catch (error) {
    throw translatePgError(error, 'write tributary_sink_offsets');
  }
}
