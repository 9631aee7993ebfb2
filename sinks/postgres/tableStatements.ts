import pg from 'pg';
import type { DeleteRecord, UpsertRecord } from './sinkRecord.js';
import type { ChildTableSpec, ColumnValue, EntityTableSpec } from './specs/entityTableSpec.js';
import { createStagingTable, type StagingTable } from './stagingTable.js';
import { versionGuardedUpsert } from './versionGuardedUpsert.js';

/**
 * Set-based SQL for one entity table, built once from its spec. Identifiers are quoted with
 * pg.escapeIdentifier; every value travels as a parameter (one array per column, `unnest`ed).
 */
export interface Statement {
  text: string;
  values: unknown[];
}

export interface TableStatements {
  /** The write path for upserts: COPY into a staging table, then a guarded merge. */
  staging: StagingTable;
  /**
   * INSERT … ON CONFLICT DO UPDATE from `unnest`ed arrays, guarded by version; RETURNING the ids
   * that landed. The sink writes through `staging`; this stays for the benchmark's comparison.
   */
  upsert(records: readonly UpsertRecord[]): Statement;
  /** Soft delete guarded by source position; RETURNING the ids deleted. */
  softDelete(records: readonly DeleteRecord[]): Statement;
  /** Per child table: remove the lines of the parents that landed, insert their new lines. */
  replaceChildren(records: readonly UpsertRecord[]): Statement[];
}

const q = pg.escapeIdentifier;

function columnArrays(
  columns: readonly { extract: (data: Record<string, unknown>) => ColumnValue | undefined }[],
  rows: readonly Record<string, unknown>[],
): ColumnValue[][] {
  return columns.map((column) => rows.map((row) => column.extract(row) ?? null));
}

export function createTableStatements(spec: EntityTableSpec): TableStatements {
  const table = q(spec.table);
  const typed = spec.columns;
  const systemCols = [
    ['id', 'uuid'],
    ['version', 'bigint'],
    ['data', 'jsonb'],
    ['provenance', 'jsonb'],
    ['mapping_versions', 'jsonb'],
    ['canonical_updated_at', 'timestamptz'],
    ['source_offset', 'bigint'],
  ] as const;
  const allCols = [...systemCols.map(([name, type]) => ({ name, type })), ...typed];
  // $1 = topic, $2 = partition; then one array per column.
  const unnestArgs = allCols.map((column, index) => `$${index + 3}::${column.type}[]`).join(', ');
  const alias = allCols.map((column) => q(column.name)).join(', ');
  const selectExprs = [
    'u.id',
    'u.version',
    'u.data',
    'u.provenance',
    'ARRAY(SELECT jsonb_array_elements_text(u.mapping_versions))',
    'u.canonical_updated_at',
    '$1::text',
    '$2::integer',
    'u.source_offset',
    ...typed.map((column) => `u.${q(column.name)}`),
  ];
  const upsertText = versionGuardedUpsert(spec, selectExprs, `unnest(${unnestArgs}) AS u(${alias})`, true);

  // A tombstone has no version; it applies to a row last written from an earlier offset of the
  // same partition (keys never change partition), or from another partition/topic (repartition).
  const deleteText =
    `UPDATE ${table} AS t SET "deleted_at" = COALESCE(t."deleted_at", now()), "updated_at" = now(), ` +
    `"source_topic" = $1::text, "source_partition" = $2::integer, "source_offset" = d.off ` +
    `FROM unnest($3::uuid[], $4::bigint[]) AS d(id, off) ` +
    `WHERE t."id" = d.id AND (t."source_topic" <> $1::text OR t."source_partition" <> $2::integer OR t."source_offset" < d.off) ` +
    `RETURNING t."id"`;

  const childStatements = spec.children.map((child) => childStatementsFor(child));

  return {
    staging: createStagingTable(spec),
    upsert(records) {
      const values: unknown[] = [records[0]?.topic ?? '', records[0]?.partition ?? 0];
      values.push(records.map((r) => r.key));
      values.push(records.map((r) => String(r.value.version)));
      values.push(records.map((r) => JSON.stringify(r.value.data)));
      values.push(records.map((r) => JSON.stringify(r.value.provenance)));
      values.push(records.map((r) => JSON.stringify(r.value.mappingVersions)));
      values.push(records.map((r) => r.value.updatedAt));
      values.push(records.map((r) => r.offset.toString()));
      values.push(
        ...columnArrays(
          typed,
          records.map((r) => r.value.data),
        ),
      );
      return { text: upsertText, values };
    },
    softDelete(records) {
      return {
        text: deleteText,
        values: [
          records[0]?.topic ?? '',
          records[0]?.partition ?? 0,
          records.map((r) => r.key),
          records.map((r) => r.offset.toString()),
        ],
      };
    },
    replaceChildren(records) {
      return childStatements.flatMap((build) => build(records));
    },
  };
}

function childStatementsFor(child: ChildTableSpec): (records: readonly UpsertRecord[]) => Statement[] {
  const table = q(child.table);
  const cols = [
    { name: child.parentColumn, type: 'uuid' },
    { name: child.positionColumn, type: 'integer' },
    ...child.columns,
  ];
  const deleteText = `DELETE FROM ${table} WHERE ${q(child.parentColumn)} = ANY($1::uuid[])`;
  const insertText =
    `INSERT INTO ${table} (${cols.map((c) => q(c.name)).join(', ')}) ` +
    `SELECT * FROM unnest(${cols.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})`;
  return (records) => {
    if (records.length === 0) return [];
    const parents: string[] = [];
    const positions: number[] = [];
    const rows: Record<string, unknown>[] = [];
    for (const record of records) {
      child.rows(record.value.data).forEach((row, index) => {
        parents.push(record.key);
        positions.push(index);
        rows.push(row);
      });
    }
    const statements: Statement[] = [{ text: deleteText, values: [records.map((r) => r.key)] }];
    if (rows.length > 0) {
      statements.push({
        text: insertText,
        values: [parents, positions, ...columnArrays(child.columns, rows)],
      });
    }
    return statements;
  };
}
