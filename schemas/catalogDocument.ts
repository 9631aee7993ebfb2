import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod/v4';
import { canonicalRecordSchema } from './canonicalRecord.js';
import { compatibilityRules } from './compatibility.js';
import { type EntityContract, valueSubject } from './entityContract.js';
import {
  documentedJsonSchema,
  isJsonObject,
  type JsonObject,
  publishedJsonSchema,
  serializeSchemaFile,
} from './jsonSchema.js';
import { fieldProvenanceSchema } from './provenance.js';
import { canonicalCompatibility } from './registry.js';

/** One documented field of an entity, flattened from its JSON Schema. */
export interface CatalogField {
  path: string;
  type: string;
  required: boolean;
  unit: string;
  description: string;
}

const moneyUnit = 'currency given by its `currency` (ISO 4217); amount at minor-unit precision';

function nonNullBranch(schema: JsonObject): { schema: JsonObject; nullable: boolean } {
  const union = schema['anyOf'];
  if (Array.isArray(union)) {
    const others = union.filter((branch) => !(isJsonObject(branch) && branch['type'] === 'null'));
    const [single] = others;
    if (others.length === 1 && isJsonObject(single)) {
      return {
        schema: { ...single, description: schema['description'] ?? single['description'] ?? '' },
        nullable: true,
      };
    }
  }
  return { schema, nullable: false };
}

function isMoney(schema: JsonObject): boolean {
  const properties = schema['properties'];
  return isJsonObject(properties) && Object.keys(properties).sort().join(',') === 'amount,currency';
}

function typeLabel(schema: JsonObject): string {
  if (isMoney(schema)) return 'Money';
  const type = schema['type'];
  if (Array.isArray(schema['enum']))
    return `enum: ${schema['enum'].map((value) => String(value)).join(', ')}`;
  if ('const' in schema) return `const ${JSON.stringify(schema['const'])}`;
  if (type === 'array') {
    const items = schema['items'];
    return `array of ${isJsonObject(items) ? typeLabel(nonNullBranch(items).schema) : 'any'}`;
  }
  if (type === 'string') {
    const format = schema['format'];
    if (typeof format === 'string') return `string (${format})`;
    const pattern = schema['pattern'];
    return typeof pattern === 'string' ? `string matching \`${pattern}\`` : 'string';
  }
  if (type === 'integer' || type === 'number') {
    const bounds: string[] = [];
    const minimum = schema['minimum'];
    const maximum = schema['maximum'];
    if (typeof minimum === 'number') bounds.push(`≥ ${minimum}`);
    if (typeof maximum === 'number' && maximum < Number.MAX_SAFE_INTEGER) bounds.push(`≤ ${maximum}`);
    return [type, ...bounds].join(' ');
  }
  if (typeof type === 'string') return type;
  if (Object.keys(schema).every((key) => key === 'description')) return 'any JSON';
  return 'see JSON Schema';
}

function defaultUnit(schema: JsonObject): string {
  if (isMoney(schema)) return moneyUnit;
  if (schema['format'] === 'date') return 'calendar date';
  if (schema['format'] === 'date-time') return 'UTC instant';
  return '';
}

/** Flattens an object schema into documented fields; Money is one field, arrays use `[]`. */
export function catalogFields(
  objectSchema: JsonObject,
  units: Readonly<Record<string, string>> = {},
  prefix = '',
): CatalogField[] {
  const properties = objectSchema['properties'];
  if (!isJsonObject(properties)) return [];
  const required = new Set(Array.isArray(objectSchema['required']) ? objectSchema['required'] : []);
  const fields: CatalogField[] = [];
  for (const [name, raw] of Object.entries(properties)) {
    if (!isJsonObject(raw)) continue;
    const path = prefix === '' ? name : `${prefix}.${name}`;
    const { schema, nullable } = nonNullBranch(raw);
    const description = typeof raw['description'] === 'string' ? raw['description'] : '';
    fields.push({
      path,
      type: `${typeLabel(schema)}${nullable ? ' \\| null' : ''}`,
      required: required.has(name),
      unit: units[path] ?? defaultUnit(schema),
      description,
    });
    if (isMoney(schema)) continue;
    if (schema['type'] === 'object') fields.push(...catalogFields(schema, units, path));
    const items = schema['items'];
    if (schema['type'] === 'array' && isJsonObject(items)) {
      const element = nonNullBranch(items).schema;
      if (element['type'] === 'object' && !isMoney(element))
        fields.push(...catalogFields(element, units, `${path}[]`));
    }
  }
  return fields;
}

