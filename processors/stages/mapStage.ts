import type { Registry } from 'prom-client';
import { fragmentsTopic } from '../../platform/declaredTopics.js';
import { TributaryError } from '../../platform/errors.js';
import { ensureCounter } from '../../platform/metrics.js';
import type { OutboundRecord } from '../../platform/outboundRecords.js';
import { type RawEnvelope, rawEnvelopeSchema } from '../../schemas/rawEnvelope.js';
import { Crosswalk, CrosswalkMissingError } from '../crosswalk.js';
import { type Fragment, fragmentKey } from '../fragment.js';
import { canonicalId } from '../identity.js';
import {
  type MappedFragment,
  type Mapping,
  type MappingContext,
  type MappingObserver,
  mappingRef,
} from '../mapping.js';
import { toUtcInstant } from '../normalize/dates.js';
import { FxRateTable } from '../normalize/fx.js';
import { partitionFor } from '../partitioning.js';
import type { InputRecord, ProcessingStage } from '../runtime/exactlyOnceProcessor.js';
import type { CrosswalkFeed } from './crosswalkFeed.js';
import type { FxRateFeed } from './fxRateFeed.js';

/** Raw payloads larger than this are refused before parsing (bounded heap on hostile input). */
const MAX_RAW_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 64;

export interface MapStageOptions {
  mappings: readonly Mapping[];
  partitions: number;
  metrics: Registry;
  /** Exchange rates for conversions; its start() is awaited before the first record. */
  fx?: FxRateFeed;
  /** @default 'USD' */
  reportingCurrency?: string;
  /** Crosswalk links for mappings that resolve source keys; started with the stage. */
  crosswalks?: CrosswalkFeed;
}

/**
 * One walk over a parsed payload: refuses nesting deeper than `limit` and `__proto__` keys
 * (JSON.parse makes them own data properties, but a later spread or merge would turn them into
 * prototypes). A reviver doing the key check called back for every value and was the map stage's
 * largest self-time item.
 */
function checkStructure(value: unknown, limit: number): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (depth > limit) throw new TributaryError('VALIDATION_FAILED', `raw record nests deeper than ${limit}`);
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const child of node) stack.push([child, depth + 1]);
      continue;
    }
    if (Object.hasOwn(node, '__proto__'))
      throw new TributaryError('VALIDATION_FAILED', 'raw payload contains a forbidden key "__proto__"');
    for (const key in node) stack.push([(node as Record<string, unknown>)[key], depth + 1]);
  }
}

/** Where the raw record behind a fragment tombstone sits (fragment values carry it in their body). */
export const rawPositionHeader = 'tributary.raw-position';

function rawPositionHeaders(topic: string, partition: number, offset: string): Record<string, string> {
  return { [rawPositionHeader]: `${topic}:${partition}:${offset}` };
}

function utcOrNull(value: string | null): string | null {
  if (value === null) return null;
  try {
    return toUtcInstant(value);
  } catch {
    return null;
  }
}

