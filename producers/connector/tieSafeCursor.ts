import { z } from 'zod/v4';
import { TributaryError } from '../../platform/errors.js';
import type { CursorFormat } from './connectorDefinition.js';
import { getPath } from './recordSelector.js';

/**
 * A stream watermark that survives ties: (updatedAt, id). Sources sort by updated_at then id,
 * and many records share one timestamp (bulk updates), so a timestamp alone either skips or
 * re-reads records at the boundary; with the id as tie-breaker the position is exact.
 *
 * updatedAt is held in one canonical fixed-width form, "YYYY-MM-DDTHH:mm:ss.nnnnnnnnnZ" (UTC,
 * nanoseconds), so that string order equals time order and microsecond source timestamps are
 * not rounded away.
 */
export interface TieSafeCursor {
  updatedAt: string;
  id: string;
}

export const tieSafeCursorSchema = z.strictObject({
  updatedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/),
  id: z.string(),
});

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const MS_JSON_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;

function invalidTimestamp(value: unknown): TributaryError {
  return new TributaryError('VALIDATION_FAILED', `unrecognised cursor timestamp ${JSON.stringify(value)}`, {
    retryable: false,
  });
}

function canonicalFrom(epochMs: number, subMsNanos: number): string {
  if (!Number.isFinite(epochMs)) throw invalidTimestamp(epochMs);
  const iso = new Date(epochMs).toISOString(); // YYYY-MM-DDTHH:mm:ss.mmmZ
  const nanos = String(subMsNanos).padStart(6, '0');
  return `${iso.slice(0, 23)}${nanos}Z`;
}

/**
 * Normalises a source timestamp to the canonical form. Accepts ISO 8601 (with or without
 * offset, fraction of any length; no offset means UTC), a date alone (midnight UTC), Microsoft
 * JSON dates ("/Date(1700000000000)/", SAP OData v2) and epoch numbers (>= 1e11 is taken as
 * milliseconds, below as seconds — 1e11 s is the year 5138, 1e11 ms is 1973).
 */
export function normalizeTimestamp(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalidTimestamp(value);
    const ms = Math.abs(value) >= 1e11 ? value : value * 1000;
    const whole = Math.floor(ms);
    return canonicalFrom(whole, Math.round((ms - whole) * 1e6));
  }
  if (typeof value !== 'string') throw invalidTimestamp(value);
  const text = value.trim();
  const msDate = MS_JSON_DATE.exec(text);
  if (msDate) return canonicalFrom(Number(msDate[1]), 0);
  const match = ISO.exec(text);
  if (!match) throw invalidTimestamp(value);
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  const digits = (fraction ?? '').padEnd(9, '0').slice(0, 9);
  let epochMs = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
  );
  epochMs += Number(digits.slice(0, 3));
  if (offset && offset.toUpperCase() !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const body = offset.slice(1).replace(':', '');
    const minutes = Number(body.slice(0, 2)) * 60 + Number(body.slice(2, 4) || 0);
    epochMs -= sign * minutes * 60_000;
  }
  if (Number.isNaN(epochMs)) throw invalidTimestamp(value);
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d))
    throw invalidTimestamp(value);
  return canonicalFrom(epochMs, Number(digits.slice(3)));
}

/** Epoch milliseconds of a canonical updatedAt (sub-millisecond part truncated). */
export function cursorEpochMs(cursor: TieSafeCursor): number {
  return Date.parse(`${cursor.updatedAt.slice(0, 23)}Z`);
}

/**
 * Orders ids as the source does: two all-digit ids numerically (so "9" < "10"), anything else
 * by UTF-16 code units. Numerically equal digit strings ("007", "7") fall back to code units so
 * the order stays total.
 */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = a.replace(/^0+(?=\d)/, '');
    const y = b.replace(/^0+(?=\d)/, '');
    if (x.length !== y.length) return x.length < y.length ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Total order on cursors: updatedAt, then id. */
export function compareCursors(a: TieSafeCursor, b: TieSafeCursor): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? -1 : 1;
  return compareIds(a.id, b.id);
}

/** True when `record` lies strictly after `cursor` (not yet covered by it). */
export function isAfterCursor(record: TieSafeCursor, cursor: TieSafeCursor | null): boolean {
  return cursor === null || compareCursors(record, cursor) > 0;
}

/** The later of the two: a cursor never moves backwards, whatever order records arrive in. */
export function advanceCursor(current: TieSafeCursor | null, candidate: TieSafeCursor): TieSafeCursor {
  if (current === null || compareCursors(candidate, current) > 0) return candidate;
  return current;
}

export interface CursorFields {
  /** Dot path of the updated_at-style field. */
  field: string;
  /** Dot path of the tie-breaker id. */
  tieBreakerField: string;
}

/** The (updatedAt, id) position of one record. */
export function cursorOfRecord(record: unknown, fields: CursorFields): TieSafeCursor {
  const id = getPath(record, fields.tieBreakerField);
  if (!((typeof id === 'string' && id !== '') || (typeof id === 'number' && Number.isFinite(id)))) {
    throw new TributaryError(
      'VALIDATION_FAILED',
      `record has no tie-breaker id at "${fields.tieBreakerField}"`,
      {
        retryable: false,
      },
    );
  }
  return { updatedAt: normalizeTimestamp(getPath(record, fields.field)), id: String(id) };
}

/** Folds a page into the cursor: the maximum of the current cursor and every record's position. */
export function advanceCursorOver(
  current: TieSafeCursor | null,
  records: readonly unknown[],
  fields: CursorFields,
): TieSafeCursor | null {
  let cursor = current;
  for (const record of records) cursor = advanceCursor(cursor, cursorOfRecord(record, fields));
  return cursor;
}

/**
 * Where the next sync starts reading: cursor − lookback, in epoch ms. The filter is inclusive
 * (>=), so records sharing the cursor's timestamp are re-read, never skipped; the overlap is
 * absorbed by event ids.
 */
export function syncLowerBoundMs(cursor: TieSafeCursor, lookbackMs: number): number {
  return cursorEpochMs(cursor) - lookbackMs;
}

/**
 * Formats a lower bound for the source's filter parameter. Every format rounds down (toward
 * earlier), so coarser formats widen the overlap rather than open a gap.
 */
export function formatCursorParam(epochMs: number, format: CursorFormat, template = '{value}'): string {
  const floored = Math.floor(epochMs);
  let value: string;
  switch (format) {
    case 'iso8601':
      value = new Date(floored).toISOString();
      break;
    case 'iso8601-seconds':
      value = `${new Date(floored).toISOString().slice(0, 19)}Z`;
      break;
    case 'epoch-ms':
      value = String(floored);
      break;
    case 'epoch-s':
      value = String(Math.floor(floored / 1000));
      break;
    case 'date':
      value = new Date(floored).toISOString().slice(0, 10);
      break;
  }
  return template.replaceAll('{value}', value);
}

export function serializeCursor(cursor: TieSafeCursor): string {
  return JSON.stringify({ updatedAt: cursor.updatedAt, id: cursor.id });
}

export function parseCursor(text: string): TieSafeCursor {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TributaryError('VALIDATION_FAILED', 'stored cursor is not JSON', { cause: error });
  }
  const parsed = tieSafeCursorSchema.safeParse(raw);
  if (!parsed.success) throw new TributaryError('VALIDATION_FAILED', 'stored cursor has the wrong shape');
  return parsed.data;
}
