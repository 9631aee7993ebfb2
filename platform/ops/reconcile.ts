import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { canonicalIdOfFragmentKey } from '../../processors/fragment.js';
import { selectEntityTables } from '../../sinks/postgres/specs/entityTables.js';
import { fragmentsTopic } from '../declaredTopics.js';
import { errorMessage } from '../errors.js';
import { diffKeys, setChecksum } from './reconcileDiff.js';
import { exportReconcileMetrics } from './reconcileMetrics.js';
import {
  type RawLiveRecord,
  type RawLiveRecords,
  readCanonicalLive,
  readDeadLetterOrigins,
  readPostgresLive,
  readRawLive,
} from './reconcileReaders.js';
import type { SourceRecord, SourceTruth } from './reconcileSources.js';
import { expectedCanonicalId, type ReconcileStream, reconcileStreams } from './reconcileStreams.js';

/**
 * Stages as metric labels. Stream-level rows (`source`, `raw`) use `<source>.<stream>` as the
 * entity label (e.g. `hr.workers`); entity-level rows (`expected`, `canonical`, `postgres`)
 * use the canonical entity (e.g. `employee`).
 */
export type ReconcileStage = 'source' | 'raw' | 'expected' | 'canonical' | 'postgres';

const stageOrder: readonly ReconcileStage[] = ['source', 'raw', 'expected', 'canonical', 'postgres'];

export type DriftKind = 'missing' | 'extra' | 'content_mismatch' | 'version_mismatch' | 'unmappable';

export interface StageFigures {
  entity: string;
  stage: ReconcileStage;
  /** Topic, table, source instance… what was read. */
  where: string;
  /** Live records; null when the stage was not checked (see note). */
  records: number | null;
  /** setChecksum over (key, content hash | version); null when not comparable. */
  checksum: string | null;
  note?: string;
}

/** One kind of difference between a stage and the stage it is checked against. */
export interface DriftFinding {
  entity: string;
  stage: ReconcileStage;
  /** The reference stage. */
  against: ReconcileStage;
  kind: DriftKind;
  count: number;
  /** The first keys (sorted): natural keys for source/raw, canonical ids otherwise. */
  sample: string[];
}

/** Records absent downstream because a stage dead-lettered them on purpose: reported, not drift. */
export interface DeadLetterFinding {
  entity: string;
  stage: ReconcileStage;
  count: number;
  sample: string[];
}

export interface ReconcileReport {
  generatedAt: string;
  /** True when every checked comparison found no drift (dead letters do not count). */
  ok: boolean;
  figures: StageFigures[];
  /** Every comparison made, zero counts included (so gauges are reset to 0 when drift clears). */
  drift: DriftFinding[];
  deadLettered: DeadLetterFinding[];
  notes: string[];
}

export interface ReconcileOptionsInput {
  kafka: Kafka;
  /** The sink's database; without it the postgres stage is "not checked". */
  db?: pg.Pool;
  /**
   * Only these entities, and (with the default streams) only the streams feeding them; [] checks
   * streams only. @default every entity table and every stream
   */
  entities?: readonly string[];
  /** Sources whose truth can be read (simulators, the payroll database). Others: "not checked". */
  sources?: readonly SourceTruth[];
  /** Exactly these streams (not filtered by `entities`). @default reconcileStreams(process.env) */
  streams?: readonly ReconcileStream[];
  /** @default `canonical.<entity>` */
  canonicalTopicOf?: (entity: string) => string;
  /** @default `_tributary.fragments.<entity>` (merge-stage dead letters name it as their origin) */
  fragmentsTopicOf?: (entity: string) => string;
  /** @default the sink table spec's table name */
  tableOf?: (entity: string) => string;
  /** @default ['dlq.processor', 'dlq.sink'] (absent topics are skipped) */
  dlqTopics?: readonly string[];
  /** Keys listed per difference. @default 10 */
  sampleSize?: number;
  /** Gauges tributary_reconcile_* are set on it when given. */
  metrics?: Registry;
  now?: () => Date;
}

interface EntityExpectation {
  /** Expected canonical id → raw keys (`<instance>/<stream>/<naturalKey>`) of the records behind it. */
  ids: Map<string, string[]>;
  /** Canonical id → raw keys (with their topic) deleted in the raw log that had that id. */
  deleted: Map<string, { topic: string; rawKey: string }[]>;
  unmappable: { rawKey: string; error: string }[];
  from: string[];
}

const deadKey = (topic: string, key: string): string => `${topic}\u0000${key}`;

