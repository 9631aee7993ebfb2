import { describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { checkBackwardCompatibility } from '../../schemas/compatibility.js';
import { type JsonObject, publishedJsonSchema } from '../../schemas/jsonSchema.js';

function rulesFor(before: z.ZodType, after: z.ZodType): string[] {
  return checkBackwardCompatibility(publishedJsonSchema(before), publishedJsonSchema(after)).map(
    (violation) => `${violation.path} ${violation.rule}`,
  );
}

const base = z.object({
  id: z.string().describe('id'),
  name: z.string().nullable().optional().describe('name'),
  status: z.enum(['active', 'inactive']).describe('status'),
  count: z.number().int().min(0).describe('count'),
  code: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .describe('code'),
  tags: z.array(z.object({ key: z.string(), value: z.string().optional() })).describe('tags'),
});

describe('checkBackwardCompatibility (new schema reads old data)', () => {
  it('accepts an identical schema and description-only changes', () => {
    expect(rulesFor(base, base)).toEqual([]);
    expect(rulesFor(base, base.extend({ id: z.string().describe('the identifier, reworded') }))).toEqual([]);
  });

  it('accepts adding an optional field (old data lacks it; the old schema was closed)', () => {
    expect(
      rulesFor(base, base.extend({ badge: z.string().nullable().optional().describe('badge') })),
    ).toEqual([]);
  });

  it('accepts widening: required→optional, new enum value, null allowed, integer→number, looser bounds, pattern dropped', () => {
    const widened = base.extend({
      id: z.string().optional(),
      status: z.enum(['active', 'inactive', 'pending']),
      count: z.number().nullable(),
      code: z.string(),
    });
    expect(rulesFor(base, widened)).toEqual([]);
  });

  it('rejects adding a required field', () => {
    expect(rulesFor(base, base.extend({ badge: z.string() }))).toEqual(['badge REQUIRED_PROPERTY_ADDED']);
  });

  it('rejects making an optional field required', () => {
    expect(rulesFor(base, base.extend({ name: z.string().nullable() }))).toEqual([
      'name PROPERTY_MADE_REQUIRED',
    ]);
  });

  it('rejects removing a required field (old data has it; the new schema is closed)', () => {
    expect(rulesFor(base, base.omit({ status: true }))).toEqual(['status REQUIRED_PROPERTY_REMOVED']);
  });

  it('rejects removing an optional field from a closed schema', () => {
    expect(rulesFor(base, base.omit({ name: true }))).toEqual(['name PROPERTY_REMOVED']);
  });

  it('rejects narrowing a type', () => {
    expect(rulesFor(base, base.extend({ id: z.number() }))).toEqual(['id TYPE_NARROWED']);
    expect(rulesFor(base.extend({ count: z.number() }), base)).toEqual(['count TYPE_NARROWED']);
  });

  it('rejects disallowing null', () => {
    expect(rulesFor(base, base.extend({ name: z.string().optional() }))).toEqual([
      'name NULL_NO_LONGER_ALLOWED',
    ]);
  });

  it('rejects removing an enum value and turning free text into an enum', () => {
    expect(rulesFor(base, base.extend({ status: z.enum(['active']) }))).toEqual([
      'status ENUM_VALUE_REMOVED',
    ]);
    expect(rulesFor(base, base.extend({ id: z.enum(['a', 'b']) }))).toEqual(['id ENUM_ADDED']);
  });

  it('rejects tightening or changing a pattern, but accepts enum values that match a new pattern', () => {
    expect(rulesFor(base, base.extend({ id: z.string().regex(/^\d+$/) }))).toEqual(['id PATTERN_TIGHTENED']);
    expect(rulesFor(base, base.extend({ code: z.string().regex(/^[A-Z]{3}$/) }))).toEqual([
      'code PATTERN_TIGHTENED',
    ]);
    expect(rulesFor(base, base.extend({ status: z.string().regex(/^[a-z]+$/) }))).toEqual([]);
  });

  it('rejects tighter bounds', () => {
    expect(rulesFor(base, base.extend({ count: z.number().int().min(1) }))).toEqual(['count MINIMUM_RAISED']);
    expect(rulesFor(base, base.extend({ count: z.number().int().min(0).max(10) }))).toEqual([
      'count MAXIMUM_LOWERED',
    ]);
    expect(rulesFor(base, base.extend({ id: z.string().min(3) }))).toEqual(['id MIN_LENGTH_RAISED']);
    expect(rulesFor(base, base.extend({ id: z.string().max(3) }))).toEqual(['id MAX_LENGTH_LOWERED']);
  });

  it('follows nested objects and array items, naming the full path', () => {
    const nested = base.extend({
      tags: z.array(z.object({ key: z.number(), value: z.string().optional() })),
    });
    expect(rulesFor(base, nested)).toEqual(['tags[].key TYPE_NARROWED']);
  });

  it('treats open content models correctly', () => {
    const open = (shape: z.ZodRawShape) => z.looseObject(shape);
    // Removing a field is fine when the new schema still allows extra properties.
    expect(rulesFor(open({ a: z.string(), b: z.string() }), open({ a: z.string() }))).toEqual([]);
    // Adding a constrained optional field is not: old data may carry it with any value.
    expect(rulesFor(open({ a: z.string() }), open({ a: z.string(), b: z.string().optional() }))).toEqual([
      'b PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
    ]);
    // Closing an open object rejects the extra properties old data may hold.
    expect(rulesFor(open({ a: z.string() }), z.object({ a: z.string() }))).toEqual([
      '* ADDITIONAL_PROPERTIES_NARROWED',
    ]);
  });

  it('is conservative about keywords it does not model', () => {
    const before: JsonObject = { type: 'object', properties: { a: { type: 'string' } } };
    const after: JsonObject = {
      type: 'object',
      properties: { a: { type: 'string', contentEncoding: 'base64' } },
    };
    expect(checkBackwardCompatibility(before, after).map((violation) => violation.rule)).toEqual([
      'UNSUPPORTED_CHANGE',
    ]);
  });

  it('states the rule without data values', () => {
    const [violation] = checkBackwardCompatibility(
      publishedJsonSchema(base),
      publishedJsonSchema(base.extend({ status: z.enum(['active']) })),
    );
    expect(violation).toEqual({
      path: 'status',
      rule: 'ENUM_VALUE_REMOVED',
      detail: 'enum value "inactive" was removed',
    });
  });
});
