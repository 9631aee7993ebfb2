import pkg from '@kafkajs/confluent-schema-registry';
import { TributaryError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import { assertNoViolations, checkContracts } from './compatibilityGate.js';
import { type EntityContract, valueSubject } from './entityContract.js';
import { serializeForRegistry } from './jsonSchema.js';
import { createRegistryClient, type SchemaRegistryClient, translateRegistryError } from './registryClient.js';
import type { SchemaHistory } from './schemaHistory.js';

export { CanonicalCodec } from './canonicalCodec.js';

const { SchemaType, COMPATIBILITY } = pkg;

/**
 * Compatibility level of every canonical subject. BACKWARD_TRANSITIVE: consumers upgrade first
 * and must read the whole compacted topic, which keeps records written under every version.
 */
export const canonicalCompatibility = COMPATIBILITY.BACKWARD_TRANSITIVE;

export interface RegisterSchemasOptions {
  /** ccompat base URL, e.g. http://127.0.0.1:18081/apis/ccompat/v7 */
  registryUrl: string;
  contracts: readonly EntityContract[];
  history: SchemaHistory;
  log?: Logger;
  /** @default a client for registryUrl */
  client?: SchemaRegistryClient;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

export interface SubjectRegistration {
  entity: string;
  subject: string;
  contractVersion: number;
  /** Registry id of the current (latest) contract version's schema. */
  schemaId: number;
  /** Registry ids of v1..version, in order. */
  schemaIds: number[];
}

/** PUT /config/<subject>: sets the subject's compatibility level (idempotent). */
export async function setSubjectCompatibility(
  registryUrl: string,
  subject: string,
  level: string,
  fetchImpl: typeof fetch = globalThis.fetch,
): Promise<void> {
  const url = `${registryUrl.replace(/\/+$/, '')}/config/${encodeURIComponent(subject)}`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: level }),
    });
  } catch (error) {
    throw new TributaryError('HTTP_ERROR', `set compatibility of ${subject}: registry unreachable`, {
      cause: error,
      retryable: true,
    });
  }
  if (!response.ok) {
    const body = await response.text();
    throw new TributaryError(
      'HTTP_ERROR',
      `set compatibility of ${subject}: registry answered ${response.status}: ${body.slice(0, 300)}`,
      { retryable: response.status >= 500 || response.status === 429, details: { status: response.status } },
    );
  }
}

/**
 * Registers every contract's published history (v1..version, in order) under `<topic>-value`
 * with BACKWARD_TRANSITIVE compatibility. The local gate runs first over all contracts, so an
 * incompatible change is rejected before anything reaches the registry. Registering the whole
 * history (not just the latest) keeps the registry's own transitive check meaningful after it
 * restarts empty, and is idempotent: an already registered schema returns its existing id.
 */
export async function registerCanonicalSchemas(
  options: RegisterSchemasOptions,
): Promise<SubjectRegistration[]> {
  assertNoViolations(await checkContracts(options.contracts, options.history));
  const client = options.client ?? createRegistryClient(options.registryUrl);
  const registrations: SubjectRegistration[] = [];
  for (const contract of options.contracts) {
    const subject = valueSubject(contract.topic);
    await setSubjectCompatibility(options.registryUrl, subject, canonicalCompatibility, options.fetch);
    const published = await options.history.versions(contract.entity);
    const schemaIds: number[] = [];
    for (const entry of published) {
      try {
        const { id } = await client.register(
          { type: SchemaType.JSON, schema: serializeForRegistry(entry.schema) },
          { subject, compatibility: canonicalCompatibility },
        );
        schemaIds.push(id);
      } catch (error) {
        throw translateRegistryError(error, `register ${contract.entity} v${entry.version} under ${subject}`);
      }
    }
    const schemaId = schemaIds.at(-1);
    if (schemaId === undefined) {
      throw new TributaryError('INVALID_STATE', `${contract.entity}: no published schema to register`);
    }
    registrations.push({
      entity: contract.entity,
      subject,
      contractVersion: contract.version,
      schemaId,
      schemaIds,
    });
    options.log?.info(
      { entity: contract.entity, subject, schemaId, versions: schemaIds.length },
      'schema registered',
    );
  }
  return registrations;
}
