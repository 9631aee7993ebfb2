import pg from 'pg';
import { contentHash, naturalKeyOf } from '../../producers/connector/idempotency.js';
import { TributaryError } from '../errors.js';
import { redactUrl } from '../logger.js';
import type { ReconcileStream } from './reconcileStreams.js';

/** One live source record: its natural key, its content hash when the source gives the payload. */
export interface SourceRecord {
  contentHash: string | null;
  payload: unknown;
}

/**
 * What a source holds right now, per stream: the ground truth reconcile compares the raw log
 * with. `records` returns undefined for a stream this source cannot tell about.
 */
export interface SourceTruth {
  source: string;
  instance: string;
  /** Where the truth was read (redacted URL or "in-process"), for the report. */
  where: string;
  records(stream: ReconcileStream): Promise<Map<string, SourceRecord> | undefined>;
}

/** A simulator's ground truth (`groundTruth(resource)` in process, or GET /_admin/truth). */
export type GroundTruthReader = (resource: string) => Promise<{ records: readonly unknown[] } | undefined>;

/**
 * Truth from a sample-source simulator: records exactly as served, so the content hash is the
 * one the polling producer computed (producers/connector/idempotency.ts contentHash).
 */
export function simulatorTruth(input: {
  source: string;
  instance: string;
  where: string;
  read: GroundTruthReader;
}): SourceTruth {
  return {
    source: input.source,
    instance: input.instance,
    where: input.where,
    async records(stream) {
      if (stream.source !== input.source) return undefined;
      const truth = await input.read(stream.truthResource);
      if (!truth) return undefined;
      const records = new Map<string, SourceRecord>();
      for (const record of truth.records)
        records.set(naturalKeyOf(record, stream.naturalKey), {
          contentHash: contentHash(record),
          payload: record,
        });
      return records;
    },
  };
}

/** In-process simulator (tests, the demo). */
export function inProcessSimulatorTruth(input: {
  source: string;
  instance: string;
  simulator: { groundTruth(resource: string): { records: readonly unknown[] } };
}): SourceTruth {
  return simulatorTruth({
    source: input.source,
    instance: input.instance,
    where: 'in-process simulator',
    read: async (resource) => {
      try {
        return input.simulator.groundTruth(resource);
      } catch {
        return undefined; // a resource this simulator does not have
      }
    },
  });
}

/** A simulator running elsewhere: `GET <url>/_admin/truth?resource=<name>` (404: unknown resource). */
export function httpSimulatorTruth(input: {
  source: string;
  instance: string;
  url: string;
  timeoutMs?: number;
}): SourceTruth {
  const base = input.url.replace(/\/$/, '');
  return simulatorTruth({
    source: input.source,
    instance: input.instance,
    where: redactUrl(base),
    read: async (resource) => {
      let response: Response;
      try {
        response = await fetch(`${base}/_admin/truth?resource=${encodeURIComponent(resource)}`, {
          signal: AbortSignal.timeout(input.timeoutMs ?? 30_000),
        });
      } catch (error) {
        throw new TributaryError('HTTP_ERROR', `${input.source} truth at ${redactUrl(base)} unreachable`, {
          cause: error,
          retryable: true,
        });
      }
      if (response.status === 404) return undefined;
      if (!response.ok)
        throw new TributaryError(
          'HTTP_ERROR',
          `${input.source} truth at ${redactUrl(base)} answered ${response.status}`,
          { retryable: true },
        );
      const body = (await response.json()) as { records?: unknown };
      if (!Array.isArray(body.records))
        throw new TributaryError(
          'VALIDATION_FAILED',
          `${input.source} truth for ${resource} has no records array`,
        );
      return { records: body.records };
    },
  });
}

/**
 * The payroll database (the CDC source): the key set of each captured table (with the columns the
 * business key is derived from, e.g. the HR worker id of a payroll employee). Payload hashes are
 * not compared — the CDC producer publishes rows through a column policy (masking), so the raw
 * payload is not the row — hence content is "not checked" for payroll, keys are.
 */
export function payrollTruth(input: { pool: pg.Pool; instance: string; where: string }): SourceTruth {
  return {
    source: 'payroll',
    instance: input.instance,
    where: input.where,
    async records(stream) {
      if (stream.source !== 'payroll' || stream.naturalKey.length === 0) return undefined;
      const [schema, table] = stream.truthResource.split('.');
      if (!schema || !table) return undefined;
      const exists = await input.pool.query<{ present: boolean }>(
        'SELECT to_regclass($1) IS NOT NULL AS present',
        [`${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`],
      );
      if (!exists.rows[0]?.present) return undefined;
      // ::text gives PostgreSQL's output form, the same text pgoutput sends for the key columns.
      const columns = [...new Set([...stream.naturalKey, ...(stream.keyFields ?? [])])].map(
        (column) => `${pg.escapeIdentifier(column)}::text AS ${pg.escapeIdentifier(column)}`,
      );
      const { rows } = await input.pool.query<Record<string, string>>(
        `SELECT ${columns.join(', ')} FROM ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`,
      );
      const records = new Map<string, SourceRecord>();
      for (const row of rows)
        records.set(naturalKeyOf(row, stream.naturalKey), { contentHash: null, payload: row });
      return records;
    },
  };
}
