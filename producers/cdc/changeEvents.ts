import type { OutboundRecord } from '../../platform/outboundRecords.js';
import { type RawEnvelope, rawRecordKey } from '../../schemas/rawEnvelope.js';
import { contentHash, eventId, naturalKeyOf } from '../connector/idempotency.js';
import { contentHashHeader, eventIdHeader } from '../runtime/dedupeIndex.js';
import type { ColumnDescription, ColumnPolicy } from './columnPolicy.js';
import type { TableInfo } from './sourceChecks.js';

export const cdcSourceSystem = 'postgres-cdc';
export const operationHeader = 'tributary.operation';

/**
 * CDC adds a `cdc` member to the raw envelope: the column list of the relation as of this change
 * (so added, dropped and renamed columns are visible per record), the commit time and the
 * transaction id. The shared schema strips unknown members, so consumers that need it read the
 * JSON directly.
 */
export interface CdcEnvelope extends RawEnvelope {
  cdc: {
    commitLsn: string;
    commitTime: string | null;
    xid: number | null;
    snapshot: boolean;
    columns: ColumnDescription[];
  };
}

/** Runtime view of one captured table: its topic, key, policy and current columns. */
export interface CapturedTable {
  info: TableInfo;
  topic: string;
  policy: ColumnPolicy;
  /** Published column list, refreshed on every relation message. */
  columns: ColumnDescription[];
}

export interface ChangeContext {
  sourceInstance: string;
  connector: { name: string; version: string };
}

export function rawTopicFor(source: string, stream: string): string {
  return `raw.${source}.${stream}`;
}

export interface ChangeInput {
  table: CapturedTable;
  operation: 'upsert' | 'delete';
  /** Row as read from the source (before the column policy). */
  row: Readonly<Record<string, string | null>>;
  commitLsn: string;
  commitTime: Date | null;
  xid: number | null;
  observedAt: string;
  snapshot: boolean;
}

/** The natural key of a row (primary key columns; composite keys URI-encoded and ':'-joined). */
export function keyOf(table: CapturedTable, row: Readonly<Record<string, string | null>>): string {
  return naturalKeyOf(row, table.info.keyColumns);
}

/** Raw records for one change: the envelope, and for a delete a tombstone after it. */
export function changeRecords(context: ChangeContext, input: ChangeInput): OutboundRecord[] {
  const { table } = input;
  const naturalKey = keyOf(table, input.row);
  const payload = table.policy.apply(input.row, table.info.keyColumns);
  const hash = contentHash(payload);
  const stream = table.info.stream;
  const key = rawRecordKey(context.sourceInstance, stream, naturalKey);
  const envelope: CdcEnvelope = {
    envelopeVersion: 1,
    eventId: eventId({
      sourceSystem: cdcSourceSystem,
      sourceInstance: context.sourceInstance,
      stream,
      naturalKey,
      contentHash: hash,
    }),
    sourceSystem: cdcSourceSystem,
    sourceInstance: context.sourceInstance,
    stream,
    naturalKey,
    operation: input.operation,
    observedAt: input.observedAt,
    sourceUpdatedAt: input.commitTime ? input.commitTime.toISOString() : null,
    cursor: input.commitLsn,
    request: null,
    contentHash: hash,
    connector: context.connector,
    payload,
    cdc: {
      commitLsn: input.commitLsn,
      commitTime: input.commitTime ? input.commitTime.toISOString() : null,
      xid: input.xid,
      snapshot: input.snapshot,
      columns: table.columns,
    },
  };
  const record: OutboundRecord = {
    topic: table.topic,
    key,
    value: Buffer.from(JSON.stringify(envelope)),
    headers: {
      [contentHashHeader]: hash,
      [eventIdHeader]: envelope.eventId,
      [operationHeader]: input.operation,
    },
  };
  return input.operation === 'delete' ? [record, { topic: table.topic, key, value: null }] : [record];
}