/**
 * Counts and checksums every stage, per entity and source, and lists the differences:
 * raw vs source (same keys, same payload hash), canonical vs the ids the source (or, where the
 * source is not readable, the raw log) implies, PostgreSQL vs canonical (same live ids, same
 * version per id). Dead-lettered records are reported separately, not as missing.
 *
 * The stages are read one after another, not at one instant: on a running pipeline records in
 * flight show as transient drift; on a quiescent one every difference is real.
 */
export async function reconcile(options: ReconcileOptionsInput): Promise<ReconcileReport> {
  const now = options.now ?? (() => new Date());
  const sampleSize = options.sampleSize ?? 10;
  const canonicalTopicOf = options.canonicalTopicOf ?? ((entity: string) => `canonical.${entity}`);
  const fragmentsTopicOf = options.fragmentsTopicOf ?? fragmentsTopic;
  // selectEntityTables treats [] as "all"; here [] means "no entity-level checks" (streams only).
  const tables = options.entities?.length === 0 ? [] : selectEntityTables(options.entities);
  const tableOf =
    options.tableOf ?? ((entity: string) => tables.find((t) => t.entity === entity)?.table ?? entity);
  const selected = new Set(tables.map((table) => table.entity));
  const streams = options.streams
    ? [...options.streams]
    : reconcileStreams().filter(
        (stream) => !options.entities?.length || (stream.entity !== undefined && selected.has(stream.entity)),
      );

  const figures: StageFigures[] = [];
  const drift: DriftFinding[] = [];
  const deadLettered: DeadLetterFinding[] = [];
  const notes: string[] = [];
  const finding = (
    entity: string,
    stage: ReconcileStage,
    against: ReconcileStage,
    kind: DriftKind,
    keys: readonly string[],
  ): void => {
    drift.push({ entity, stage, against, kind, count: keys.length, sample: keys.slice(0, sampleSize) });
  };

  const admin = options.kafka.admin();
  await admin.connect();
  let present: Set<string>;
  try {
    present = new Set(await admin.listTopics());
  } finally {
    await admin.disconnect().catch(() => undefined);
  }

  // Dead letters first: they decide whether an absent record is "missing" or "dead-lettered".
  const dlqTopics = (options.dlqTopics ?? ['dlq.processor', 'dlq.sink']).filter((topic) =>
    present.has(topic),
  );
  const dead = new Set<string>();
  for (const origin of await readDeadLetterOrigins(options.kafka, dlqTopics))
    dead.add(deadKey(origin.originTopic, origin.key));

  const expectations = new Map<string, EntityExpectation>();
  const expectationOf = (entity: string): EntityExpectation => {
    const expectation = expectations.get(entity) ?? {
      ids: new Map(),
      deleted: new Map(),
      unmappable: [],
      from: [],
    };
    expectations.set(entity, expectation);
    return expectation;
  };
  const expect = (entity: string, rawKey: string, id: string | undefined, keyError: string | undefined) => {
    const expectation = expectationOf(entity);
    if (id === undefined) {
      expectation.unmappable.push({ rawKey, error: keyError ?? 'no canonical id' });
      return;
    }
    const origins = expectation.ids.get(id);
    if (origins) origins.push(rawKey);
    else expectation.ids.set(id, [rawKey]);
  };

  // Stream level: source vs raw, and the canonical ids each stream implies.
  for (const stream of streams) {
    const label = `${stream.source}.${stream.stream}`;
    let live: RawLiveRecords = new Map();
    if (present.has(stream.rawTopic)) {
      const read = await readRawLive(options.kafka, stream.rawTopic, new Map([[stream.stream, stream]]));
      live = read.live;
      if (stream.entity) {
        const deleted = expectationOf(stream.entity).deleted;
        for (const [rawKey, id] of read.deletedIds)
          deleted.set(id, [...(deleted.get(id) ?? []), { topic: stream.rawTopic, rawKey }]);
      }
      if (read.unknownKeys > 0 && !streams.some((s) => s !== stream && s.rawTopic === stream.rawTopic))
        notes.push(`${stream.rawTopic}: ${read.unknownKeys} live keys of no known stream`);
    }
    const truths = new Map<
      string,
      { truth: SourceTruth; records: Map<string, SourceRecord> | undefined; error?: string }
    >();
    for (const truth of options.sources ?? []) {
      if (truth.source !== stream.source) continue;
      try {
        truths.set(truth.instance, { truth, records: await truth.records(stream) });
      } catch (error) {
        truths.set(truth.instance, { truth, records: undefined, error: errorMessage(error) });
      }
    }
    const instances = [...new Set([...live.keys(), ...truths.keys()])].sort();
    if (instances.length === 0) {
      figures.push({
        entity: label,
        stage: 'raw',
        where: stream.rawTopic,
        records: present.has(stream.rawTopic) ? 0 : null,
        checksum: null,
        note: present.has(stream.rawTopic) ? 'no live records' : 'topic absent',
      });
    }
    for (const instance of instances) {
      const raw = live.get(instance)?.get(stream.stream) ?? new Map<string, RawLiveRecord>();
      const rawHashes = new Map([...raw].map(([key, record]) => [key, record.contentHash]));
      figures.push({
        entity: label,
        stage: 'raw',
        where: `${stream.rawTopic} (${instance})`,
        records: present.has(stream.rawTopic) ? raw.size : null,
        checksum: setChecksum(rawHashes),
        ...(present.has(stream.rawTopic) ? {} : { note: 'topic absent' }),
      });
      const truth = truths.get(instance);
      const rawKey = (naturalKey: string) => `${instance}/${stream.stream}/${naturalKey}`;
      if (truth?.records) {
        const withHashes = [...truth.records.values()].every((record) => record.contentHash !== null);
        figures.push({
          entity: label,
          stage: 'source',
          where: `${truth.truth.where} (${instance}/${stream.truthResource})`,
          records: truth.records.size,
          checksum: withHashes
            ? setChecksum([...truth.records].map(([key, record]) => [key, record.contentHash ?? ''] as const))
            : null,
          ...(withHashes ? {} : { note: 'keys only: payload hashes not comparable' }),
        });
        const reference = new Map([...truth.records].map(([key, record]) => [key, record.contentHash]));
        const diff = diffKeys(reference, rawHashes);
        finding(label, 'raw', 'source', 'missing', diff.missing);
        finding(label, 'raw', 'source', 'extra', diff.extra);
        if (withHashes) finding(label, 'raw', 'source', 'content_mismatch', diff.mismatched);
        if (stream.entity) {
          expectationOf(stream.entity).from.push(`source ${label} (${instance})`);
          for (const [naturalKey, record] of truth.records) {
            let id: string | undefined;
            let error: string | undefined;
            try {
              id = expectedCanonicalId(stream, naturalKey, () => record.payload);
            } catch (cause) {
              error = errorMessage(cause);
            }
            expect(stream.entity, rawKey(naturalKey), id, error);
          }
        }
      } else {
        figures.push({
          entity: label,
          stage: 'source',
          where: truth ? `${truth.truth.where} (${instance})` : instance,
          records: null,
          checksum: null,
          note: truth?.error
            ? `not checked: ${truth.error}`
            : truth
              ? `not checked: the source has no ${stream.truthResource}`
              : 'not checked: source truth not reachable (pass its URL)',
        });
        if (stream.entity) {
          expectationOf(stream.entity).from.push(`raw ${label} (${instance})`);
          for (const [naturalKey, record] of raw)
            expect(stream.entity, rawKey(naturalKey), record.canonicalId, record.keyError);
        }
      }
    }
  }

  // Entity level: expected ids vs canonical, canonical vs PostgreSQL.
  for (const table of tables) {
    const entity = table.entity;
    const topic = canonicalTopicOf(entity);
    const feeders = streams.filter((stream) => stream.entity === entity);
    const expectation = expectations.get(entity);
    const fragmentsTopicName = fragmentsTopicOf(entity);
    const mergeDead = new Set<string>();
    for (const key of dead) {
      const [origin, recordKey] = key.split('\u0000') as [string, string];
      if (origin === fragmentsTopicName) mergeDead.add(canonicalIdOfFragmentKey(recordKey));
    }

    const canonical = present.has(topic)
      ? await readCanonicalLive(options.kafka, topic)
      : { live: new Map<string, string>(), tombstoned: 0 };
    figures.push({
      entity,
      stage: 'canonical',
      where: topic,
      records: canonical.live.size,
      checksum: setChecksum(canonical.live),
      ...(present.has(topic) ? { note: `${canonical.tombstoned} tombstoned` } : { note: 'topic absent' }),
    });

    if (feeders.length === 0 || !expectation) {
      figures.push({
        entity,
        stage: 'expected',
        where: '-',
        records: null,
        checksum: null,
        note: 'not checked: no registered mapping feeds this entity',
      });
    } else {
      figures.push({
        entity,
        stage: 'expected',
        where: expectation.from.join(' ∪ ') || 'no live records',
        records: expectation.ids.size,
        checksum: setChecksum([...expectation.ids.keys()].map((id) => [id, ''] as const)),
      });
      const isDead = (id: string): boolean =>
        mergeDead.has(id) ||
        (expectation.ids.get(id) ?? []).some((rawKey) =>
          feeders.some((stream) => dead.has(deadKey(stream.rawTopic, rawKey))),
        );
      const diff = diffKeys(new Map([...expectation.ids.keys()].map((id) => [id, null])), canonical.live);
      const described = (id: string) => `${id} ← ${expectation.ids.get(id)?.[0] ?? '?'}`;
      finding(
        entity,
        'canonical',
        'expected',
        'missing',
        diff.missing.filter((id) => !isDead(id)).map(described),
      );
      // A live canonical id whose raw record was deleted, with the delete dead-lettered (an ERP
      // invoice delete without its vendor number, say): dead-lettered, not extra.
      const deleteDead = (id: string): boolean =>
        (expectation.deleted.get(id) ?? []).some(({ topic: rawTopic, rawKey }) =>
          dead.has(deadKey(rawTopic, rawKey)),
        );
      finding(
        entity,
        'canonical',
        'expected',
        'extra',
        diff.extra.filter((id) => !deleteDead(id)),
      );
      const unmappableDead = expectation.unmappable.filter(({ rawKey }) =>
        feeders.some((stream) => dead.has(deadKey(stream.rawTopic, rawKey))),
      );
      finding(
        entity,
        'canonical',
        'expected',
        'unmappable',
        expectation.unmappable
          .filter((entry) => !unmappableDead.includes(entry))
          .map(({ rawKey, error }) => `${rawKey}: ${error}`)
          .sort(),
      );
      const deadIds = [
        ...diff.missing.filter(isDead).map(described),
        ...diff.extra
          .filter(deleteDead)
          .map((id) => `${id} (delete of ${expectation.deleted.get(id)?.[0]?.rawKey ?? '?'} dead-lettered)`),
        ...unmappableDead.map(({ rawKey }) => rawKey).sort(),
      ];
      deadLettered.push({
        entity,
        stage: 'canonical',
        count: deadIds.length,
        sample: deadIds.slice(0, sampleSize),
      });
    }

    const tableName = tableOf(entity);
    const rows = options.db ? await readPostgresLive(options.db, tableName) : undefined;
    if (!rows) {
      figures.push({
        entity,
        stage: 'postgres',
        where: tableName,
        records: null,
        checksum: null,
        note: options.db ? 'not checked: table absent' : 'not checked: no database',
      });
      continue;
    }
    figures.push({
      entity,
      stage: 'postgres',
      where: tableName,
      records: rows.size,
      checksum: setChecksum(rows),
    });
    const sinkDead = (id: string): boolean => dead.has(deadKey(topic, id));
    const diff = diffKeys(canonical.live, rows);
    finding(
      entity,
      'postgres',
      'canonical',
      'missing',
      diff.missing.filter((id) => !sinkDead(id)),
    );
    finding(entity, 'postgres', 'canonical', 'extra', diff.extra);
    finding(
      entity,
      'postgres',
      'canonical',
      'version_mismatch',
      diff.mismatched
        .filter((id) => !sinkDead(id))
        .map((id) => `${id} (canonical v${canonical.live.get(id)}, postgres v${rows.get(id)})`),
    );
    const deadIds = [...diff.missing, ...diff.mismatched].filter(sinkDead).sort();
    deadLettered.push({
      entity,
      stage: 'postgres',
      count: deadIds.length,
      sample: deadIds.slice(0, sampleSize),
    });
  }

  if (dlqTopics.length === 0) notes.push('no DLQ topic present: nothing counted as dead-lettered');
  // Read order is not reading order: show each entity's stages upstream first.
  const firstSeen = new Map<string, number>();
  for (const [index, figure] of figures.entries())
    if (!firstSeen.has(figure.entity)) firstSeen.set(figure.entity, index);
  const rank = (figure: StageFigures) => stageOrder.indexOf(figure.stage);
  const report: ReconcileReport = {
    generatedAt: now().toISOString(),
    ok: drift.every((entry) => entry.count === 0),
    figures: figures.sort(
      (a, b) => (firstSeen.get(a.entity) ?? 0) - (firstSeen.get(b.entity) ?? 0) || rank(a) - rank(b),
    ),
    drift,
    deadLettered,
    notes,
  };
  if (options.metrics) exportReconcileMetrics(options.metrics, report);
  return report;
}
