import { isJsonObject, type JsonObject, type JsonValue, jsonEqual } from './jsonSchema.js';

/**
 * BACKWARD compatibility over JSON Schema: the new schema (the reader) must accept every
 * document the old schema (the writer) accepted, so consumers upgraded to the new contract can
 * still read everything already on the compacted topic. In set terms: valid(old) ⊆ valid(new).
 *
 * The check is conservative: when it cannot prove containment (two different regexes, a keyword
 * it does not model) it reports a violation rather than letting a possibly breaking change through.
 */
export const compatibilityRules = [
  'REQUIRED_PROPERTY_ADDED',
  'PROPERTY_MADE_REQUIRED',
  'REQUIRED_PROPERTY_REMOVED',
  'PROPERTY_REMOVED',
  'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
  'ADDITIONAL_PROPERTIES_NARROWED',
  'TYPE_NARROWED',
  'NULL_NO_LONGER_ALLOWED',
  'ENUM_VALUE_REMOVED',
  'ENUM_ADDED',
  'CONST_CHANGED',
  'PATTERN_TIGHTENED',
  'FORMAT_TIGHTENED',
  'MINIMUM_RAISED',
  'MAXIMUM_LOWERED',
  'MIN_LENGTH_RAISED',
  'MAX_LENGTH_LOWERED',
  'MULTIPLE_OF_CHANGED',
  'UNIQUE_ITEMS_ADDED',
  'UNSUPPORTED_CHANGE',
] as const;

export type CompatibilityRule = (typeof compatibilityRules)[number];

export interface CompatibilityViolation {
  /** Field path in the document, e.g. "data.compensation.annualized.amount" or "data.lines[].netAmount". */
  path: string;
  rule: CompatibilityRule;
  /** What changed, naming schema facts only (never data values). */
  detail: string;
}

/** Keywords that never change which documents are valid. */
const annotationKeywords = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'examples',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

/** Keywords this checker models; anything else must be identical in both versions. */
const modelledKeywords = new Set([
  'type',
  'anyOf',
  'oneOf',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'enum',
  'const',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'multipleOf',
  'uniqueItems',
]);

type Schema = JsonValue;

/** Violations that stop `reader` from reading everything `writer` allowed; empty when compatible. */
export function checkBackwardCompatibility(writer: JsonObject, reader: JsonObject): CompatibilityViolation[] {
  return compare(writer, reader, '');
}

function join(path: string, segment: string): string {
  if (segment.startsWith('[')) return `${path}${segment}`;
  return path === '' ? segment : `${path}.${segment}`;
}

function displayPath(path: string): string {
  return path === '' ? '(root)' : path;
}

function violation(path: string, rule: CompatibilityRule, detail: string): CompatibilityViolation {
  return { path: displayPath(path), rule, detail };
}

function constraints(schema: JsonObject): [string, JsonValue][] {
  return Object.entries(schema).filter(([key]) => !annotationKeywords.has(key));
}

/** True when the schema accepts every JSON value. */
function acceptsEverything(schema: Schema): boolean {
  if (schema === true) return true;
  return isJsonObject(schema) && constraints(schema).length === 0;
}

function acceptsNothing(schema: Schema): boolean {
  return schema === false;
}

/** Alternatives of a schema: anyOf/oneOf branches and `type` arrays split into one type each. */
function branches(schema: JsonObject): JsonObject[] | undefined {
  const union = schema['anyOf'] ?? schema['oneOf'];
  if (union !== undefined) {
    const siblings = constraints(schema).filter(([key]) => key !== 'anyOf' && key !== 'oneOf');
    if (!Array.isArray(union) || siblings.length > 0) return undefined;
    const result: JsonObject[] = [];
    for (const member of union) {
      if (member === true) return [{}];
      if (!isJsonObject(member)) return undefined;
      const expanded = branches(member);
      if (!expanded) return undefined;
      result.push(...expanded);
    }
    return result;
  }
  const type = schema['type'];
  if (Array.isArray(type)) {
    return type.map((single) => ({ ...schema, type: single }));
  }
  return [schema];
}

function typeOf(schema: JsonObject): string | undefined {
  const type = schema['type'];
  return typeof type === 'string' ? type : undefined;
}

/** Whether a reader branch of type `readerType` can accept values of `writerType`. */
function typeCovers(readerType: string | undefined, writerType: string | undefined): boolean {
  if (readerType === undefined) return true;
  if (writerType === undefined) return false;
  return readerType === writerType || (readerType === 'number' && writerType === 'integer');
}