/** Markdown text: one line, `<`/`>` outside code spans escaped so `<entity>` is not taken for HTML. */
function text(value: string): string {
  return value
    .replace(/\r?\n/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
}

/** A table cell: markdown text with pipes escaped. */
function cell(value: string): string {
  return text(value).replace(/(?<!\\)\|/g, '\\|');
}

function fieldTable(fields: readonly CatalogField[]): string {
  const rows = fields.map(
    (field) =>
      `| \`${field.path}\` | ${cell(field.type)} | ${field.required ? 'yes' : 'no'} | ${cell(field.unit)} | ${cell(field.description)} |`,
  );
  return [
    '| Field | Type | Required | Unit | Description |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function anchor(entity: string): string {
  return entity.replace(/_/g, '-');
}

/** The catalog README: what a downstream team or an LLM tool reads to use the canonical topics. */
export function renderCatalogMarkdown(contracts: readonly EntityContract[]): string {
  const envelope = documentedJsonSchema(
    canonicalRecordSchema('<entity>', z.object({}).describe('The entity fields (see each entity below).')),
  );
  const provenance = documentedJsonSchema(fieldProvenanceSchema);
  const out: string[] = [];
  out.push('# Tributary canonical entity catalog');
  out.push('');
  out.push(
    '<!-- Generated by `tributary schemas catalog` from the zod contracts in schemas/. Do not edit by hand. -->',
  );
  out.push('');
  out.push(
    'Every canonical entity is published on a compacted Kafka topic `canonical.<entity>`, keyed by the canonical id, ' +
      'with values in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, UTF-8 JSON). ' +
      'The value schema is registered under the subject `<topic>-value` ' +
      `with compatibility \`${canonicalCompatibility}\`: a new contract version can read every record written under any earlier version. ` +
      'The JSON Schema of each topic value is next to this file (`<entity>.schema.json`, draft-07).',
  );
  out.push('');
  out.push('## Entities');
  out.push('');
  out.push('| Entity | Topic | Subject | Contract version | Business key | Description |');
  out.push('| --- | --- | --- | --- | --- | --- |');
  for (const contract of contracts) {
    out.push(
      `| [${contract.entity}](#${anchor(contract.entity)}) | \`${contract.topic}\` | \`${valueSubject(contract.topic)}\` | ${contract.version} | ${contract.businessKey.map((key) => `\`${key}\``).join(', ')} | ${cell(contract.description)} |`,
    );
  }
  out.push('');
  out.push('## Conventions');
  out.push('');
  out.push(
    '- **Money** is `{ "amount": "<decimal string>", "currency": "<ISO 4217>" }`; the amount is never a JSON number and carries at most the currency minor-unit precision (2 for USD, 0 for JPY, 3 for KWD).',
  );
  out.push('- **Dates** are ISO 8601 calendar dates (`YYYY-MM-DD`); **instants** are ISO 8601 UTC with `Z`.');
  out.push('- **Codes**: countries ISO 3166-1 alpha-2, currencies ISO 4217, phone numbers E.164.');
  out.push("- **References** to other entities (`…Id` fields) hold the referenced record's canonical id.");
  out.push(
    '- **Absent vs null**: optional fields may be absent or null when no source supplies them; consumers treat both as unknown.',
  );
  out.push(
    '- **Ordering and versions**: a record replaces an earlier one with the same key only when its `version` is higher.',
  );
  out.push('');
  out.push('## Record envelope');
  out.push('');
  out.push('Every topic value has these fields around the entity-specific `data`:');
  out.push('');
  out.push(fieldTable(catalogFields(envelope).filter((field) => !field.path.startsWith('data.'))));
  out.push('');
  out.push('## Provenance rule');
  out.push('');
  out.push(
    '`provenance` maps the path of every populated field of `data` (dot-separated; array items by index, e.g. `lines.0.netAmount`; ' +
      'a Money value as one field) to where its value came from: the raw record it was read from down to topic, partition and offset, ' +
      'when it was observed, which mapping version produced it and the transformation applied (`copy` when none). Each entry has:',
  );
  out.push('');
  out.push(fieldTable(catalogFields(provenance)));
  out.push('');
  out.push('## Schema evolution');
  out.push('');
  out.push(
    'Each contract has an integer version; its published JSON Schemas are committed as `schemas/history/<entity>/v<N>.schema.json`. ' +
      'A change is accepted only if the new schema accepts every record valid under every earlier version (BACKWARD_TRANSITIVE). ' +
      'Typical compatible changes: adding an optional field, making a required field optional, adding an enum value, allowing null. ' +
      `Rules enforced by the gate: ${compatibilityRules.map((rule) => `\`${rule}\``).join(', ')}.`,
  );
  for (const contract of contracts) {
    out.push('');
    out.push(`## ${contract.entity}`);
    out.push('');
    out.push(text(contract.description));
    out.push('');
    out.push(
      `- Topic: \`${contract.topic}\`; subject \`${valueSubject(contract.topic)}\`; contract version ${contract.version}; JSON Schema [\`${contract.entity}.schema.json\`](./${contract.entity}.schema.json)`,
    );
    out.push(`- Identity rule: ${text(contract.identityRule)}`);
    out.push(`- Provenance: ${text(contract.provenanceNotes)}`);
    out.push('');
    out.push(fieldTable(catalogFields(documentedJsonSchema(contract.dataSchema), contract.units)));
  }
  out.push('');
  return out.join('\n');
}

/** Machine-readable index of the catalog, for tools. */
export function catalogIndex(contracts: readonly EntityContract[]): JsonObject {
  return {
    entities: contracts.map((contract) => ({
      entity: contract.entity,
      topic: contract.topic,
      subject: valueSubject(contract.topic),
      version: contract.version,
      compatibility: canonicalCompatibility,
      businessKey: [...contract.businessKey],
      identityRule: contract.identityRule,
      description: contract.description,
      schemaFile: `${contract.entity}.schema.json`,
    })),
  };
}

/** Writes README.md, index.json and <entity>.schema.json into outDir; returns the files written. */
export async function writeCatalog(contracts: readonly EntityContract[], outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const write = async (name: string, text: string): Promise<void> => {
    const path = join(outDir, name);
    await writeFile(path, text);
    files.push(path);
  };
  await write('README.md', renderCatalogMarkdown(contracts));
  await write('index.json', serializeSchemaFile(catalogIndex(contracts)));
  for (const contract of contracts) {
    await write(`${contract.entity}.schema.json`, serializeSchemaFile(publishedJsonSchema(contract.schema)));
  }
  return files;
}
