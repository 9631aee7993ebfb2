import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EntityContract } from './entityContract.js';
import { publishedJsonSchema, serializeSchemaFile } from './jsonSchema.js';
import { generatedFile } from './schemaHistory.js';

/**
 * Committed snapshots of every contract's published JSON Schema (schemas/generated/). They make
 * a schema change visible in review and let a test fail when generation changed silently
 * (a zod upgrade, an edited description) without anyone regenerating.
 */
export async function writeGeneratedSchemas(
  contracts: readonly EntityContract[],
  schemasDir: string,
): Promise<{ written: string[]; unchanged: string[] }> {
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const contract of contracts) {
    const path = generatedFile(schemasDir, contract.entity);
    const text = serializeSchemaFile(publishedJsonSchema(contract.schema));
    if ((await readIfExists(path)) === text) {
      unchanged.push(contract.entity);
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    written.push(contract.entity);
  }
  return { written, unchanged };
}

/** Entities whose committed snapshot is missing or differs from what the code generates now. */
export async function staleGeneratedSchemas(
  contracts: readonly EntityContract[],
  schemasDir: string,
): Promise<string[]> {
  const stale: string[] = [];
  for (const contract of contracts) {
    const text = serializeSchemaFile(publishedJsonSchema(contract.schema));
    if ((await readIfExists(generatedFile(schemasDir, contract.entity))) !== text)
      stale.push(contract.entity);
  }
  return stale;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