function compare(writer: Schema, reader: Schema, path: string): CompatibilityViolation[] {
  if (acceptsNothing(writer) || acceptsEverything(reader)) return [];
  if (!isJsonObject(writer) || !isJsonObject(reader)) {
    return [violation(path, 'UNSUPPORTED_CHANGE', 'boolean schema replaced by a constrained one')];
  }
  const writerBranches = branches(writer);
  const readerBranches = branches(reader);
  if (!writerBranches || !readerBranches) {
    return jsonEqual(stripAnnotations(writer), stripAnnotations(reader))
      ? []
      : [violation(path, 'UNSUPPORTED_CHANGE', 'a union with sibling constraints changed')];
  }
  const found: CompatibilityViolation[] = [];
  for (const writerBranch of writerBranches) {
    if (acceptsNothing(writerBranch)) continue;
    const writerType = typeOf(writerBranch);
    const candidates = readerBranches.filter((readerBranch) => typeCovers(typeOf(readerBranch), writerType));
    if (candidates.length === 0) {
      found.push(
        writerType === 'null'
          ? violation(path, 'NULL_NO_LONGER_ALLOWED', 'null was allowed and no longer is')
          : violation(
              path,
              'TYPE_NARROWED',
              `${writerType ?? 'any type'} was allowed; now only ${describeTypes(readerBranches)}`,
            ),
      );
      continue;
    }
    // The writer branch is readable if at least one reader branch accepts all of it; otherwise
    // report the closest candidate's reasons.
    let best: CompatibilityViolation[] | undefined;
    for (const candidate of candidates) {
      const problems = compareBranch(writerBranch, candidate, path);
      if (best === undefined || problems.length < best.length) best = problems;
      if (problems.length === 0) break;
    }
    found.push(...(best ?? []));
  }
  return found;
}

function describeTypes(schemas: JsonObject[]): string {
  const types = schemas.map((schema) => typeOf(schema) ?? 'any');
  return [...new Set(types)].join(' | ');
}

function stripAnnotations(schema: JsonValue): JsonValue {
  if (Array.isArray(schema)) return schema.map(stripAnnotations);
  if (!isJsonObject(schema)) return schema;
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (annotationKeywords.has(key)) continue;
    // Inside `properties` the keys are property names, not keywords.
    result[key] =
      key === 'properties' && isJsonObject(value)
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, stripAnnotations(sub)]))
        : stripAnnotations(value);
  }
  return result;
}

/** Values the writer branch can hold when it is a closed set (enum/const), else undefined. */
function closedValues(schema: JsonObject): JsonValue[] | undefined {
  if ('const' in schema) return [schema['const'] ?? null];
  const values = schema['enum'];
  return Array.isArray(values) ? values : undefined;
}

function compareBranch(writer: JsonObject, reader: JsonObject, path: string): CompatibilityViolation[] {
  const found: CompatibilityViolation[] = [];
  const writerValues = closedValues(writer);

  for (const [key, readerValue] of constraints(reader)) {
    if (modelledKeywords.has(key)) continue;
    if (!jsonEqual(stripAnnotations(writer[key] ?? null), stripAnnotations(readerValue))) {
      found.push(violation(path, 'UNSUPPORTED_CHANGE', `keyword "${key}" changed and is not modelled`));
    }
  }

  const readerEnum = reader['enum'];
  if (Array.isArray(readerEnum)) {
    if (writerValues === undefined) {
      found.push(violation(path, 'ENUM_ADDED', 'any value was allowed; now only an enumerated set'));
    } else {
      for (const value of writerValues) {
        if (!readerEnum.some((allowed) => jsonEqual(allowed, value))) {
          found.push(
            violation(path, 'ENUM_VALUE_REMOVED', `enum value ${JSON.stringify(value)} was removed`),
          );
        }
      }
    }
  }
  if ('const' in reader) {
    const readerConst = reader['const'] ?? null;
    if (writerValues === undefined || !writerValues.every((value) => jsonEqual(value, readerConst))) {
      found.push(violation(path, 'CONST_CHANGED', `now must equal ${JSON.stringify(readerConst)}`));
    }
  }

  const readerPattern = reader['pattern'];
  if (typeof readerPattern === 'string' && writer['pattern'] !== readerPattern) {
    const allMatch =
      writerValues?.every(
        (value) => typeof value === 'string' && new RegExp(readerPattern, 'u').test(value),
      ) ?? false;
    if (!allMatch) {
      found.push(
        violation(
          path,
          'PATTERN_TIGHTENED',
          writer['pattern'] === undefined
            ? 'a pattern was added'
            : 'the pattern changed (containment of regular expressions cannot be proven)',
        ),
      );
    }
  }
  const readerFormat = reader['format'];
  if (typeof readerFormat === 'string' && writer['format'] !== readerFormat) {
    found.push(violation(path, 'FORMAT_TIGHTENED', `format "${readerFormat}" is now required`));
  }

  found.push(...compareBounds(writer, reader, path));

  const readerMultiple = reader['multipleOf'];
  if (typeof readerMultiple === 'number') {
    const writerMultiple = writer['multipleOf'];
    const divides =
      typeof writerMultiple === 'number' &&
      Number.isInteger(writerMultiple / readerMultiple) &&
      writerMultiple !== 0;
    if (!divides)
      found.push(violation(path, 'MULTIPLE_OF_CHANGED', `values must now be multiples of ${readerMultiple}`));
  }
  if (reader['uniqueItems'] === true && writer['uniqueItems'] !== true) {
    found.push(violation(path, 'UNIQUE_ITEMS_ADDED', 'array items must now be unique'));
  }

  const type = typeOf(reader) ?? typeOf(writer);
  if (type === 'object') found.push(...compareObjects(writer, reader, path));
  if (type === 'array') found.push(...compareArrays(writer, reader, path));
  return found;
}

