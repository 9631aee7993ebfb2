import { readFile } from 'node:fs/promises';
import ajvModule from 'ajv';
import { describe, expect, it } from 'vitest';
import { entityCatalog } from '../../schemas/entityCatalog.js';
import { staleGeneratedSchemas } from '../../schemas/generatedSchemas.js';
import {
  isJsonObject,
  type JsonValue,
  publishedJsonSchema,
  serializeSchemaFile,
} from '../../schemas/jsonSchema.js';
import { defaultSchemasDir, generatedFile } from '../../schemas/schemaHistory.js';
import { sampleRecord } from './samples.js';

// The registry client's own Ajv (v7, hoisted from @kafkajs/confluent-schema-registry), with its
// default (strict) options. CommonJS interop differs between loaders, hence the unwrapping.
type AjvConstructor = new () => { compile(schema: object): (data: unknown) => boolean };
const AjvClass =
  (ajvModule as unknown as { default?: AjvConstructor }).default ?? (ajvModule as unknown as AjvConstructor);

/** Paths of properties without a description, walking properties, items and anyOf. */
function undocumented(schema: JsonValue, path: string, out: string[]): string[] {
  if (!isJsonObject(schema)) return out;
  const properties = schema['properties'];
  if (isJsonObject(properties)) {
    for (const [name, property] of Object.entries(properties)) {
      const childPath = path === '' ? name : `${path}.${name}`;
      if (
        !isJsonObject(property) ||
        typeof property['description'] !== 'string' ||
        property['description'] === ''
      ) {
        out.push(childPath);
      }
      undocumented(property, childPath, out);
    }
  }
  const items = schema['items'];
  if (items !== undefined) undocumented(items, `${path}[]`, out);
  const additional = schema['additionalProperties'];
  if (isJsonObject(additional)) undocumented(additional, `${path}.*`, out);
  const union = schema['anyOf'];
  if (Array.isArray(union)) for (const branch of union) undocumented(branch, path, out);
  return out;
}

describe('generated JSON Schema', () => {
  it('matches the committed snapshots (run "tributary schemas generate" after a schema change)', async () => {
    expect(await staleGeneratedSchemas(entityCatalog, defaultSchemasDir())).toEqual([]);
  });

  it('is byte-for-byte stable across generations', async () => {
    for (const contract of entityCatalog) {
      const committed = await readFile(generatedFile(defaultSchemasDir(), contract.entity), 'utf8');
      expect(serializeSchemaFile(publishedJsonSchema(contract.schema))).toBe(committed);
      expect(serializeSchemaFile(publishedJsonSchema(contract.schema))).toBe(committed);
    }
  });

  it.each(entityCatalog.map((contract) => contract.entity))(
    '%s: describes the entity and every field',
    (entity) => {
      const contract = entityCatalog.find((candidate) => candidate.entity === entity);
      const schema = publishedJsonSchema(contract?.schema ?? entityCatalog[0]!.schema);
      expect(typeof schema['description']).toBe('string');
      expect(undocumented(schema, '', [])).toEqual([]);
    },
  );

  it.each(entityCatalog.map((contract) => contract.entity))(
    '%s: compiles in a default Ajv and agrees with zod on samples',
    (entity) => {
      const contract = entityCatalog.find((candidate) => candidate.entity === entity);
      if (!contract) throw new Error(entity);
      const validate = new AjvClass().compile(publishedJsonSchema(contract.schema));
      const good = sampleRecord(entity);
      expect(validate(good)).toBe(true);
      const bad = { ...good, data: { ...(good['data'] as object), unexpectedField: 1 } };
      expect(validate(bad)).toBe(false);
      const noId = { ...good };
      delete noId['id'];
      expect(validate(noId)).toBe(false);
    },
  );

  it('writes money amounts as strings and draft-07 without format keywords', () => {
    const schema = JSON.stringify(publishedJsonSchema(entityCatalog[0]!.schema));
    expect(schema).toContain('"$schema":"http://json-schema.org/draft-07/schema#"');
    expect(schema).not.toContain('"format"');
    const employee = publishedJsonSchema(entityCatalog[0]!.schema) as {
      properties: {
        data: {
          properties: {
            compensation: {
              anyOf: [{ properties: { annualized: { properties: { amount: { type: string } } } } }];
            };
          };
        };
      };
    };
    expect(
      employee.properties.data.properties.compensation.anyOf[0].properties.annualized.properties.amount.type,
    ).toBe('string');
  });
});
