import pkg from '@kafkajs/confluent-schema-registry';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod/v4';
import { canonicalRecordSchema } from '../../schemas/canonicalRecord.js';
import { publishContract } from '../../schemas/compatibilityGate.js';
import { employeeSchema } from '../../schemas/entities/employee.js';
import { contractFor } from '../../schemas/entityCatalog.js';
import type { EntityContract } from '../../schemas/entityContract.js';
import { publishedJsonSchema, serializeForRegistry } from '../../schemas/jsonSchema.js';
import { CanonicalCodec, registerCanonicalSchemas } from '../../schemas/registry.js';
import { createRegistryClient } from '../../schemas/registryClient.js';
import { fileSchemaHistory, memorySchemaHistory } from '../../schemas/schemaHistory.js';
import { endpoints, testLogger, uniqueName } from '../helpers/stack.js';
import { sampleData, sampleRecord } from './samples.js';

const { SchemaRegistry, SchemaType } = pkg;

function registryUrl(): string {
  return endpoints().schemaRegistryUrl;
}

/** A catalog contract moved to a fresh topic, so this run's subjects are its own. */
function onFreshTopic(entity: string, overrides: Partial<EntityContract> = {}): EntityContract {
  return { ...contractFor(entity), topic: uniqueName(`canonical.test-${entity}`), ...overrides };
}

async function registryGet(path: string): Promise<unknown> {
  const response = await fetch(`${registryUrl()}${path}`);
  expect(response.ok, `GET ${path} answered ${response.status}`).toBe(true);
  return response.json();
}

