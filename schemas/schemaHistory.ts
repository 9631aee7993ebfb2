import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TributaryError } from '../platform/errors.js';
import { isJsonObject, type JsonObject, serializeSchemaFile } from './jsonSchema.js';

/** One published version of an entity's topic value schema. */
export interface PublishedSchema {
  version: number;
  schema: JsonObject;
}

/**
 * The published schema history of every entity. Files in the repository in production
 * (`fileSchemaHistory`), a map in tests.
 */
export interface SchemaHistory {
  /** Published versions of the entity, ascending by version. */
  versions(entity: string): Promise<PublishedSchema[]>;
  publish(entity: string, published: PublishedSchema): Promise<void>;
}

/** The schemas/ folder of this checkout (where history/ and generated/ live). */
export function defaultSchemasDir(): string {
  return fileURLToPath(new URL('.', import.meta.url));
}

export function historyFile(schemasDir: string, entity: string, version: number): string {
  return join(schemasDir, 'history', entity, `v${version}.schema.json`);
}

export function generatedFile(schemasDir: string, entity: string): string {
  return join(schemasDir, 'generated', `${entity}.schema.json`);
}

export async function readSchemaFile(path: string): Promise<JsonObject> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!isJsonObject(parsed)) {
    throw new TributaryError('VALIDATION_FAILED', `${path} does not hold a JSON Schema object`);
  }
  return parsed;
}

/** History kept as schemas/history/<entity>/v<N>.schema.json, committed with the code. */
export function fileSchemaHistory(schemasDir: string = defaultSchemasDir()): SchemaHistory {
  return {
    async versions(entity) {
      let names: string[];
      try {
        names = await readdir(join(schemasDir, 'history', entity));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const versions = names
        .map((name) => /^v([1-9]\d*)\.schema\.json$/.exec(name)?.[1])
        .filter((version): version is string => version !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
      return Promise.all(
        versions.map(async (version) => ({
          version,
          schema: await readSchemaFile(historyFile(schemasDir, entity, version)),
        })),
      );
    },
    async publish(entity, published) {
      const path = historyFile(schemasDir, entity, published.version);
      await mkdir(join(schemasDir, 'history', entity), { recursive: true });
      // 'wx': a published version is immutable; never overwrite one.
      await writeFile(path, serializeSchemaFile(published.schema), { flag: 'wx' });
    },
  };
}

/** In-memory history, for tests and dry runs. */
export function memorySchemaHistory(initial: Record<string, PublishedSchema[]> = {}): SchemaHistory {
  const store = new Map<string, PublishedSchema[]>(
    Object.entries(initial).map(([entity, list]) => [entity, [...list]]),
  );
  return {
    async versions(entity) {
      return [...(store.get(entity) ?? [])].sort((a, b) => a.version - b.version);
    },
    async publish(entity, published) {
      const list = store.get(entity) ?? [];
      if (list.some((existing) => existing.version === published.version)) {
        throw new TributaryError('INVALID_STATE', `${entity} v${published.version} is already published`);
      }
      store.set(entity, [...list, published]);
    },
  };
}
