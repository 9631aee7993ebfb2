import { createHash } from 'node:crypto';
import { TributaryError } from '../../platform/errors.js';
import { getPath } from './recordSelector.js';

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, numbers in
 * ECMAScript shortest form, undefined members dropped — the RFC 8785 (JCS) rules for the JSON a
 * source can send. Two payloads that differ only in key order or formatting hash the same, so
 * re-fetching an unchanged record yields the same content hash and event id.
 */
export function canonicalJson(value: unknown): string {
  const out = canonical(value, 0);
  if (out === undefined) throw new TributaryError('USAGE', 'canonicalJson: value is not serialisable');
  return out;
}

function canonical(value: unknown, depth: number): string | undefined {
  if (depth > 512) throw new TributaryError('USAGE', 'canonicalJson: nesting deeper than 512 levels');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new TributaryError('USAGE', `canonicalJson: ${value} has no JSON representation`);
      }
      return JSON.stringify(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new TributaryError('USAGE', 'canonicalJson: bigint has no JSON representation; use a string');
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => canonical(item, depth + 1) ?? 'null').join(',')}]`;
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return canonical(withToJson.toJSON(), depth + 1);
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = canonical(record[key], depth + 1);
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
  }
  return `{${members.join(',')}}`;
}

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
