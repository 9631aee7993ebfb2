import { z } from 'zod/v4';
import { fieldProvenanceSchema } from './provenance.js';

/**
 * The value of every canonical.<entity> record, keyed by the canonical id. `version` is a
 * per-key counter owned by the processor (single writer per key: keys are partitioned by
 * canonical id), incremented only when the entity's content or mapping version changed, so
 * sinks keep the highest version and replays of the same data change nothing.
 */
export function canonicalRecordSchema<T extends z.ZodType>(entity: string, data: T) {
  return z
    .object({
      id: z.uuid().describe('Canonical id: UUIDv5 over entity type and normalised business key.'),
      entity: z.literal(entity).describe(`Entity type; always "${entity}" on this topic.`),
      version: z
        .number()
        .int()
        .min(1)
        .describe('Monotonic per-id version; a higher version replaces a lower one.'),
      mappingVersions: z.array(z.string()).describe('mapping@version of every mapping that contributed.'),
      updatedAt: z.iso.datetime().describe('When the processor produced this version (UTC).'),
      data: data,
      provenance: z
        .record(z.string(), fieldProvenanceSchema)
        .describe(
          'Provenance per field path of data: dot-separated, array items by index, e.g. "compensation.annualized" or "lines.0.netAmount".',
        ),
    })
    .describe(`Canonical ${entity} record with field-level provenance.`);
}

export type CanonicalRecord<T> = {
  id: string;
  entity: string;
  version: number;
  mappingVersions: string[];
  updatedAt: string;
  data: T;
  provenance: Record<string, z.output<typeof fieldProvenanceSchema>>;
};
