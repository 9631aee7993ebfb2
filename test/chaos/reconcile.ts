import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { readTopicToEnd } from '../../platform/topicReader.js';
import { Crosswalk } from '../../processors/crosswalk.js';
import type { Fragment } from '../../processors/fragment.js';
import { canonicalId } from '../../processors/identity.js';
import {
  type MappedFragment,
  type Mapping,
  type MappingObserver,
  mappingRef,
} from '../../processors/mapping.js';
import { crosswalks, mappings, mergePolicies } from '../../processors/mappings/index.js';
import { mergeFragments } from '../../processors/merge.js';
import { toUtcInstant } from '../../processors/normalize/dates.js';
import { FxRateTable } from '../../processors/normalize/fx.js';
import { ColumnPolicy } from '../../producers/cdc/columnPolicy.js';
import { rawTextTypes } from '../../producers/cdc/replicationConnection.js';
import { naturalKeyOf } from '../../producers/connector/idempotency.js';
import { getPath } from '../../producers/connector/recordSelector.js';
import { rawTopicOf } from '../../producers/runtime/pollingStream.js';
import { connectorFor, sourceFactories } from '../../producers/sources/index.js';
import { entityCatalog } from '../../schemas/entityCatalog.js';
import type { RawEnvelope } from '../../schemas/rawEnvelope.js';
import { entityTables } from '../../sinks/postgres/specs/entityTables.js';
import { keyColumnOfPayroll } from './payrollKeys.js';

/** Ground truth of one simulator resource (GET /_admin/truth?resource=…). */
export interface Truth {
  records: Record<string, unknown>[];
  deletedIds: string[];
}

export interface ReconcileInput {
  kafka: Kafka;
  databaseUrl: string;
  /** Truth per simulator ('hr' | 'erp') and resource name. */
  truth: (source: string, resource: string) => Promise<Truth | undefined>;
  env: NodeJS.ProcessEnv;
  /** The payroll database and the CDC producer's source name (topics) and instance (keys). */
  payroll?: { url: string; source: string; instance: string; tables: readonly string[] };
}

export interface EntityCounts {
  expected: number;
  rows: number;
  missing: number;
  duplicated: number;
  regressed: number;
  extra: number;
}

export interface ReconcileReport {
  /** Level 1 per raw topic: the sources against the raw log. */
  raw: Record<string, RawCounts>;
  /** Level 2 per entity: the raw log against PostgreSQL. */
  entities: Record<string, EntityCounts>;
  /** Source records the mappings reject (they belong in the DLQ). */
  deliberatelyBad: number;
  dlq: { processor: number; processorUnexpected: number; sink: number };
  unreconciledTopics: string[];
  /** A few examples of each problem, to debug a failure. */
  examples: string[];
  /** Up to 10 keys per raw topic that differ from their source, with the source's change time. */
  rawProblemKeys: Record<string, { key: string; sourceUpdatedAt?: string }[]>;
  ok: boolean;
}

const silentObserver: MappingObserver = { unknownField() {}, missingField() {}, typeMismatch() {} };

/** Reference data handed to mappings (the FX table), built from the sources' truth. */
type MappingContextLike = { fx: FxRateTable; reportingCurrency: string; crosswalk: Crosswalk };

/** Calls a mapping the way the map stage does (the context argument is newer than some mappings). */
function runMapping(mapping: Mapping, envelope: RawEnvelope, context: MappingContextLike): MappedFragment[] {
  const map = mapping.map as unknown as (
    envelope: RawEnvelope,
    observe: MappingObserver,
    context: MappingContextLike,
  ) => MappedFragment[];
  return map.call(mapping, envelope, silentObserver, context);
}

/** Truth resources whose name is not the camel-cased stream name. */
const truthAliases: Readonly<Record<string, string>> = { fx_rates: 'exchangeRates' };