async function compatibilityOf(subject: string, schema: object): Promise<boolean> {
  const response = await fetch(
    `${registryUrl()}/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schemaType: 'JSON', schema: JSON.stringify(schema) }),
    },
  );
  expect(response.ok).toBe(true);
  return ((await response.json()) as { is_compatible: boolean }).is_compatible;
}

describe('schema registry integration (Apicurio ccompat)', () => {
  it('registers canonical subjects with BACKWARD_TRANSITIVE, idempotently, and looks schemas up by id', async () => {
    const contracts = [onFreshTopic('employee'), onFreshTopic('invoice')];
    const options = {
      registryUrl: registryUrl(),
      contracts,
      history: fileSchemaHistory(),
      log: testLogger(),
    };
    const first = await registerCanonicalSchemas(options);
    const again = await registerCanonicalSchemas(options);
    expect(again).toEqual(first);

    for (const [index, registration] of first.entries()) {
      const contract = contracts[index];
      if (!contract) throw new Error('contract');
      expect(registration.subject).toBe(`${contract.topic}-value`);
      expect(await registryGet(`/config/${encodeURIComponent(registration.subject)}`)).toEqual({
        compatibilityLevel: 'BACKWARD_TRANSITIVE',
      });
      // Every published contract version is registered, in order (invoice is at v2).
      expect(await registryGet(`/subjects/${encodeURIComponent(registration.subject)}/versions`)).toEqual(
        Array.from({ length: contract.version }, (_, index) => index + 1),
      );
      const byId = (await registryGet(`/schemas/ids/${registration.schemaId}`)) as {
        schema: string;
        schemaType: string;
      };
      expect(byId.schemaType).toBe('JSON');
      expect(JSON.parse(byId.schema)).toEqual(publishedJsonSchema(contract.schema));
    }
  });

  it('writes the Confluent wire format that the registry client alone decodes', async () => {
    const contract = onFreshTopic('employee');
    const [registration] = await registerCanonicalSchemas({
      registryUrl: registryUrl(),
      contracts: [contract],
      history: fileSchemaHistory(),
    });
    const codec = new CanonicalCodec(registryUrl(), { contracts: [contract] });
    const record = sampleRecord('employee');
    const buffer = await codec.encode('employee', record);

    expect(buffer.readUInt8(0)).toBe(0);
    expect(buffer.readUInt32BE(1)).toBe(registration?.schemaId);

    // A plain client with default options: no Tributary code involved in decoding.
    const plain = new SchemaRegistry({ host: registryUrl() });
    expect(await plain.decode(buffer)).toEqual(record);
    expect(await codec.decode(buffer)).toEqual(record);
    expect(await codec.decodeAs('employee', buffer)).toEqual(record);
  });

  it('validates before encoding: errors name entity, path and expected type, not the value', async () => {
    const contract = onFreshTopic('invoice');
    const codec = new CanonicalCodec(registryUrl(), { contracts: [contract] });
    const record = sampleRecord('invoice', {
      ...sampleData['invoice'],
      total: { amount: 119.5, currency: 'EUR' },
    });
    await expect(codec.encode('invoice', record)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'invalid invoice record: data.total.amount: expected string',
    });
  });

  it('refuses to encode for a schema nobody registered, pointing at "schemas register"', async () => {
    const codec = new CanonicalCodec(registryUrl(), { contracts: [onFreshTopic('vendor')] });
    await expect(codec.encode('vendor', sampleRecord('vendor'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('schemas register'),
    });
  });

  it('evolves: an added optional field registers as the next version; a breaking change never reaches the registry', async () => {
    const topic = uniqueName('canonical.test-employee');
    const subject = `${topic}-value`;
    const v1 = onFreshTopic('employee', { topic });
    const history = memorySchemaHistory({
      employee: [{ version: 1, schema: publishedJsonSchema(v1.schema) }],
    });
    await registerCanonicalSchemas({ registryUrl: registryUrl(), contracts: [v1], history });

    const withBadge = employeeSchema.extend({
      badgeId: z.string().nullable().optional().describe('Badge id.'),
    });
    const v2: EntityContract = {
      ...v1,
      version: 2,
      dataSchema: withBadge,
      schema: canonicalRecordSchema('employee', withBadge),
    };
    expect(await publishContract(v2, history)).toBe('published');
    const [registered] = await registerCanonicalSchemas({
      registryUrl: registryUrl(),
      contracts: [v2],
      history,
    });
    expect(await registryGet(`/subjects/${encodeURIComponent(subject)}/versions`)).toEqual([1, 2]);
    expect(registered?.schemaIds).toHaveLength(2);

    // Records written with v2 decode with the plain client too.
    const codec = new CanonicalCodec(registryUrl(), { contracts: [v2] });
    const record = sampleRecord('employee', { ...sampleData['employee'], badgeId: 'B-7' });
    const buffer = await codec.encode('employee', record);
    expect(buffer.readUInt32BE(1)).toBe(registered?.schemaId);
    expect(await new SchemaRegistry({ host: registryUrl() }).decode(buffer)).toEqual(record);

    // v3 removes a required field: the local gate refuses it before any HTTP request.
    const withoutNumber = withBadge.omit({ employeeNumber: true });
    const v3: EntityContract = {
      ...v2,
      version: 3,
      dataSchema: withoutNumber,
      schema: canonicalRecordSchema('employee', withoutNumber),
    };
    await history.publish('employee', { version: 3, schema: publishedJsonSchema(v3.schema) }); // forced, as if edited by hand
    const client = createRegistryClient(registryUrl());
    const register = vi.spyOn(client, 'register');
    const fetchSpy = vi.fn(fetch);
    await expect(
      registerCanonicalSchemas({
        registryUrl: registryUrl(),
        contracts: [v3],
        history,
        client,
        fetch: fetchSpy,
      }),
    ).rejects.toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
      message: expect.stringContaining('employee: data.employeeNumber: REQUIRED_PROPERTY_REMOVED (vs v1)'),
    });
    expect(register).not.toHaveBeenCalled();
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(await registryGet(`/subjects/${encodeURIComponent(subject)}/versions`)).toEqual([1, 2]);
  });

  it('the registry itself rejects a breaking change on a BACKWARD_TRANSITIVE subject', async () => {
    const contract = onFreshTopic('fx_rate');
    const [registration] = await registerCanonicalSchemas({
      registryUrl: registryUrl(),
      contracts: [contract],
      history: fileSchemaHistory(),
    });
    const subject = registration?.subject ?? '';
    const fxData = contract.dataSchema;
    const compatible = canonicalRecordSchema('fx_rate', fxData.extend({ note: z.string().optional() }));
    const narrowed = canonicalRecordSchema('fx_rate', fxData.extend({ rate: z.number() }));
    const requiredAdded = canonicalRecordSchema('fx_rate', fxData.extend({ note: z.string() }));
    expect(await compatibilityOf(subject, publishedJsonSchema(compatible))).toBe(true);
    expect(await compatibilityOf(subject, publishedJsonSchema(narrowed))).toBe(false);
    expect(await compatibilityOf(subject, publishedJsonSchema(requiredAdded))).toBe(false);

    // Bypassing our gate, a direct registration is refused by the registry (409 → SCHEMA_INCOMPATIBLE).
    const client = new SchemaRegistry({ host: registryUrl() });
    await expect(
      client.register(
        { type: SchemaType.JSON, schema: serializeForRegistry(publishedJsonSchema(narrowed)) },
        { subject, compatibility: pkg.COMPATIBILITY.BACKWARD_TRANSITIVE },
      ),
    ).rejects.toMatchObject({ status: 409 });
    expect(await registryGet(`/subjects/${encodeURIComponent(subject)}/versions`)).toEqual([1]);
  });
});
