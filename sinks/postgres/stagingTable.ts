import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { TributaryError } from '../../platform/errors.js';
import { copyField, hasNul, pgTextArrayLiteral } from './copyText.js';
import type { UpsertRecord } from './sinkRecord.js';
import type { EntityTableSpec } from './specs/entityTableSpec.js';
import type { Statement } from './tableStatements.js';
import { versionGuardedUpsert } from './versionGuardedUpsert.js';

/**
 * The sink's write path for upserts: rows are COPYed into a per-connection temporary staging
 * table and merged with one `INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE version <` per
 * range of rows. COPY is several times cheaper per row than binding arrays for `unnest`
 * (measured in bench/sink). Every staging column is text and the casts happen in the merge, so
 * a bad value never fails the COPY (which could not say which row was bad): it fails the merge,
 * and the merge can be retried on a smaller ordinal range to isolate the row (bisect).
 * The staging table is `ON COMMIT DELETE ROWS`, created once per connection, outside any
 * transaction (a CREATE inside a transaction that rolls back would vanish again).
 */
export interface StagingTable {
  /** Creates the temp table on this connection unless this object already did. */
  ensure(client: pg.ClientBase): Promise<void>;
  /**
   * COPYs `records` into the staging table with ordinals from `firstOrdinal` on. Records with a
   * value COPY cannot carry (NUL) are returned instead of staged, with their error.
   */
  copy(
    client: pg.ClientBase,
    records: readonly UpsertRecord[],
    firstOrdinal: number,
  ): Promise<{ staged: UpsertRecord[]; unstageable: { record: UpsertRecord; error: TributaryError }[] }>;
  /** Merges the staged ordinals [from, to) into the entity table; RETURNING the landed ids when there are child tables. */
  merge(topic: string, partition: number, from: number, to: number): Statement;
  /** Whether merge() returns the landed ids (needed for child rows) or just a row count. */
  readonly returnsIds: boolean;
}

const q = pg.escapeIdentifier;
/** Rows per chunk written to the COPY stream: big enough to amortise, small enough to stay cheap. */
const COPY_CHUNK_ROWS = 500;

export function createStagingTable(spec: EntityTableSpec): StagingTable {
  const stage = q(`sink_stage_${spec.table}`);
  const typed = spec.columns;
  const stageCols = [
    'ord',
    'id',
    'version',
    'data',
    'provenance',
    'mapping_versions',
    'canonical_updated_at',
    'source_offset',
    ...typed.map((column) => `c_${column.name}`),
  ];
  const createSql =
    `CREATE TEMP TABLE IF NOT EXISTS ${stage} (` +
    stageCols.map((name, index) => `${q(name)} ${index === 0 ? 'integer' : 'text'}`).join(', ') +
    ') ON COMMIT DELETE ROWS';
  const copySql = `COPY ${stage} (${stageCols.map(q).join(', ')}) FROM STDIN`;
  const selectExprs = [
    's.id::uuid',
    's.version::bigint',
    's.data::jsonb',
    's.provenance::jsonb',
    's.mapping_versions::text[]',
    's.canonical_updated_at::timestamptz',
    '$1::text',
    '$2::integer',
    's.source_offset::bigint',
    ...typed.map((column) => `s.${q(`c_${column.name}`)}::${column.type}`),
  ];
  const returnsIds = spec.children.length > 0;
  const mergeText = versionGuardedUpsert(
    spec,
    selectExprs,
    `${stage} AS s WHERE s.ord >= $3 AND s.ord < $4`,
    returnsIds,
  );
  const prepared = new WeakSet<pg.ClientBase>();

  function line(record: UpsertRecord, ordinal: number): string | TributaryError {
    const value = record.value;
    const typedValues = typed.map((column) => {
      const extracted = column.extract(value.data);
      return extracted === undefined || extracted === null ? null : String(extracted);
    });
    const bad = typedValues.findIndex(hasNul);
    if (bad >= 0) {
      return new TributaryError(
        'DATABASE_REJECTED',
        `column ${typed[bad]?.name} of ${spec.table}: text cannot contain NUL (0x00)`,
        { retryable: false, details: { sqlstate: '22021' } },
      );
    }
    const fields = [
      String(ordinal),
      record.key,
      String(value.version),
      JSON.stringify(value.data),
      JSON.stringify(value.provenance),
      pgTextArrayLiteral(value.mappingVersions),
      value.updatedAt,
      record.offset.toString(),
      ...typedValues,
    ];
    let text = '';
    for (let index = 0; index < fields.length; index++) {
      if (index > 0) text += '\t';
      text += copyField(fields[index] ?? null);
    }
    return `${text}\n`;
  }

  return {
    returnsIds,
    async ensure(client) {
      if (prepared.has(client)) return;
      await client.query(createSql);
      prepared.add(client);
    },
    async copy(client, records, firstOrdinal) {
      const staged: UpsertRecord[] = [];
      const unstageable: { record: UpsertRecord; error: TributaryError }[] = [];
      const chunks: string[] = [];
      let chunk = '';
      let rowsInChunk = 0;
      for (const record of records) {
        const text = line(record, firstOrdinal + staged.length);
        if (typeof text !== 'string') {
          unstageable.push({ record, error: text });
          continue;
        }
        staged.push(record);
        chunk += text;
        if (++rowsInChunk === COPY_CHUNK_ROWS) {
          chunks.push(chunk);
          chunk = '';
          rowsInChunk = 0;
        }
      }
      if (chunk !== '') chunks.push(chunk);
      if (staged.length > 0) {
        await pipeline(Readable.from(chunks, { objectMode: false }), client.query(copyFrom(copySql)));
      }
      return { staged, unstageable };
    },
    merge(topic, partition, from, to) {
      return { text: mergeText, values: [topic, partition, from, to] };
    },
  };
}
