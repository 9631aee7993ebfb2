import pkg from '@kafkajs/confluent-schema-registry';
import { TributaryError } from '../platform/errors.js';
import { contractFor, entityCatalog } from './entityCatalog.js';
import { type EntityContract, valueSubject } from './entityContract.js';
import { publishedJsonSchema, serializeForRegistry } from './jsonSchema.js';
import { createRegistryClient, type SchemaRegistryClient, translateRegistryError } from './registryClient.js';
import { recordValidationError } from './validationIssues.js';
import { frameJson, JsonWireDecoder } from './wireFormat.js';

const { SchemaType } = pkg;

export interface CanonicalCodecOptions {
  /** @default entityCatalog */
  contracts?: readonly EntityContract[];
  /** @default a client for the registry URL */
  client?: SchemaRegistryClient;
}

/**
 * Encodes canonical records in the Confluent wire format (magic byte 0, 4-byte schema id,
 * JSON body) so any registry-aware consumer can decode them, and decodes such buffers.
 * Records are validated with the zod contract before anything is encoded.
 */
export class CanonicalCodec {
  readonly #contracts: readonly EntityContract[];
  readonly #client: SchemaRegistryClient;
  readonly #schemaIds = new Map<string, Promise<number>>();
  readonly #decoder: JsonWireDecoder;

  constructor(registryUrl: string, options: CanonicalCodecOptions = {}) {
    this.#contracts = options.contracts ?? entityCatalog;
    this.#client = options.client ?? createRegistryClient(registryUrl);
    this.#decoder = new JsonWireDecoder(this.#client);
  }

  /**
   * Registry id of the entity's current schema, looked up (not registered: registration is the
   * `schemas register` step's job, so a producer never publishes a schema by accident). Cached.
   */
  schemaIdFor(entity: string): Promise<number> {
    const cached = this.#schemaIds.get(entity);
    if (cached) return cached;
    const contract = contractFor(entity, this.#contracts);
    const subject = valueSubject(contract.topic);
    const lookup = this.#client
      .getRegistryIdBySchema(subject, {
        type: SchemaType.JSON,
        schema: serializeForRegistry(publishedJsonSchema(contract.schema)),
      })
      .catch((error: unknown) => {
        this.#schemaIds.delete(entity);
        const translated = translateRegistryError(error, `look up schema of ${entity} under ${subject}`);
        if (translated.code === 'NOT_FOUND') {
          throw new TributaryError(
            'NOT_FOUND',
            `${entity} v${contract.version} is not registered under ${subject}; run "tributary schemas register"`,
            { cause: error },
          );
        }
        throw translated;
      });
    this.#schemaIds.set(entity, lookup);
    return lookup;
  }

  async encode(entity: string, record: unknown): Promise<Buffer> {
    const contract = contractFor(entity, this.#contracts);
    const result = contract.schema.safeParse(record);
    if (!result.success) throw recordValidationError(entity, result.error.issues);
    const schemaId = await this.schemaIdFor(entity);
    // Framed directly: the registry client's encoder would validate again with ajv against the
    // JSON schema generated from this same zod contract (5 % of the merge stage's CPU).
    return frameJson(schemaId, JSON.stringify(result.data));
  }

  /** Decodes any registry-framed JSON record whose schema id the registry knows (not validated). */
  decode(buffer: Buffer): Promise<unknown> {
    return this.#decoder.decode(buffer);
  }

  /** Decodes and validates against the entity's current contract. */
  async decodeAs(entity: string, buffer: Buffer): Promise<unknown> {
    const contract = contractFor(entity, this.#contracts);
    const decoded = await this.decode(buffer);
    const result = contract.schema.safeParse(decoded);
    if (!result.success) throw recordValidationError(entity, result.error.issues);
    return result.data;
  }
}