/** `org_units` → `orgUnits`: the simulators' truth resource behind a connector stream. */
function resourceOf(stream: string): string {
  return truthAliases[stream] ?? stream.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** JSON with keys sorted at every level (undefined dropped), so equal content compares equal. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function keyFieldsOf(entity: string): readonly string[] {
  return entityCatalog.find((contract) => contract.entity === entity)?.businessKey ?? [];
}

/** Canonical data equality: absent and null are the same; keys order-free. */
function sameData(a: unknown, b: unknown): boolean {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(value as Record<string, unknown>))
        if (inner !== null && inner !== undefined) out[key] = strip(inner);
      return out;
    }
    return value;
  };
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}

interface ExpectedEntity {
  entity: string;
  data: Record<string, unknown>;
}

/** Latest envelope per raw key of a topic, with its position (deleted keys dropped). */
interface LatestRaw {
  envelope: RawEnvelope;
  partition: number;
  offset: string;
}

async function latestOf(kafka: Kafka, topic: string): Promise<Map<string, LatestRaw>> {
  const latest = new Map<string, LatestRaw>();
  await readTopicToEnd({
    kafka,
    topic,
    timeoutMs: 300_000,
    onMessage: (message, partition) => {
      const key = message.key?.toString('utf8') ?? '';
      const envelope = message.value ? (JSON.parse(message.value.toString('utf8')) as RawEnvelope) : null;
      if (!envelope || envelope.operation === 'delete') latest.delete(key);
      else latest.set(key, { envelope, partition, offset: message.offset });
    },
  });
  return latest;
}

function utcOrNull(value: string | null): string | null {
  if (value === null) return null;
  try {
    return toUtcInstant(value);
  } catch {
    return null;
  }
}

export interface RawCounts {
  source: number;
  raw: number;
  missing: number;
  differing: number;
  extra: number;
}

/**
 * Level 1 — sources → raw log: the latest raw value per key equals the source's current record
 * (HR/ERP: the simulators' ground truth; payroll: the tables after the column policy).
 * Level 2 — raw log → PostgreSQL: every row equals what the shipped mappings and merge policies
 * (the pipeline's own pure functions) make of the latest raw records, with their real metadata.
 * Together: PostgreSQL equals the sources. Missing = a live entity without its live row;
 * regressed = a row whose data differs from the latest content; duplicated = two live rows with
 * one business key; extra = a live row no live raw record explains. The DLQ must hold only
 * records the mappings reject.
 */
