import { z } from 'zod/v4';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * JSON Schema (draft-07) of a zod schema, as zod writes it, including `format` annotations.
 * Draft-07 rather than 2020-12 because the JSON validators inside common registry clients
 * (Ajv 7 in @kafkajs/confluent-schema-registry, everit in the Java serdes) speak draft-07.
 */
export function documentedJsonSchema(schema: z.ZodType): JsonObject {
  return z.toJSONSchema(schema, { target: 'draft-7', unrepresentable: 'throw' }) as JsonObject;
}

/**
 * The JSON Schema we publish (registry, snapshots, history, catalog files): the documented
 * schema without `format`. zod writes an equivalent `pattern` next to every format it emits,
 * so nothing is lost, while a registry client with a default Ajv (which refuses unknown
 * formats at compile time) can still decode our records without extra plugins.
 */
export function publishedJsonSchema(schema: z.ZodType): JsonObject {
  return withoutFormats(documentedJsonSchema(schema)) as JsonObject;
}

function withoutFormats(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutFormats);
  if (value === null || typeof value !== 'object') return value;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    // A property *named* "format" lives under `properties` and is kept; only the keyword goes.
    if (key === 'format' && typeof child === 'string') continue;
    result[key] = withoutFormats(child);
  }
  return result;
}

/** Stable, diff-friendly file form of a schema (key order is zod's, which follows the source). */
export function serializeSchemaFile(schema: JsonObject): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** Compact form sent to the registry; the same text every time, so registration is idempotent. */
export function serializeForRegistry(schema: JsonObject): string {
  return JSON.stringify(schema);
}

/** Structural equality of two JSON values (object key order ignored). */
export function jsonEqual(left: JsonValue | undefined, right: JsonValue | undefined): boolean {
  if (left === right) return true;
  if (left === undefined || right === undefined || left === null || right === null) return false;
  if (Array.isArray(left) || Array.isArray(right)) {
    if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return false;
    return left.every((item, index) => jsonEqual(item, right[index]));
  }
  if (typeof left !== 'object' || typeof right !== 'object') return false;
  const leftKeys = Object.keys(left);
  if (leftKeys.length !== Object.keys(right).length) return false;
  return leftKeys.every((key) => key in right && jsonEqual(left[key], right[key]));
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
