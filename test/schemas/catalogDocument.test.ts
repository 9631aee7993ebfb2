import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogFields, renderCatalogMarkdown, writeCatalog } from '../../schemas/catalogDocument.js';
import { entityCatalog } from '../../schemas/entityCatalog.js';
import { documentedJsonSchema, publishedJsonSchema, serializeSchemaFile } from '../../schemas/jsonSchema.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('entity catalog document', () => {
  const markdown = renderCatalogMarkdown(entityCatalog);

  it('is committed as generated: docs/catalog matches the contracts (run `npx tributary schemas catalog`)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'catalog-'));
    dirs.push(dir);
    const files = await writeCatalog(entityCatalog, dir);
    const committed = join(import.meta.dirname, '..', '..', 'docs', 'catalog');
    for (const file of files) {
      const name = file.slice(dir.length + 1);
      expect(await readFile(join(committed, name), 'utf8'), `docs/catalog/${name} is stale`).toBe(
        await readFile(file, 'utf8'),
      );
    }
  });

  it('documents every entity with topic, subject, identity rule and provenance', () => {
    for (const contract of entityCatalog) {
      expect(markdown).toContain(`## ${contract.entity}\n`);
      expect(markdown).toContain(`\`${contract.topic}-value\``);
      expect(markdown).toContain(contract.identityRule.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    }
    expect(markdown).toContain('## Provenance rule');
    expect(markdown).toContain('`rawOffset`');
    expect(markdown).toContain('BACKWARD_TRANSITIVE');
  });

  it('lists every field of every entity with type, unit and description', () => {
    for (const contract of entityCatalog) {
      const fields = catalogFields(documentedJsonSchema(contract.dataSchema), contract.units);
      expect(fields.length).toBeGreaterThan(3);
      for (const field of fields) {
        expect(field.description, `${contract.entity}.${field.path}`).not.toBe('');
        expect(markdown).toContain(`| \`${field.path}\` |`);
      }
      // Every declared unit names a real field.
      for (const [path, unit] of Object.entries(contract.units)) {
        expect(fields.find((field) => field.path === path)?.unit, `${contract.entity}.${path}`).toBe(unit);
      }
    }
  });

  it('renders money as one field with its currency unit and nested line fields with []', () => {
    const invoice = entityCatalog.find((contract) => contract.entity === 'invoice');
    if (!invoice) throw new Error('invoice');
    const fields = catalogFields(documentedJsonSchema(invoice.dataSchema), invoice.units);
    const total = fields.find((field) => field.path === 'total');
    expect(total?.type).toBe('Money \\| null');
    expect(total?.unit).toContain('ISO 4217');
    expect(fields.some((field) => field.path === 'total.amount')).toBe(false);
    expect(fields.find((field) => field.path === 'lines[].taxRatePercent')?.unit).toBe('percent');
  });

  it('writes README.md, index.json and the published JSON Schema of every entity', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'catalog-'));
    dirs.push(dir);
    const files = await writeCatalog(entityCatalog, dir);
    expect(files).toHaveLength(entityCatalog.length + 2);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe(markdown);
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as {
      entities: { subject: string }[];
    };
    expect(index.entities.map((entry) => entry.subject)).toEqual(
      entityCatalog.map((c) => `${c.topic}-value`),
    );
    for (const contract of entityCatalog) {
      expect(await readFile(join(dir, `${contract.entity}.schema.json`), 'utf8')).toBe(
        serializeSchemaFile(publishedJsonSchema(contract.schema)),
      );
    }
  });
});