export async function reconcile(input: ReconcileInput): Promise<ReconcileReport> {
  const examples: string[] = [];
  const example = (text: string): void => {
    if (examples.length < 20) examples.push(text);
  };
  const context = await mappingContext(input);
  const raw: Record<string, RawCounts> = {};
  const rawProblemKeys: ReconcileReport['rawProblemKeys'] = {};
  const unreconciled: string[] = [];
  const latestByTopic = new Map<string, Map<string, LatestRaw>>();
  const latest = async (topic: string): Promise<Map<string, LatestRaw>> => {
    let found = latestByTopic.get(topic);
    if (!found) {
      found = await latestOf(input.kafka, topic);
      latestByTopic.set(topic, found);
    }
    return found;
  };

  // Level 1: HR and ERP streams against the simulators' truth.
  for (const name of Object.keys(sourceFactories)) {
    const definition = connectorFor(name, input.env);
    for (const stream of definition.streams) {
      if (stream.deleteSignal) continue;
      const topic = rawTopicOf(definition, stream);
      const truth = await input.truth(name, resourceOf(stream.name));
      if (!truth) {
        unreconciled.push(topic);
        continue;
      }
      const view = await latest(topic);
      const prefix = `${definition.source.instance}/${stream.name}/`;
      const counts: RawCounts = { source: truth.records.length, raw: 0, missing: 0, differing: 0, extra: 0 };
      const expectedKeys = new Set<string>();
      const problemKeys: { key: string; sourceUpdatedAt?: string }[] = [];
      const problem = (key: string, record?: unknown): void => {
        if (problemKeys.length >= 10) return;
        const updated = record && stream.cursor ? getPath(record, stream.cursor.field) : undefined;
        problemKeys.push({
          key,
          ...(updated === undefined || updated === null ? {} : { sourceUpdatedAt: String(updated) }),
        });
      };
      for (const record of truth.records) {
        const key = `${prefix}${naturalKeyOf(record, stream.naturalKey)}`;
        expectedKeys.add(key);
        const found = view.get(key);
        if (!found) {
          counts.missing++;
          example(`raw missing ${key}`);
          problem(key, record);
        } else if (canonicalJson(found.envelope.payload) !== canonicalJson(record)) {
          counts.differing++;
          example(`raw differs ${key}`);
          problem(key, record);
        }
      }
      for (const key of view.keys()) {
        if (!key.startsWith(prefix)) continue;
        counts.raw++;
        if (!expectedKeys.has(key)) {
          counts.extra++;
          example(`raw extra ${key}`);
          problem(key);
        }
      }
      if (problemKeys.length > 0) rawProblemKeys[topic] = problemKeys;
      raw[topic] = counts;
    }
  }
  // Level 1: payroll tables against their raw topics.
  if (input.payroll) Object.assign(raw, await reconcilePayroll(input.payroll, latest, example));

  // Level 2: expected canonical data from the latest raw records.
  const fragmentsById = new Map<string, { entity: string; fragments: Fragment[] }>();
  let deliberatelyBad = 0;
  for (const mapping of mappings) {
    for (const topic of mapping.topics) {
      const view = await latest(topic);
      for (const { envelope, partition, offset } of view.values()) {
        let mapped: MappedFragment[];
        try {
          mapped = runMapping(mapping, envelope, context);
        } catch {
          deliberatelyBad++;
          continue;
        }
        for (const fragment of mapped) {
          const id = canonicalId(fragment.entity, fragment.businessKey);
          const entry = fragmentsById.get(id) ?? { entity: fragment.entity, fragments: [] };
          entry.fragments.push({
            entity: fragment.entity,
            canonicalId: id,
            businessKey: fragment.businessKey,
            sourceSystem: envelope.sourceSystem,
            sourceInstance: envelope.sourceInstance,
            sourceRecordKey: `${envelope.sourceInstance}/${envelope.stream}/${envelope.naturalKey}`,
            rawTopic: topic,
            rawPartition: partition,
            rawOffset: offset,
            observedAt: envelope.observedAt,
            sourceUpdatedAt: utcOrNull(envelope.sourceUpdatedAt),
            mapping: mappingRef(mapping),
            fields: fragment.fields,
          });
          fragmentsById.set(id, entry);
        }
      }
    }
  }
  const expected = new Map<string, ExpectedEntity>();
  for (const [id, { entity, fragments }] of fragmentsById) {
    const policy = mergePolicies[entity] ?? { fields: {}, defaultRule: { strategy: 'most-recent' as const } };
    expected.set(id, { entity, data: mergeFragments(fragments, policy).data });
  }

  const entities: Record<string, EntityCounts> = {};
  const client = new pg.Client({ connectionString: input.databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const spec of entityTables) {
      const wanted = [...expected].filter(([, value]) => value.entity === spec.entity);
      const { rows } = await client.query<{
        id: string;
        version: string;
        data: Record<string, unknown>;
        deleted: boolean;
      }>(
        `SELECT id::text, version::text, data, deleted_at IS NOT NULL AS deleted FROM ${pg.escapeIdentifier(spec.table)}`,
      );
      if (wanted.length === 0 && rows.length === 0) continue;
      const byId = new Map(rows.map((row) => [row.id, row]));
      const counts: EntityCounts = {
        expected: wanted.length,
        rows: rows.length,
        missing: 0,
        duplicated: 0,
        regressed: 0,
        extra: 0,
      };
      for (const [id, value] of wanted) {
        const row = byId.get(id);
        if (!row || row.deleted) {
          counts.missing++;
          example(`missing ${spec.entity} ${id} ${JSON.stringify(value.data).slice(0, 120)}`);
        } else if (!sameData(row.data, value.data)) {
          counts.regressed++;
          const fields = [...new Set([...Object.keys(row.data), ...Object.keys(value.data)])].filter(
            (field) => !sameData(row.data[field] ?? null, value.data[field] ?? null),
          );
          example(
            `regressed ${spec.entity} ${id} (${String(value.data[keyFieldsOf(spec.entity)[0] ?? 'id'] ?? '')}, row version ${row.version}): ${fields
              .map(
                (field) =>
                  `${field}: row ${JSON.stringify(row.data[field] ?? null)} ≠ expected ${JSON.stringify(value.data[field] ?? null)}`,
              )
              .join('; ')
              .slice(0, 600)}`,
          );
        }
      }
      for (const row of rows) {
        if (!row.deleted && !expected.has(row.id)) {
          counts.extra++;
          example(`extra ${spec.entity} ${row.id} ${JSON.stringify(row.data).slice(0, 120)}`);
        }
      }
      // One business key, one live row.
      const keyFields = keyFieldsOf(spec.entity);
      const seenKeys = new Map<string, number>();
      for (const row of rows) {
        if (row.deleted || keyFields.length === 0) continue;
        const key = canonicalJson(keyFields.map((field) => row.data[field]));
        seenKeys.set(key, (seenKeys.get(key) ?? 0) + 1);
      }
      for (const [key, n] of seenKeys)
        if (n > 1) {
          counts.duplicated++;
          example(`duplicated ${spec.entity} ${key} ×${n}`);
        }
      entities[spec.entity] = counts;
    }
  } finally {
    await client.end();
  }

  const dlq = await checkDeadLetters(input.kafka, context, example);
  const ok =
    Object.values(raw).every((c) => c.missing + c.differing + c.extra === 0) &&
    Object.values(entities).every((c) => c.missing + c.duplicated + c.regressed + c.extra === 0) &&
    dlq.processorUnexpected === 0 &&
    dlq.sink === 0;
  return {
    raw,
    entities,
    deliberatelyBad,
    dlq,
    unreconciledTopics: unreconciled,
    examples,
    rawProblemKeys,
    ok,
  };
}

