import { z } from 'zod/v4';
import { describeIssues } from '../../platform/config.js';
import { TributaryError } from '../../platform/errors.js';
import type { SinkRecord, UpsertRecord } from './sinkRecord.js';

/** The registry decoder the sink needs (the @kafkajs/confluent-schema-registry client fits). */
export interface WireDecoder {
  decode(buffer: Buffer): Promise<unknown>;
}

/**
 * The canonical envelope as the sink needs it. `data` stays an open object: the entity contract
 * was enforced by the processor and the registry; typed columns are extracted by the table spec,
 * and PostgreSQL's types and constraints are the sink's own last line of defence.
 */
const envelopeSchema = z.object({
  id: z.uuid(),
  entity: z.string().min(1),
  version: z.number().int().min(1),
  mappingVersions: z.array(z.string()),
  updatedAt: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
  provenance: z.record(z.string(), z.unknown()),
});

/** Built once: constructing a zod schema costs far more than using one (it was 200 µs per message). */
const canonicalIdSchema = z.uuid();

export interface RawMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
}

export function createRecordDecoder(decoder: WireDecoder, entity: string) {
  return async function decodeRecord(
    topic: string,
    partition: number,
    message: RawMessage,
  ): Promise<SinkRecord> {
    const offset = BigInt(message.offset);
    const key = message.key === null ? null : message.key.toString('utf8');
    const bytes = (message.key?.length ?? 0) + (message.value?.length ?? 0) + 64;
    const poison = (error: Error): SinkRecord => ({
      kind: 'poison',
      topic,
      partition,
      offset,
      key,
      raw: message.value,
      error,
      bytes,
    });
    if (key === null || !canonicalIdSchema.safeParse(key).success) {
      return poison(
        new TributaryError('VALIDATION_FAILED', `record key ${String(key)} is not a canonical uuid`),
      );
    }
    if (message.value === null) return { kind: 'delete', topic, partition, offset, key, bytes };
    let decoded: unknown;
    try {
      decoded = await decoder.decode(message.value);
    } catch (error) {
      return poison(
        new TributaryError('VALIDATION_FAILED', `cannot decode value: ${String(error)}`, { cause: error }),
      );
    }
    const parsed = envelopeSchema.safeParse(decoded);
    if (!parsed.success) {
      return poison(
        new TributaryError(
          'VALIDATION_FAILED',
          `not a canonical record: ${describeIssues(parsed.error.issues)}`,
        ),
      );
    }
    if (parsed.data.id !== key || parsed.data.entity !== entity) {
      return poison(
        new TributaryError(
          'VALIDATION_FAILED',
          `record ${parsed.data.entity}/${parsed.data.id} does not belong under key ${key} of entity ${entity}`,
        ),
      );
    }
    return {
      kind: 'upsert',
      topic,
      partition,
      offset,
      key,
      bytes,
      raw: message.value,
      // Provenance entries were validated by the processor against the contract; the sink stores them as jsonb.
      value: parsed.data as unknown as UpsertRecord['value'],
    };
  };
}
