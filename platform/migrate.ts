import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { TributaryError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * Applies `migrations/*.sql` in lexical order, each exactly once, in its own transaction, under a
 * session advisory lock so two pods starting together cannot race. Each applied file's SHA-256 is
 * recorded; a file edited after it was applied is refused (write a new migration instead).
 * pg rather than slonik here: migration files hold several DDL statements, which only the simple
 * query protocol accepts.
 */
export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

/** Arbitrary constant: the advisory lock key every Tributary migrator contends for. */
const MIGRATION_LOCK_KEY = 7_302_114_611;

export function readMigrations(directory: string): MigrationFile[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(directory, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export async function migrate(options: {
  databaseUrl: string;
  directory: string;
  log: Logger;
}): Promise<MigrateResult> {
  const files = readMigrations(options.directory);
  const client = new pg.Client({ connectionString: options.databaseUrl });
  client.on('error', () => undefined); // surfaces through the pending query
  await client.connect();
  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS tributary_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM tributary_migrations',
    );
    const applied = new Map(rows.map((row) => [row.name, row.checksum]));
    for (const file of files) {
      const recorded = applied.get(file.name);
      if (recorded !== undefined) {
        if (recorded !== file.checksum) {
          throw new TributaryError(
            'MIGRATION_CHECKSUM_MISMATCH',
            `migration ${file.name} was edited after it was applied (recorded sha256 ${recorded.slice(0, 12)}…, file now ${file.checksum.slice(0, 12)}…); add a new migration instead`,
            { details: { migration: file.name } },
          );
        }
        result.alreadyApplied.push(file.name);
        continue;
      }
      try {
        await client.query('BEGIN');
        await client.query(file.sql);
        await client.query('INSERT INTO tributary_migrations (name, checksum) VALUES ($1, $2)', [
          file.name,
          file.checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new TributaryError(
          'MIGRATION_FAILED',
          `migration ${file.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
            details: { migration: file.name },
          },
        );
      }
      options.log.info({ migration: file.name }, 'migration applied');
      result.applied.push(file.name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
  return result;
}
