import type { CanonicalRecord } from '../../schemas/canonicalRecord.js';

/** Where a record came from in Kafka; offsets are bigint, never floats. */
export interface RecordOrigin {
  topic: string;
  partition: number;
  offset: bigint;
}

/**
 * One consumed canonical message, decoded. `poison` holds what could not be decoded or is not
 * a valid canonical record: it is never written, it goes to the DLQ inside the same transaction
 * that moves the stored offset past it.
 */
export type SinkRecord =
  | (RecordOrigin & {
      kind: 'upsert';
      key: string;
      value: CanonicalRecord<Record<string, unknown>>;
      /** The encoded bytes as consumed, kept so a DLQ entry carries the original unchanged. */
      raw: Buffer;
      bytes: number;
    })
  | (RecordOrigin & { kind: 'delete'; key: string; bytes: number })
  | (RecordOrigin & {
      kind: 'poison';
      key: string | null;
      raw: Buffer | null;
      error: Error;
      bytes: number;
    });

export type UpsertRecord = Extract<SinkRecord, { kind: 'upsert' }>;
export type DeleteRecord = Extract<SinkRecord, { kind: 'delete' }>;
export type PoisonRecord = Extract<SinkRecord, { kind: 'poison' }>;
