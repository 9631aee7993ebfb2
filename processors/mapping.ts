import type { RawEnvelope } from '../schemas/rawEnvelope.js';
import type { CrosswalkLookup } from './crosswalk.js';
import type { FragmentField } from './fragment.js';
import type { FxRateTable } from './normalize/fx.js';

/** What a mapping says about one canonical entity, before the stage adds identity and origin. */
export interface MappedFragment {
  entity: string;
  /** Business key (the entity contract's businessKey fields joined with '/'). */
  businessKey: string;
  fields: Record<string, FragmentField>;
}

/** Data-quality observations a mapping reports; they become drift metrics per stream. */
export interface MappingObserver {
  /** A payload field no mapping rule reads (a new field at the source). */
  unknownField(path: string): void;
  /** A field the mapping needs was absent or null. */
  missingField(path: string): void;
  /** A field had an unexpected type. */
  typeMismatch(path: string, expected: string): void;
}

/** Reference data a mapping may read (never write): FX rates and crosswalk links. */
export interface MappingContext {
  fx: FxRateTable;
  /** Currency that amounts are also reported in (REPORTING_CURRENCY, default USD). */
  reportingCurrency: string;
  /** Source keys → business keys, for sources that key an entity their own way (crosswalk.ts). */
  crosswalk: CrosswalkLookup;
}

/**
 * A mapping turns one raw envelope into canonical fragments. It is a pure function (no I/O, no
 * clock), versioned as `<id>@<version>`: bump the version whenever its output changes, so a replay
 * re-maps the raw log into new canonical versions.
 */
export interface Mapping {
  readonly id: string;
  readonly version: number;
  /** Raw topics this mapping reads, e.g. ['raw.hr.workers']. */
  readonly topics: readonly string[];
  /** The payload fields it knows (for unknown-field drift detection). */
  readonly knownFields: readonly string[];
  map(envelope: RawEnvelope, observe: MappingObserver, context: MappingContext): MappedFragment[];
}

export function mappingRef(mapping: Pick<Mapping, 'id' | 'version'>): string {
  return `${mapping.id}@${mapping.version}`;
}
