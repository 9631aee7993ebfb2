import pg from 'pg';
import { type EntityTableSpec, systemColumns } from './specs/entityTableSpec.js';

const q = pg.escapeIdentifier;

/** Insert order: id, the bookkeeping columns every entity table has, then the typed columns. */
export function upsertColumns(spec: EntityTableSpec): string[] {
  return ['id', ...systemColumns, ...spec.columns.map((column) => column.name)];
}

/**
 * `INSERT … SELECT <select> FROM <from> ON CONFLICT (id) DO UPDATE … WHERE version <` — the one
 * place the version guard is written: an older or equal version never overwrites, so replays
 * change nothing, and an upsert revives a soft-deleted row. `selectExpressions` follow
 * upsertColumns(spec).
 */
export function versionGuardedUpsert(
  spec: EntityTableSpec,
  selectExpressions: readonly string[],
  from: string,
  returningIds: boolean,
): string {
  const table = q(spec.table);
  const columns = upsertColumns(spec);
  const updates = columns
    .filter((name) => name !== 'id')
    .map((name) => `${q(name)} = EXCLUDED.${q(name)}`)
    .concat(['"updated_at" = now()', '"deleted_at" = NULL']);
  return (
    `INSERT INTO ${table} (${columns.map(q).join(', ')}) ` +
    `SELECT ${selectExpressions.join(', ')} FROM ${from} ` +
    `ON CONFLICT ("id") DO UPDATE SET ${updates.join(', ')} ` +
    `WHERE ${table}."version" < EXCLUDED."version"` +
    (returningIds ? ' RETURNING "id"' : '')
  );
}
