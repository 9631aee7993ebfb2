import { TributaryError } from '../platform/errors.js';
import type { RawEnvelope } from '../schemas/rawEnvelope.js';
import { normalizeBusinessKey } from './identity.js';

/**
 * Where sources key the same entity differently — the payroll database's employee number "E00123"
 * and the HR system's worker id "W000123" — a crosswalk maps a source's own key to the entity's
 * business key. Links are learned from a raw stream whose records carry both keys (the payroll
 * employees table has `employee_number` and `hr_worker_id`); mappings of the other streams of that
 * source (pay rates) look their key up instead of guessing.
 */
export interface CrosswalkDefinition {
  /** Names the key space, e.g. 'payroll-employee'; mappings resolve through this name. */
  readonly name: string;
  /** The raw topic whose records carry both keys. */
  readonly topic: string;
  /**
   * The link one raw record states, or undefined when it states none (a row not linked yet).
   * Throws on a record it cannot read; the map stage dead-letters that record itself.
   */
  link(envelope: RawEnvelope): { sourceKey: string; businessKey: string } | undefined;
}

/** A lookup that found no link: retryable, since the linking record may not have been read yet. */
export class CrosswalkMissingError extends TributaryError {
  constructor(
    readonly crosswalk: string,
    readonly sourceInstance: string,
    readonly sourceKey: string,
  ) {
    super(
      'CROSSWALK_MISSING',
      `crosswalk ${crosswalk}: no business key for ${sourceInstance} key "${sourceKey}" (its linking record has not been read)`,
      { retryable: true, details: { crosswalk, sourceInstance, sourceKey } },
    );
    this.name = 'CrosswalkMissingError';
  }
}

/** The links a mapping reads (never writes). */
export interface CrosswalkLookup {
  /** The business key linked to a source key; throws CrosswalkMissingError when there is none. */
  resolve(crosswalk: string, sourceInstance: string, sourceKey: string): string;
}

/**
 * Every link learned so far, per crosswalk and source instance. A link is kept when its record is
 * later deleted: deletes of the dependent rows (a pay rate removed with its employee) still need
 * it to find the fragments they remove. A re-link replaces the old business key for new records;
 * fragments already written under the old one stay until their own record changes (README, Limits).
 */
export class Crosswalk implements CrosswalkLookup {
  private readonly entries = new Map<string, string>();

  private static key(crosswalk: string, sourceInstance: string, sourceKey: string): string {
    return `${crosswalk}\u0000${sourceInstance}\u0000${normalizeBusinessKey(sourceKey)}`;
  }

  get size(): number {
    return this.entries.size;
  }

  link(crosswalk: string, sourceInstance: string, sourceKey: string, businessKey: string): void {
    this.entries.set(Crosswalk.key(crosswalk, sourceInstance, sourceKey), businessKey);
  }

  find(crosswalk: string, sourceInstance: string, sourceKey: string): string | undefined {
    return this.entries.get(Crosswalk.key(crosswalk, sourceInstance, sourceKey));
  }

  resolve(crosswalk: string, sourceInstance: string, sourceKey: string): string {
    const businessKey = this.find(crosswalk, sourceInstance, sourceKey);
    if (businessKey === undefined) throw new CrosswalkMissingError(crosswalk, sourceInstance, sourceKey);
    return businessKey;
  }

  /** Learns the link one raw record of the definition's topic states (if any). */
  learn(definition: CrosswalkDefinition, envelope: RawEnvelope): void {
    const linked = definition.link(envelope);
    if (linked) this.link(definition.name, envelope.sourceInstance, linked.sourceKey, linked.businessKey);
  }
}
