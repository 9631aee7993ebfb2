import { createHash } from 'node:crypto';
import { canonicalJson } from '../../platform/canonicalJson.js';
import { TributaryError } from '../../platform/errors.js';
import { getPath } from './recordSelector.js';

export { canonicalJson };

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 (hex) of the canonical JSON of a payload: RawEnvelope.contentHash. */
export function contentHash(payload: unknown): string {
  return sha256Hex(canonicalJson(payload));
}

export interface EventIdParts {
  sourceSystem: string;
  sourceInstance: string;
  stream: string;
  naturalKey: string;
  contentHash: string;
}

/**
 * RawEnvelope.eventId: SHA-256 (hex) over source system, instance, stream, natural key and
 * content hash. Hashed as a canonical JSON array so no choice of separator can make two
 * different tuples collide ("a/b"+"c" vs "a"+"b/c").
 */
export function eventId(parts: EventIdParts): string {
  return sha256Hex(
    canonicalJson([
      parts.sourceSystem,
      parts.sourceInstance,
      parts.stream,
      parts.naturalKey,
      parts.contentHash,
    ]),
  );
}

/**
 * The natural key of a record as a string. One field: its value as is. Several: each value
 * URI-encoded and joined with ':', so values containing ':' cannot make two keys collide.
 * Missing, null, empty or non-scalar key values are rejected (not retryable: the record goes
 * to the DLQ) because a record without identity would overwrite another in the compacted topic.
 */
export function naturalKeyOf(record: unknown, fields: readonly string[]): string {
  if (fields.length === 0) throw new TributaryError('USAGE', 'naturalKeyOf: no key fields');
  const parts = fields.map((field) => {
    const value = getPath(record, field);
    if (
      (typeof value === 'string' && value !== '') ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      return String(value);
    }
    if (typeof value === 'bigint') return value.toString();
    throw new TributaryError('VALIDATION_FAILED', `record has no usable natural key at "${field}"`, {
      retryable: false,
      details: { field, found: value === null ? 'null' : typeof value },
    });
  });
  return parts.length === 1 ? (parts[0] as string) : parts.map(encodeURIComponent).join(':');
}
