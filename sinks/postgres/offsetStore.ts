import type pg from 'pg';
import { TributaryError } from '../../platform/errors.js';

/** Raised when the stored offset is not what this instance based its batch on (zombie or rebalance). */
export class OffsetConflictError extends TributaryError {
  constructor(topic: string, partition: number, expected: bigint | null) {
    super('INVALID_STATE', `stored offset of ${topic}/${partition} is no longer ${String(expected)}`, {
      retryable: false,
      details: { topic, partition, expected: expected?.toString() ?? null },
    });
    this.name = 'OffsetConflictError';
  }
}

type Queryable = Pick<pg.PoolClient, 'query'>;

export async function readStoredOffset(
  db: Queryable,
  groupId: string,
  topic: string,
  partition: number,
): Promise<bigint | null> {
  const { rows } = await db.query<{ next_offset: string }>(
    'SELECT next_offset::text AS next_offset FROM tributary_sink_offsets WHERE group_id = $1 AND topic = $2 AND partition = $3',
    [groupId, topic, partition],
  );
  const row = rows[0];
  return row === undefined ? null : BigInt(row.next_offset);
}

/**
 * Compare-and-set, first statement of every batch transaction: moves the stored offset from
 * exactly `expected` (null: no row yet) to `next`. The row lock it takes serialises two instances
 * writing the same partition; the loser re-evaluates after the winner commits, matches 0 rows and
 * aborts its transaction, so a zombie can neither move the offset backwards nor apply twice.
 */
export async function compareAndSetOffset(
  db: Queryable,
  groupId: string,
  topic: string,
  partition: number,
  expected: bigint | null,
  next: bigint,
): Promise<void> {
  const result =
    expected === null
      ? await db.query(
          'INSERT INTO tributary_sink_offsets (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
          [groupId, topic, partition, next.toString()],
        )
      : await db.query(
          'UPDATE tributary_sink_offsets SET next_offset = $4, updated_at = now() WHERE group_id = $1 AND topic = $2 AND partition = $3 AND next_offset = $5 AND next_offset < $4',
          [groupId, topic, partition, next.toString(), expected.toString()],
        );
  if (result.rowCount !== 1) throw new OffsetConflictError(topic, partition, expected);
}