function numberOf(schema: JsonObject, key: string): number | undefined {
  const value = schema[key];
  return typeof value === 'number' ? value : undefined;
}

function compareBounds(writer: JsonObject, reader: JsonObject, path: string): CompatibilityViolation[] {
  const found: CompatibilityViolation[] = [];
  // Lower bounds: every value the writer allowed must satisfy the reader's bound.
  const readerMin = numberOf(reader, 'minimum');
  const readerExclusiveMin = numberOf(reader, 'exclusiveMinimum');
  const writerMin = numberOf(writer, 'minimum');
  const writerExclusiveMin = numberOf(writer, 'exclusiveMinimum');
  if (readerMin !== undefined) {
    const ok =
      (writerMin !== undefined && writerMin >= readerMin) ||
      (writerExclusiveMin !== undefined && writerExclusiveMin >= readerMin);
    if (!ok) found.push(violation(path, 'MINIMUM_RAISED', `values must now be >= ${readerMin}`));
  }
  if (readerExclusiveMin !== undefined) {
    const ok =
      (writerMin !== undefined && writerMin > readerExclusiveMin) ||
      (writerExclusiveMin !== undefined && writerExclusiveMin >= readerExclusiveMin);
    if (!ok) found.push(violation(path, 'MINIMUM_RAISED', `values must now be > ${readerExclusiveMin}`));
  }
  const readerMax = numberOf(reader, 'maximum');
  const readerExclusiveMax = numberOf(reader, 'exclusiveMaximum');
  const writerMax = numberOf(writer, 'maximum');
  const writerExclusiveMax = numberOf(writer, 'exclusiveMaximum');
  if (readerMax !== undefined) {
    const ok =
      (writerMax !== undefined && writerMax <= readerMax) ||
      (writerExclusiveMax !== undefined && writerExclusiveMax <= readerMax);
    if (!ok) found.push(violation(path, 'MAXIMUM_LOWERED', `values must now be <= ${readerMax}`));
  }
  if (readerExclusiveMax !== undefined) {
    const ok =
      (writerMax !== undefined && writerMax < readerExclusiveMax) ||
      (writerExclusiveMax !== undefined && writerExclusiveMax <= readerExclusiveMax);
    if (!ok) found.push(violation(path, 'MAXIMUM_LOWERED', `values must now be < ${readerExclusiveMax}`));
  }
  for (const key of ['minLength', 'minItems', 'minProperties']) {
    const readerValue = numberOf(reader, key);
    const writerValue = numberOf(writer, key) ?? 0;
    if (readerValue !== undefined && writerValue < readerValue) {
      found.push(violation(path, 'MIN_LENGTH_RAISED', `${key} raised to ${readerValue}`));
    }
  }
  for (const key of ['maxLength', 'maxItems', 'maxProperties']) {
    const readerValue = numberOf(reader, key);
    const writerValue = numberOf(writer, key);
    if (readerValue !== undefined && (writerValue === undefined || writerValue > readerValue)) {
      found.push(violation(path, 'MAX_LENGTH_LOWERED', `${key} lowered to ${readerValue}`));
    }
  }
  return found;
}

