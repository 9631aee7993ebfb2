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
 * Writes one partition batch in one transaction: offset compare-and-set, set-based upserts and
 * soft deletes in the order dedupeBatch gives (+ child rows), the rejected rows to the DLQ, COMMIT. Rows the database rejects
 * are isolated by bisecting under savepoints so their batch-mates still land in this transaction.
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
  try {
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
      upserted += await landUpserts(client, input.statements, upsertsBeforeDelete, rejected);
    }
    if (deletes.length > 0) {
      const result = await client.query(input.statements.softDelete(deletes));
      deleted = result.rowCount ?? 0;
    }
    if (upserts.length > 0) {
      upserted += await landUpserts(client, input.statements, upserts, rejected);
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

async function applyUpserts(
  client: pg.PoolClient,
  statements: TableStatements,
  records: readonly UpsertRecord[],
): Promise<number> {
  const result = await client.query<{ id: string }>(statements.upsert(records));
  const landedIds = new Set(result.rows.map((row) => row.id));
  // Child rows are replaced only for parents whose new version landed.
  const landed = records.filter((record) => landedIds.has(record.key));
  for (const statement of statements.replaceChildren(landed)) await client.query(statement);
  return landed.length;
}

/** Tries the rows together; on a row rejection, halves the set under savepoints until the bad rows stand alone. */
async function landUpserts(
  client: pg.PoolClient,
  statements: TableStatements,
  records: readonly UpsertRecord[],
  rejected: RejectedRecord[],
): Promise<number> {
  await client.query('SAVEPOINT sink_rows');
  try {
    const landed = await applyUpserts(client, statements, records);
    await client.query('RELEASE SAVEPOINT sink_rows');
    return landed;
  } catch (error) {
    const translated = translatePgError(error, 'upsert');
    if (!isRowRejection(translated)) throw translated;
    await client.query('ROLLBACK TO SAVEPOINT sink_rows');
    await client.query('RELEASE SAVEPOINT sink_rows');
    if (records.length === 1) {
      const [record] = records;
      if (record) rejected.push({ record, error: translated, stage: 'sink-write' });
      return 0;
    }
    const middle = Math.ceil(records.length / 2);
    return (
      (await landUpserts(client, statements, records.slice(0, middle), rejected)) +
      (await landUpserts(client, statements, records.slice(middle), rejected))
    );
  }
}
