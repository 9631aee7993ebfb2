import { z } from 'zod/v4';

/** Where one canonical field value came from, down to the raw record offset and the transformation. */
export const fieldProvenanceSchema = z
  .object({
    sourceSystem: z.string().describe('Kind of source system that supplied the value.'),
    sourceInstance: z.string().describe('Deployment of the source system.'),
    sourceRecordKey: z.string().describe('Raw record key <sourceInstance>/<stream>/<naturalKey>.'),
    rawTopic: z.string().describe('Raw topic the value was read from.'),
    rawPartition: z.number().int().min(0).describe('Partition of the raw topic the value was read from.'),
    rawOffset: z.string().regex(/^\d+$/).describe('Kafka offset as a decimal string (never a float).'),
    observedAt: z.iso.datetime().describe('When Tributary received the raw record (UTC).'),
    mapping: z
      .string()
      .regex(/^[a-z0-9-]+@\d+$/)
      .describe('Mapping id and version, e.g. "hr-workers@3".'),
    transformation: z
      .string()
      .describe(
        'What was applied to the raw value, e.g. "annualize(monthly)" or "fx(EUR→USD, 1.0832, ecb, 2026-11-27)"; "copy" when none.',
      ),
  })
  .describe('Field-level provenance.');

export type FieldProvenance = z.output<typeof fieldProvenanceSchema>;
