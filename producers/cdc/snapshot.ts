import type { Kafka } from 'kafkajs';
import pg from 'pg';
import type { Logger } from '../../platform/logger.js';
import type { OutboundRecord } from '../../platform/outboundRecords.js';
import { rawRecordKey } from '../../schemas/rawEnvelope.js';
import { contentHash } from '../connector/idempotency.js';
import { DELETED, DedupeIndex } from '../runtime/dedupeIndex.js';
import { type CapturedTable, type ChangeContext, changeRecords, keyOf } from './changeEvents.js';
import { rawTextTypes } from './replicationConnection.js';

export interface SnapshotInput {
  databaseUrl: string;
  kafka: Kafka;
  log: Logger;
  context: ChangeContext;
  tables: readonly CapturedTable[];
  snapshotName: string;
  /** The slot's consistent point, formatted: the cursor of every snapshot record. */
  consistentPoint: string;
  chunkRows: number;
  now: () => Date;
  /** Publishes one chunk in one Kafka transaction (with the snapshot-phase state). */
  publish: (records: OutboundRecord[]) => Promise<void>;
}

export interface SnapshotReport {
  rows: number;
  published: number;
  unchanged: number;
  deleted: number;
}

function keyPayload(table: CapturedTable, naturalKey: string): Record<string, string> {
  const columns = table.info.keyColumns;
  if (columns.length === 1 && columns[0]) return { [columns[0]]: naturalKey };
  const parts = naturalKey.split(':').map((part) => decodeURIComponent(part));
  return Object.fromEntries(columns.map((column, i) => [column, parts[i] ?? '']));
}

/**
 * Reads every captured table inside the slot's exported snapshot: exactly the state at the
 * slot's consistent point, so streaming from that point afterwards has neither gap nor overlap.
 * The snapshot is not resumable (an exported snapshot dies with its connection); a crash means
 * a new slot and a new snapshot. That redo is made idempotent with the dedupe index built from
 * the raw topic: rows whose content is already the latest in Kafka publish nothing, and keys the
 * topic has but the new snapshot lacks (deleted since the interrupted run) publish a delete.
 */
export async function runSnapshot(input: SnapshotInput): Promise<SnapshotReport> {
  const report: SnapshotReport = { rows: 0, published: 0, unchanged: 0, deleted: 0 };
  const client = new pg.Client({ connectionString: input.databaseUrl, types: rawTextTypes });
  // A lost connection surfaces through the pending query; without a listener it would crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${input.snapshotName.replace(/'/g, "''")}'`);
    for (const table of input.tables) {
      const index = await DedupeIndex.load(input.kafka, table.topic);
      const prefix = rawRecordKey(input.context.sourceInstance, table.info.stream, '');
      const seen = new Set<string>();
      const observedAt = input.now().toISOString();
      const relation = `${pg.escapeIdentifier(table.info.schema)}.${pg.escapeIdentifier(table.info.table)}`;
      await client.query(`DECLARE tributary_snapshot NO SCROLL CURSOR FOR SELECT * FROM ${relation}`);
      for (;;) {
        const result = await client.query<Record<string, string | null>>(
          `FETCH ${input.chunkRows} FROM tributary_snapshot`,
        );
        if (result.rows.length === 0) break;
        table.columns = table.policy.describe(
          result.fields.map((field) => ({
            name: field.name,
            typeOid: field.dataTypeID,
            key: table.info.keyColumns.includes(field.name),
          })),
        );
        const records: OutboundRecord[] = [];
        for (const row of result.rows) {
          report.rows++;
          const key = prefix + keyOf(table, row);
          seen.add(key);
          if (index.get(key) === contentHash(table.policy.apply(row, table.info.keyColumns))) {
            report.unchanged++;
            continue;
          }
          records.push(
            ...changeRecords(input.context, {
              table,
              operation: 'upsert',
              row,
              commitLsn: input.consistentPoint,
              commitTime: null,
              xid: null,
              observedAt,
              snapshot: true,
            }),
          );
        }
        if (records.length > 0) await input.publish(records);
        report.published += records.length;
      }
      await client.query('CLOSE tributary_snapshot');
      const vanished: OutboundRecord[] = [];
      for (const key of index.keys()) {
        if (!key.startsWith(prefix) || seen.has(key) || index.get(key) === DELETED) continue;
        vanished.push(
          ...changeRecords(input.context, {
            table,
            operation: 'delete',
            row: keyPayload(table, key.slice(prefix.length)),
            commitLsn: input.consistentPoint,
            commitTime: null,
            xid: null,
            observedAt,
            snapshot: true,
          }),
        );
        report.deleted++;
      }
      for (let i = 0; i < vanished.length; i += input.chunkRows * 2) {
        await input.publish(vanished.slice(i, i + input.chunkRows * 2));
      }
      input.log.info({ stream: table.info.stream, ...report }, 'snapshot of table done');
    }
    await client.query('COMMIT');
  } finally {
    await client.end().catch(() => undefined);
  }
  return report;
}