/** Parses an ERP exchange-rate record the way the map stage's FX feed does. */
type FxFields = (payload: unknown) => { base: string; quote: string; date: string; rate: string };

/**
 * The FX table the map stage holds once every source rate is read. Loaded by module path at run
 * time: the FX feed is newer than some checkouts of this harness, which then reconcile without it.
 */
async function mappingContext(input: ReconcileInput): Promise<MappingContextLike> {
  const fx = new FxRateTable();
  const crosswalk = new Crosswalk();
  // Every link the map stage's crosswalk feed learns: the whole raw log of each crosswalk topic,
  // deletes included (a pay rate removed with its employee still resolves).
  for (const definition of crosswalks) {
    await readTopicToEnd({
      kafka: input.kafka,
      topic: definition.topic,
      onMessage: (message) => {
        if (message.value === null) return;
        try {
          crosswalk.learn(definition, JSON.parse(message.value.toString('utf8')) as RawEnvelope);
        } catch {
          // an unreadable linking record is dead-lettered by the pipeline as well
        }
      },
    });
  }
  const context = { fx, reportingCurrency: input.env['REPORTING_CURRENCY'] ?? 'USD', crosswalk };
  const modulePath = '../../processors/mappings/erpFxRates.js';
  let parse: FxFields | undefined;
  try {
    parse = ((await import(modulePath)) as { erpFxRateFields?: FxFields }).erpFxRateFields;
  } catch {
    parse = undefined;
  }
  const truth = parse ? await input.truth('erp', resourceOf('fx_rates')) : undefined;
  for (const record of truth?.records ?? []) {
    try {
      const rate = parse?.(record);
      if (rate)
        fx.add({ base: rate.base, quote: rate.quote, rate: rate.rate, date: rate.date, source: 'erp' });
    } catch {
      // an unreadable rate is dead-lettered by the pipeline as well
    }
  }
  return context;
}

/**
 * Every processor DLQ entry must be a record the mapping rejects: re-read the original raw record
 * at the offset named in its headers and map it again; it must fail. The sink DLQ must be empty.
 */
