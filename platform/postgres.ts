import pg from 'pg';
import { createPool, type DatabasePool } from 'slonik';
import type { Config } from './config.js';
import { TributaryError } from './errors.js';

/**
 * PostgreSQL access. slonik for application queries (typed, parameterised by construction);
 * a raw pg pool where we need the lower level: COPY, LISTEN, replication, and set-based upserts
 * built from arrays.
 */
export async function createSlonikPool(
  config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>,
): Promise<DatabasePool> {
  return createPool(config.DATABASE_URL, { maximumPoolSize: config.DATABASE_POOL_SIZE });
}

export function createPgPool(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>): pg.Pool {
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/** SQLSTATE classes that mean "try the whole transaction again". */
const retryableSqlStateClasses = new Set(['08', '40', '53', '57']);
const retryableNodeCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Translates a pg driver error once, at the boundary, into a TributaryError that knows if it can be retried. */
export function translatePgError(error: unknown, context: string): TributaryError {
  if (error instanceof TributaryError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (
    retryableNodeCodes.has(code) ||
    retryableSqlStateClasses.has(code.slice(0, 2)) ||
    /terminat|Connection/i.test(message)
  ) {
    return new TributaryError('DATABASE_UNAVAILABLE', `${context}: ${message}`, {
      cause: error,
      retryable: true,
      details: { sqlstate: code },
    });
  }
  return new TributaryError('DATABASE_REJECTED', `${context}: ${message}`, {
    cause: error,
    retryable: false,
    details: { sqlstate: code },
  });
}

/** Replaces the database name of a postgres URL. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Creates the database named in `url` if it does not exist (connecting to the `postgres` database). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } catch (error) {
    // Two processes creating the same database at once: the loser sees 42P04 / 23505.
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    if (code !== '42P04' && code !== '23505') throw error;
  } finally {
    await admin.end();
  }
}
