import type { FieldProvenance } from '../schemas/provenance.js';

/** One mapped field value with the transformation that produced it. */
export interface FragmentField {
  value: unknown;
  transformation: string;
}

/**
 * What one source record says about one canonical entity: field values by dot path, plus where
 * they came from. Fragments of every source are merged into the canonical record.
 */
export interface Fragment {
  entity: string;
  canonicalId: string;
  businessKey: string;
  sourceSystem: string;
  sourceInstance: string;
  sourceRecordKey: string;
  rawTopic: string;
  rawPartition: number;
  rawOffset: string;
  observedAt: string;
  /** The source's own last-modified time (UTC), used by most-recent survivorship. */
  sourceUpdatedAt: string | null;
  mapping: string;
  fields: Record<string, FragmentField>;
}

export function provenanceOf(fragment: Fragment, transformation: string): FieldProvenance {
  return {
    sourceSystem: fragment.sourceSystem,
    sourceInstance: fragment.sourceInstance,
    sourceRecordKey: fragment.sourceRecordKey,
    rawTopic: fragment.rawTopic,
    rawPartition: fragment.rawPartition,
    rawOffset: fragment.rawOffset,
    observedAt: fragment.observedAt,
    mapping: fragment.mapping,
    transformation,
  };
}

/** Fragments topic key: one compacted slot per (entity, source record). */
export function fragmentKey(canonicalId: string, sourceRecordKey: string): string {
  return `${canonicalId}|${sourceRecordKey}`;
}

export function canonicalIdOfFragmentKey(key: string): string {
  return key.slice(0, key.indexOf('|'));
}
