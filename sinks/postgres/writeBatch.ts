import type pg from 'pg';
import { TributaryError } from '../../platform/errors.js';
import { translatePgError } from '../../platform/postgres.js';
import { dedupeBatch } from './dedupeBatch.js';
import { compareAndSetOffset } from './offsetStore.js';
import type { PoisonRecord, SinkRecord, UpsertRecord } from './sinkRecord.js';
import type { TableStatements } from './tableStatements.js';

/** A record the database refused (or that could not be decoded), bound for the DLQ. */
export interface RejectedRecord {
  record: SinkRecord;
  error: Error;
  stage: 'sink-decode' | 'sink-write';
}

export interface WriteBatchInput {
  groupId: string;
  topic: string;
  partition: number;
  /** Stored next_offset this batch continues from (null: none stored yet). */
  expectedOffset: bigint | null;
  /** Records in offset order, all of this partition. */
  records: readonly SinkRecord[];
  statements: TableStatements;
  /** Publishes rejects before COMMIT: a crash then duplicates DLQ entries, never loses them. */
  publishRejected: (rejected: readonly RejectedRecord[]) => Promise<void>;
  /** Test fault point: called right after COMMIT, before anything else happens. */
  afterCommit?: () => void;
}

export interface WriteBatchResult {
  nextOffset: bigint;
  upserted: number;
  deleted: number;
  rejected: number;
}

/** SQLSTATE classes meaning "this row is bad" (data exception, integrity violation), not "the database is". */
export function isRowRejection(error: TributaryError): boolean {
  const sqlstate = String(error.details['sqlstate'] ?? '');
  return error.code === 'DATABASE_REJECTED' && (sqlstate.startsWith('23') || sqlstate.startsWith('22'));
}

/**
 * Writes one partition batch in one transaction: offset compare-and-set, upserts (COPY into the
 * staging table + one guarded merge) and soft deletes in the order dedupeBatch gives (+ child
 * rows), the rejected rows to the DLQ, COMMIT. Rows the database rejects are isolated by
 * bisecting the merge under savepoints so their batch-mates still land in this transaction.
 * Any other error aborts the transaction and is thrown translated (the caller retries the whole
 * transaction when it is retryable).
 */
export async function writeBatch(client: pg.PoolClient, input: WriteBatchInput): Promise<WriteBatchResult> {
  const last = input.records.at(-1);
  if (!last) throw new TributaryError('INVALID_STATE', 'writeBatch called with no records');
  const nextOffset = last.offset + 1n;
  const { upsertsBeforeDelete, deletes, upserts, poison } = dedupeBatch(input.records);
  const rejected: RejectedRecord[] = poison.map((record: PoisonRecord) => ({
    record,
    error: record.error,
    stage: 'sink-decode' as const,
  }));
  let upserted = 0;
  let deleted = 0;
  const cursor: StageCursor = { next: 0 };
  try {
    if (upsertsBeforeDelete.length > 0 || upserts.length > 0) await input.statements.staging.ensure(client);
    await client.query('BEGIN');
    await compareAndSetOffset(
      client,
      input.groupId,
      input.topic,
      input.partition,
      input.expectedOffset,
      nextOffset,
    );
    if (upsertsBeforeDelete.length > 0) {
      upserted += await landUpserts(client, input, upsertsBeforeDelete, cursor, rejected);
    }
    if (deletes.length > 0) {
      const result = await client.query(input.statements.softDelete(deletes));
      deleted = result.rowCount ?? 0;
    }
    if (upserts.length > 0) {
      upserted += await landUpserts(client, input, upserts, cursor, rejected);
    }
    if (rejected.length > 0) await input.publishRejected(rejected);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw translatePgError(error, `write ${input.topic}/${input.partition}`);
  }
  input.afterCommit?.();
  return { nextOffset, upserted, deleted, rejected: rejected.length };
}

/** Ordinals handed to staged rows within one transaction (the staging table empties at COMMIT). */
interface StageCursor {
  next: number;
}

/**
 * COPYs the rows into the staging table, then merges them; on a row rejection (class 22/23) the
 * ordinal range is halved under savepoints until the bad rows stand alone, so their batch-mates
 * still land in this transaction. The COPY is done once; only the merge is retried.
 */
async function landUpserts(
  client: pg.PoolClient,
  input: WriteBatchInput,
  records: readonly UpsertRecord[],
  cursor: StageCursor,
  rejected: RejectedRecord[],
): Promise<number> {
  const { staging } = input.statements;
  const first = cursor.next;
  const { staged, unstageable } = await staging.copy(client, records, first);
  cursor.next += staged.length;
  for (const { record, error } of unstageable) rejected.push({ record, error, stage: 'sink-write' });
  if (staged.length === 0) return 0;
  return landRange(client, input, staged, first, 0, staged.length, rejected);
}

async function landRange(
  client: pg.PoolClient,
  input: WriteBatchInput,
  staged: readonly UpsertRecord[],
  base: number,
  from: number,
  to: number,
  rejected: RejectedRecord[],
): Promise<number> {
  const { staging } = input.statements;
  await client.query('SAVEPOINT sink_rows');
  try {
    const result = await client.query<{ id: string }>(
      staging.merge(input.topic, input.partition, base + from, base + to),
    );
    let landed = result.rowCount ?? 0;
    if (staging.returnsIds) {
      // Child rows are replaced only for parents whose new version landed.
      const landedIds = new Set(result.rows.map((row) => row.id));
      const parents = staged.slice(from, to).filter((record) => landedIds.has(record.key));
      for (const statement of input.statements.replaceChildren(parents)) await client.query(statement);
      landed = parents.length;
    }
    await client.query('RELEASE SAVEPOINT sink_rows');
    return landed;
  } catch (error) {
    const translated = translatePgError(error, 'upsert');
    if (!isRowRejection(translated)) throw translated;
    await client.query('ROLLBACK TO SAVEPOINT sink_rows');
    await client.query('RELEASE SAVEPOINT sink_rows');
    if (to - from === 1) {
      const record = staged[from];
      if (record) rejected.push({ record, error: translated, stage: 'sink-write' });
      return 0;
    }
    const middle = from + Math.ceil((to - from) / 2);
    return (
      (await landRange(client, input, staged, base, from, middle, rejected)) +
      (await landRange(client, input, staged, base, middle, to, rejected))
    );
  }
}