export function parseRawEnvelope(value: Buffer): RawEnvelope {
  if (value.length > MAX_RAW_BYTES) {
    throw new TributaryError(
      'VALIDATION_FAILED',
      `raw record of ${value.length} bytes exceeds ${MAX_RAW_BYTES}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    if (error instanceof TributaryError) throw error;
    throw new TributaryError('VALIDATION_FAILED', `raw record is not JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  checkStructure(parsed, MAX_DEPTH);
  const result = rawEnvelopeSchema.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new TributaryError('VALIDATION_FAILED', `raw envelope invalid: ${issues}`);
  }
  return result.data;
}

/**
 * Stage 1: raw envelope → fragments, one per canonical entity the mapping derives, written to
 * `_tributary.fragments.<entity>` keyed `<canonicalId>|<source record key>` in the canonical id's
 * partition. Stateless. A delete envelope becomes fragment tombstones (its payload must still
 * carry the business key; a delete without one is dead-lettered, never guessed).
 */
export class MapStage implements ProcessingStage {
  readonly name = 'map';
  private readonly byTopic = new Map<string, Mapping>();
  private readonly drift;
  private readonly fieldValues;
  private readonly emptyFx = new FxRateTable();
  private readonly emptyCrosswalk = new Crosswalk();
  private readonly crosswalkLookups;

  constructor(private readonly options: MapStageOptions) {
    for (const mapping of options.mappings)
      for (const topic of mapping.topics) this.byTopic.set(topic, mapping);
    this.drift = ensureCounter(
      options.metrics,
      'tributary_mapping_drift_total',
      'Data drift seen while mapping, by stream and kind',
      ['topic', 'kind', 'field'],
    );
    this.crosswalkLookups = ensureCounter(
      options.metrics,
      'tributary_mapping_crosswalk_misses_total',
      'Crosswalk lookups that missed, by crosswalk and outcome (caught_up: found after catching the feed up; missing: still unknown, retried then dead-lettered)',
      ['crosswalk', 'outcome'],
    );
    this.fieldValues = ensureCounter(
      options.metrics,
      'tributary_mapping_field_values_total',
      'Mapped field values by stream, field and whether they were null (null rate = null / all)',
      ['topic', 'field', 'outcome'],
    );
  }

  get inputTopics(): string[] {
    return [...this.byTopic.keys()];
  }

  private referenceReady: Promise<void> | undefined;

  async loadPartition(): Promise<void> {
    this.referenceReady ??= Promise.all([this.options.fx?.start(), this.options.crosswalks?.start()]).then(
      () => undefined,
    );
    try {
      await this.referenceReady;
    } catch (error) {
      this.referenceReady = undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.options.fx?.stop();
    await this.options.crosswalks?.stop();
  }

  /**
   * Runs the mapping; a crosswalk miss first catches the crosswalk feeds up to what is committed
   * (the linking record was committed before this one, or with it) and maps once more. A miss
   * after that is real and retried by the engine, then dead-lettered.
   */
  private async runMapping(
    mapping: Mapping,
    envelope: RawEnvelope,
    observer: MappingObserver,
  ): Promise<MappedFragment[]> {
    const context: MappingContext = {
      fx: this.options.fx?.table ?? this.emptyFx,
      reportingCurrency: this.options.reportingCurrency ?? 'USD',
      crosswalk: this.options.crosswalks?.crosswalk ?? this.emptyCrosswalk,
    };
    // The first attempt's drift observations are kept back: if it only missed a crosswalk link, the
    // second attempt observes the same record again and only that one may count.
    const firstAttempt = new DeferredObserver();
    try {
      const mapped = mapping.map(envelope, firstAttempt, context);
      firstAttempt.replayTo(observer);
      return mapped;
    } catch (error) {
      if (!(error instanceof CrosswalkMissingError) || !this.options.crosswalks) {
        firstAttempt.replayTo(observer);
        throw error;
      }
      await this.options.crosswalks.catchUp();
      try {
        const mapped = mapping.map(envelope, observer, context);
        this.crosswalkLookups.inc({ crosswalk: error.crosswalk, outcome: 'caught_up' });
        return mapped;
      } catch (again) {
        if (again instanceof CrosswalkMissingError)
          this.crosswalkLookups.inc({ crosswalk: again.crosswalk, outcome: 'missing' });
        throw again;
      }
    }
  }

  async process(input: InputRecord): Promise<OutboundRecord[]> {
    const { message, topic, partition } = input;
    // A raw tombstone follows its delete envelope, which already removed the fragments.
    if (message.value === null) return [];
    const mapping = this.byTopic.get(topic);
    if (!mapping) throw new TributaryError('MAPPING_FAILED', `no mapping reads ${topic}`);
    const envelope = parseRawEnvelope(message.value);
    const observer: MappingObserver = {
      unknownField: (path) => this.drift.inc({ topic, kind: 'unknown_field', field: path }),
      missingField: (path) => this.drift.inc({ topic, kind: 'missing_field', field: path }),
      typeMismatch: (path) => this.drift.inc({ topic, kind: 'type_mismatch', field: path }),
    };
    if (envelope.payload !== null && typeof envelope.payload === 'object') {
      for (const field of Object.keys(envelope.payload)) {
        if (!mapping.knownFields.includes(field)) observer.unknownField(field);
      }
    }
    const mapped = await this.runMapping(mapping, envelope, observer);
    const sourceRecordKey = `${envelope.sourceInstance}/${envelope.stream}/${envelope.naturalKey}`;
    if (envelope.operation === 'upsert') {
      for (const fragment of mapped) {
        for (const [field, value] of Object.entries(fragment.fields)) {
          const outcome = value.value === null || value.value === undefined ? 'null' : 'value';
          this.fieldValues.inc({ topic, field, outcome });
        }
      }
    }
    return mapped.map((fragment) => {
      const id = canonicalId(fragment.entity, fragment.businessKey);
      const key = fragmentKey(id, sourceRecordKey);
      const outputTopic = fragmentsTopic(fragment.entity);
      const target = partitionFor(id, this.options.partitions);
      if (envelope.operation === 'delete') {
        // The raw position rides along so the merge stage can tell a replayed (older) delete or
        // upsert from a newer one.
        return {
          topic: outputTopic,
          key,
          value: null,
          partition: target,
          headers: rawPositionHeaders(topic, partition, message.offset),
        };
      }
      const value: Fragment = {
        entity: fragment.entity,
        canonicalId: id,
        businessKey: fragment.businessKey,
        sourceSystem: envelope.sourceSystem,
        sourceInstance: envelope.sourceInstance,
        sourceRecordKey,
        rawTopic: topic,
        rawPartition: partition,
        rawOffset: message.offset,
        observedAt: envelope.observedAt,
        sourceUpdatedAt: utcOrNull(envelope.sourceUpdatedAt),
        mapping: mappingRef(mapping),
        fields: fragment.fields,
      };
      return { topic: outputTopic, key, value: Buffer.from(JSON.stringify(value)), partition: target };
    });
  }
}

/** Records a mapping's drift observations so they can be counted later, or not at all. */
class DeferredObserver implements MappingObserver {
  private readonly calls: ((observer: MappingObserver) => void)[] = [];

  unknownField(path: string): void {
    this.calls.push((observer) => observer.unknownField(path));
  }

  missingField(path: string): void {
    this.calls.push((observer) => observer.missingField(path));
  }

  typeMismatch(path: string, expected: string): void {
    this.calls.push((observer) => observer.typeMismatch(path, expected));
  }

  replayTo(observer: MappingObserver): void {
    for (const call of this.calls) call(observer);
  }
}
