import pg from 'pg';
import { TributaryError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';

export interface TableInfo {
  schema: string;
  table: string;
  /** `schema.table`: the stream name. */
  stream: string;
  keyColumns: string[];
  replicaIdentity: 'd' | 'n' | 'f' | 'i';
}

export function splitTableName(name: string): { schema: string; table: string } {
  const parts = name.split('.');
  if (parts.length === 1 && parts[0]) return { schema: 'public', table: parts[0] };
  if (parts.length === 2 && parts[0] && parts[1]) return { schema: parts[0], table: parts[1] };
  throw new TributaryError('CONFIG_INVALID', `CDC table "${name}": expected <schema>.<table>`);
}

/** wal_level must be logical; the message names the RDS parameter too, since that is where most fail. */
export async function checkWalLevel(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ wal_level: string }>('SHOW wal_level');
  const level = rows[0]?.wal_level;
  if (level !== 'logical') {
    throw new TributaryError(
      'DEPENDENCY_MISSING',
      `source database runs with wal_level = ${level}; CDC needs wal_level = logical (self-managed: ALTER SYSTEM SET wal_level = logical and restart; Amazon RDS/Aurora: set rds.logical_replication = 1 in the parameter group and reboot)`,
    );
  }
}

/** The role needs REPLICATION (rds_replication on RDS) and SELECT on every published table. */
export async function checkPrivileges(client: pg.Client, tables: readonly TableInfo[]): Promise<void> {
  const { rows } = await client.query<{
    rolname: string;
    rolreplication: boolean;
    rolsuper: boolean;
    rds: boolean;
  }>(
    `SELECT r.rolname, r.rolreplication, r.rolsuper,
            EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = 'rds_replication' AND pg_has_role(r.oid, g.oid, 'member')) AS rds
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const role = rows[0];
  const problems: string[] = [];
  if (role && !role.rolreplication && !role.rolsuper && !role.rds) {
    problems.push(
      `role ${role.rolname} lacks the REPLICATION attribute (ALTER ROLE ${role.rolname} REPLICATION; on RDS: GRANT rds_replication TO ${role.rolname})`,
    );
  }
  for (const table of tables) {
    // By oid: resolving a name would itself fail with "permission denied for schema".
    const { rows: grant } = await client.query<{ usage: boolean; select: boolean }>(
      `SELECT has_schema_privilege(n.oid, 'USAGE') AS usage, has_table_privilege(c.oid, 'SELECT') AS select
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
      [table.schema, table.table],
    );
    const who = role?.rolname ?? 'the CDC role';
    if (!grant[0]?.usage)
      problems.push(`no USAGE on schema ${table.schema} (GRANT USAGE ON SCHEMA ${table.schema} TO ${who})`);
    if (!grant[0]?.select)
      problems.push(`no SELECT on ${table.stream} (GRANT SELECT ON ${table.stream} TO ${who})`);
  }
  if (problems.length > 0) {
    throw new TributaryError('DATABASE_REJECTED', `CDC privileges missing: ${problems.join('; ')}`);
  }
}

/**
 * Primary key and replica identity of each table. A table without a primary key cannot be keyed
 * in a compacted topic; one whose identity is NOTHING sends no old row for deletes; one with
 * TOASTable columns needs REPLICA IDENTITY FULL, otherwise an UPDATE that leaves a large value
 * untouched arrives without it (see README "TOAST").
 */
export async function describeTables(client: pg.Client, names: readonly string[]): Promise<TableInfo[]> {
  const out: TableInfo[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const { schema, table } = splitTableName(name);
    const { rows } = await client.query<{ oid: number; relreplident: string }>(
      `SELECT c.oid, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
      [schema, table],
    );
    const rel = rows[0];
    if (!rel) {
      problems.push(`table ${schema}.${table} does not exist`);
      continue;
    }
    const keys = await client.query<{ attname: string }>(
      `SELECT a.attname FROM pg_index i
         JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1 AND i.indisprimary ORDER BY k.ord`,
      [rel.oid],
    );
    const toastable = await client.query<{ attname: string }>(
      `SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped
          AND attlen = -1 AND attstorage IN ('x', 'e')`,
      [rel.oid],
    );
    const identity = rel.relreplident as TableInfo['replicaIdentity'];
    const stream = `${schema}.${table}`;
    if (keys.rows.length === 0)
      problems.push(`table ${stream} has no primary key (records need one to be keyed)`);
    if (identity === 'n') {
      problems.push(
        `table ${stream} has REPLICA IDENTITY NOTHING: deletes and updates carry no key (ALTER TABLE ${stream} REPLICA IDENTITY FULL)`,
      );
    } else if (identity !== 'f' && toastable.rows.length > 0) {
      problems.push(
        `table ${stream} has TOASTable columns (${toastable.rows.map((r) => r.attname).join(', ')}) but not REPLICA IDENTITY FULL: unchanged large values would be missing from updates (ALTER TABLE ${stream} REPLICA IDENTITY FULL)`,
      );
    }
    out.push({
      schema,
      table,
      stream,
      keyColumns: keys.rows.map((r) => r.attname),
      replicaIdentity: identity,
    });
  }
  if (problems.length > 0)
    throw new TributaryError('DATABASE_REJECTED', `CDC tables not usable: ${problems.join('; ')}`);
  return out;
}

/** Creates the publication when missing and adds missing tables; deletes/updates/inserts only (see README on TRUNCATE). */
export async function ensurePublication(
  client: pg.Client,
  publication: string,
  tables: readonly TableInfo[],
  log: Logger,
): Promise<void> {
  const list = tables.map((t) => `${pg.escapeIdentifier(t.schema)}.${pg.escapeIdentifier(t.table)}`);
  const exists = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication]);
  try {
    if (exists.rowCount === 0) {
      await client.query(
        `CREATE PUBLICATION ${pg.escapeIdentifier(publication)} FOR TABLE ${list.join(', ')} WITH (publish = 'insert, update, delete')`,
      );
      log.info({ publication, tables: tables.map((t) => t.stream) }, 'publication created');
      return;
    }
    const { rows } = await client.query<{ schemaname: string; tablename: string }>(
      'SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1',
      [publication],
    );
    const present = new Set(rows.map((r) => `${r.schemaname}.${r.tablename}`));
    const missing = tables.filter((t) => !present.has(t.stream));
    if (missing.length > 0) {
      await client.query(
        `ALTER PUBLICATION ${pg.escapeIdentifier(publication)} ADD TABLE ${missing.map((t) => `${pg.escapeIdentifier(t.schema)}.${pg.escapeIdentifier(t.table)}`).join(', ')}`,
      );
      log.info({ publication, added: missing.map((t) => t.stream) }, 'tables added to publication');
    }
  } catch (error) {
    throw new TributaryError(
      'DATABASE_REJECTED',
      `cannot create or extend publication ${publication} (needs CREATE on the database and ownership of the tables; or let the table owner run CREATE PUBLICATION ${publication} FOR TABLE ${tables.map((t) => t.stream).join(', ')}): ${String(error)}`,
      { cause: error },
    );
  }
}
