import type { z } from 'zod/v4';

/**
 * One canonical entity's published contract: the topic it lives on, its contract version, the
 * zod schemas (single source of truth) and the rules a consumer needs to use it.
 */
export interface EntityContract {
  /** Entity name, snake_case; also the `entity` field of every record and the topic suffix. */
  readonly entity: string;
  /** Compacted Kafka topic holding the entity, `canonical.<entity>`; registry subject `<topic>-value`. */
  readonly topic: string;
  /**
   * Contract version: bumped whenever the published JSON Schema changes. The published history
   * lives in schemas/history/<entity>/v<N>.schema.json, v1..version, and must stay compatible.
   */
  readonly version: number;
  /** The topic value: canonicalRecordSchema(entity, dataSchema). */
  readonly schema: z.ZodType;
  /** The entity's own fields (the `data` of a record). */
  readonly dataSchema: z.ZodObject;
  /** Fields of `data` that together form the business key the canonical id is derived from. */
  readonly businessKey: readonly string[];
  /** How the canonical id is derived, in words (normalisation included). */
  readonly identityRule: string;
  readonly description: string;
  /** Unit of a numeric/quantity field by its path in `data`, for fields whose unit is not in the type. */
  readonly units: Readonly<Record<string, string>>;
  /** Entity-specific provenance conventions, on top of the platform-wide rule. */
  readonly provenanceNotes: string;
}

/** Subject of the topic value schema in the registry (Confluent TopicNameStrategy). */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}