function stringList(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function propertiesOf(schema: JsonObject): JsonObject {
  const properties = schema['properties'];
  return isJsonObject(properties) ? properties : {};
}

/** `additionalProperties` as a schema: absent means anything. */
function additionalOf(schema: JsonObject): Schema {
  return schema['additionalProperties'] ?? true;
}

function compareObjects(writer: JsonObject, reader: JsonObject, path: string): CompatibilityViolation[] {
  const found: CompatibilityViolation[] = [];
  const writerProps = propertiesOf(writer);
  const readerProps = propertiesOf(reader);
  const writerRequired = new Set(stringList(writer['required']));
  const readerRequired = new Set(stringList(reader['required']));
  const writerAdditional = additionalOf(writer);
  const readerAdditional = additionalOf(reader);

  for (const [name, writerProp] of Object.entries(writerProps)) {
    const propertyPath = join(path, name);
    const readerProp = readerProps[name];
    if (readerProp !== undefined) {
      if (readerRequired.has(name) && !writerRequired.has(name)) {
        found.push(violation(propertyPath, 'PROPERTY_MADE_REQUIRED', 'optional before, required now'));
      }
      found.push(...compare(writerProp, readerProp, propertyPath));
      continue;
    }
    // Old documents may carry this property: the reader must still accept it as an extra one.
    if (acceptsNothing(readerAdditional)) {
      found.push(
        writerRequired.has(name)
          ? violation(
              propertyPath,
              'REQUIRED_PROPERTY_REMOVED',
              'required before, removed now, and additional properties are not allowed',
            )
          : violation(propertyPath, 'PROPERTY_REMOVED', 'removed, and additional properties are not allowed'),
      );
    } else if (readerRequired.has(name) && !writerRequired.has(name)) {
      found.push(violation(propertyPath, 'PROPERTY_MADE_REQUIRED', 'optional before, required now'));
    } else {
      found.push(...compare(writerProp, readerAdditional, propertyPath));
    }
  }

  for (const [name, readerProp] of Object.entries(readerProps)) {
    if (name in writerProps) continue;
    const propertyPath = join(path, name);
    if (readerRequired.has(name)) {
      found.push(
        violation(propertyPath, 'REQUIRED_PROPERTY_ADDED', 'added as required; old documents lack it'),
      );
      continue;
    }
    // Old documents can only hold this property if the old schema allowed extra properties.
    if (acceptsNothing(writerAdditional)) continue;
    const problems = compare(writerAdditional, readerProp, propertyPath);
    if (problems.length > 0) {
      found.push(
        violation(
          propertyPath,
          'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
          'added with constraints while the old schema allowed any extra property',
        ),
      );
    }
  }

  for (const name of readerRequired) {
    if (!(name in writerProps) && !(name in readerProps) && !writerRequired.has(name)) {
      found.push(
        violation(join(path, name), 'REQUIRED_PROPERTY_ADDED', 'added as required; old documents lack it'),
      );
    }
  }

  // Extra (undeclared) properties of old documents.
  if (!acceptsNothing(writerAdditional)) {
    if (acceptsNothing(readerAdditional)) {
      found.push(
        violation(
          join(path, '*'),
          'ADDITIONAL_PROPERTIES_NARROWED',
          'extra properties were allowed and no longer are',
        ),
      );
    } else {
      found.push(...compare(writerAdditional, readerAdditional, join(path, '*')));
    }
  }

  const readerNames = reader['propertyNames'];
  if (readerNames !== undefined) {
    found.push(
      ...compare(writer['propertyNames'] ?? { type: 'string' }, readerNames, join(path, '(property names)')),
    );
  }
  return found;
}

function compareArrays(writer: JsonObject, reader: JsonObject, path: string): CompatibilityViolation[] {
  const writerItems = writer['items'] ?? true;
  const readerItems = reader['items'] ?? true;
  if (Array.isArray(writerItems) || Array.isArray(readerItems)) {
    return jsonEqual(stripAnnotations(writerItems), stripAnnotations(readerItems))
      ? []
      : [violation(path, 'UNSUPPORTED_CHANGE', 'tuple items changed')];
  }
  return compare(writerItems, readerItems, join(path, '[]'));
}
