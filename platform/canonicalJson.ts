import { TributaryError } from './errors.js';

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
