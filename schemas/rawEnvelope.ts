import { z } from 'zod/v4';

/**
 * The value of every raw.<source>.<stream> record: the source payload exactly as received plus
 * where, when and how it was observed. Keyed by `<sourceInstance>/<stream>/<naturalKey>`.
 * A delete is an envelope with operation 'delete' followed by a tombstone (null value).
 */
export const rawEnvelopeSchema = z
  .object({
    envelopeVersion: z.literal(1).describe('Version of this envelope format.'),
    eventId: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe(
        'Deterministic id: SHA-256 over source, instance, stream, natural key and content hash. Re-fetches of unchanged content yield the same id.',
      ),
    sourceSystem: z
      .string()
      .min(1)
      .describe('Kind of source system, e.g. "workday", "netsuite", "postgres-cdc".'),
    sourceInstance: z.string().min(1).describe('Which deployment of that system, e.g. "acme-hr-prod".'),
    stream: z
      .string()
      .min(1)
      .describe('Stream (endpoint or table) within the source, e.g. "workers" or "payroll.employees".'),
    naturalKey: z.string().min(1).describe("The record's primary key in the source, as a string."),
    operation: z
      .enum(['upsert', 'delete'])
      .describe('upsert: the record exists with this content; delete: the source deleted it.'),
    observedAt: z.iso.datetime().describe('UTC instant at which Tributary received this content.'),
    sourceUpdatedAt: z
      .string()
      .nullable()
      .describe("The source's own last-modified value for the record, verbatim, if it has one."),
    cursor: z
      .string()
      .nullable()
      .describe(
        'The stream cursor (watermark) value this record advanced to, serialised; for CDC the commit LSN.',
      ),
    request: z
      .object({
        method: z.string().describe('HTTP method, e.g. "GET".'),
        endpoint: z.string().describe('URL path and query without secrets.'),
        pageToken: z
          .string()
          .nullable()
          .describe(
            'Page token or cursor sent with the request (never a credential); null for the first page.',
          ),
      })
      .nullable()
      .describe('The request that returned this record (never credentials); null for CDC.'),
    contentHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe('SHA-256 of the canonical JSON serialisation of payload.'),
    connector: z
      .object({
        name: z.string().describe('Connector name, e.g. "workday-workers".'),
        version: z.string().describe('Connector version (semver).'),
      })
      .describe('Connector that produced the record.'),
    payload: z.unknown().describe('The source record exactly as received (parsed JSON).'),
  })
  .describe('Raw envelope: one source record as observed, the replayable raw log entry.');

export type RawEnvelope = z.output<typeof rawEnvelopeSchema>;

export function rawRecordKey(sourceInstance: string, stream: string, naturalKey: string): string {
  return `${sourceInstance}/${stream}/${naturalKey}`;
}
