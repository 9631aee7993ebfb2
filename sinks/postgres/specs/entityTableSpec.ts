/**
 * How one canonical entity lands in PostgreSQL. Adding an entity is a spec (this shape) plus a
 * migration creating the table; the writer builds every statement from the spec, so no entity
 * has hand-written SQL.
 */

/** The PostgreSQL types a typed column may have; the writer casts arrays of them with `::<type>[]`. */
export type PgColumnType =
  | 'text'
  | 'uuid'
  | 'bigint'
  | 'integer'
  | 'numeric'
  | 'boolean'
  | 'date'
  | 'timestamptz'
  | 'jsonb';

/** A value handed to the driver: strings for numerics/dates/timestamps (never floats for money). */
export type ColumnValue = string | number | boolean | null;

export interface ColumnSpec {
  /** Column name in the table (quoted when used). */
  name: string;
  type: PgColumnType;
  /** Reads the column value from the record's `data`; undefined and missing become NULL. */
  extract: (data: Record<string, unknown>) => ColumnValue | undefined;
}

export interface ChildTableSpec {
  /** e.g. `invoice_line`. */
  table: string;
  /** Column holding the parent's canonical id. */
  parentColumn: string;
  /** Column holding the position of the child in the parent's array (part of the primary key). */
  positionColumn: string;
  /** The child records inside the parent's data (e.g. `data.lines`). */
  rows: (data: Record<string, unknown>) => readonly Record<string, unknown>[];
  columns: readonly ColumnSpec[];
}

export interface EntityTableSpec {
  /** Canonical entity name as in `canonical.<entity>` and the record's `entity` field. */
  entity: string;
  /** Table name (quoted when used). */
  table: string;
  columns: readonly ColumnSpec[];
  /** Child tables whose rows are replaced whenever a new parent version lands. */
  children: readonly ChildTableSpec[];
}

/** The bookkeeping columns every entity table has, after `id`; typed columns follow them. */
export const systemColumns = [
  'version',
  'data',
  'provenance',
  'mapping_versions',
  'canonical_updated_at',
  'source_topic',
  'source_partition',
  'source_offset',
] as const;

export function canonicalTopic(entity: string): string {
  return `canonical.${entity}`;
}