async function checkDeadLetters(
  kafka: Kafka,
  context: MappingContextLike,
  example: (text: string) => void,
): Promise<ReconcileReport['dlq']> {
  const entries: { topic: string; partition: number; offset: string }[] = [];
  const headerError = new Map<string, string>();
  await readTopicToEnd({
    kafka,
    topic: 'dlq.processor',
    onMessage: (message) => {
      const header = (name: string): string => message.headers?.[name]?.toString() ?? '';
      headerError.set(
        `${header('tributary.dlq.original-topic')}/${header('tributary.dlq.original-partition')}/${header('tributary.dlq.original-offset')}`,
        header('tributary.dlq.error').slice(0, 200),
      );
      entries.push({
        topic: header('tributary.dlq.original-topic'),
        partition: Number(header('tributary.dlq.original-partition')),
        offset: header('tributary.dlq.original-offset'),
      });
    },
  });
  let unexpected = 0;
  const byTopic = new Map<string, typeof entries>();
  for (const entry of entries) byTopic.set(entry.topic, [...(byTopic.get(entry.topic) ?? []), entry]);
  for (const [topic, list] of byTopic) {
    const wanted = new Set(list.map((entry) => `${entry.partition}/${entry.offset}`));
    const mapping = mappings.find((candidate) => candidate.topics.includes(topic));
    const found = new Set<string>();
    await readTopicToEnd({
      kafka,
      topic,
      onMessage: (message, partition) => {
        const at = `${partition}/${message.offset}`;
        if (!wanted.has(at)) return;
        found.add(at);
        const envelope = message.value
          ? (JSON.parse(message.value.toString('utf8')) as RawEnvelope)
          : undefined;
        let rejected = false;
        try {
          if (!mapping || !envelope) rejected = true;
          else runMapping(mapping, envelope, context);
        } catch {
          rejected = true;
        }
        if (!rejected) {
          unexpected++;
          example(
            `DLQ holds a mappable record ${topic} ${at} ${envelope?.naturalKey ?? ''}: ${headerError.get(`${topic}/${at}`) ?? ''}`,
          );
        }
      },
    });
    for (const at of wanted)
      if (!found.has(at)) {
        unexpected++;
        example(`DLQ entry points at a missing raw record ${topic} ${at}`);
      }
  }
  let sink = 0;
  await readTopicToEnd({ kafka, topic: 'dlq.sink', onMessage: () => void sink++ });
  return { processor: entries.length, processorUnexpected: unexpected, sink };
}

/** Payroll (CDC): the raw topics' latest value per key equals the source tables. */
async function reconcilePayroll(
  payroll: NonNullable<ReconcileInput['payroll']>,
  latest: (topic: string) => Promise<Map<string, LatestRaw>>,
  example: (text: string) => void,
): Promise<Record<string, RawCounts>> {
  const out: Record<string, RawCounts> = {};
  const client = new pg.Client({ connectionString: payroll.url, types: rawTextTypes });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const table of payroll.tables) {
      const keyColumn = keyColumnOfPayroll[table] ?? 'id';
      const policy = new ColumnPolicy();
      const { rows } = await client.query<Record<string, string | null>>(`SELECT * FROM ${table}`);
      const prefix = `${payroll.instance}/${table}/`;
      const source = new Map(
        rows.map((row) => [`${prefix}${row[keyColumn]}`, canonicalJson(policy.apply(row, [keyColumn]))]),
      );
      const topic = `raw.${payroll.source}.${table}`;
      const view = await latest(topic);
      const counts: RawCounts = { source: source.size, raw: 0, missing: 0, differing: 0, extra: 0 };
      for (const [key, value] of source) {
        const found = view.get(key);
        if (!found) {
          counts.missing++;
          example(`payroll missing ${key}`);
        } else if (canonicalJson(found.envelope.payload) !== value) {
          counts.differing++;
          example(`payroll differs ${key}`);
        }
      }
      for (const key of view.keys()) {
        if (!key.startsWith(prefix)) continue;
        counts.raw++;
        if (!source.has(key)) {
          counts.extra++;
          example(`payroll extra ${key}`);
        }
      }
      out[topic] = counts;
    }
  } finally {
    await client.end();
  }
  return out;
}
