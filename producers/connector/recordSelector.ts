import { TributaryError } from '../../platform/errors.js';

/**
 * Reads a dot path ('data.items', '' for the value itself). At each level the whole remaining
 * path is tried as one key first, so keys that contain dots — OData's '@odata.nextLink' — work
 * without escaping.
 */
export function getPath(value: unknown, path: string): unknown {
  if (path === '') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, path)) return record[path];
  const dot = path.indexOf('.');
  if (dot < 0) return undefined;
  return getPath(record[path.slice(0, dot)], path.slice(dot + 1));
}

/**
 * The records array of a page. A 200 whose body has no array where the definition says is
 * usually a garbled or truncated response (a proxy's error page, a half-written body), so the
 * error is retryable; the retry budget bounds it.
 */
export function selectRecords(body: unknown, recordSelector: string): unknown[] {
  const records = getPath(body, recordSelector);
  if (!Array.isArray(records)) {
    throw new TributaryError(
      'VALIDATION_FAILED',
      `page has no record array at "${recordSelector || '(body)'}" (found ${records === null ? 'null' : typeof records})`,
      { retryable: true, details: { recordSelector } },
    );
  }
  return records;
}
