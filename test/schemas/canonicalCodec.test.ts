import { describe, expect, it, vi } from 'vitest';
import { CanonicalCodec } from '../../schemas/canonicalCodec.js';
import type { SchemaRegistryClient } from '../../schemas/registryClient.js';
import { translateRegistryError } from '../../schemas/registryClient.js';
import { sampleData, sampleRecord } from './samples.js';

function fakeClient(overrides: Partial<Record<'getRegistryIdBySchema' | 'getSchema', unknown>> = {}) {
  const client = {
    getRegistryIdBySchema: vi.fn(async () => 41),
    getSchema: vi.fn(async () => ({})),
    ...overrides,
  };
  return client;
}

function codecWith(client: ReturnType<typeof fakeClient>): CanonicalCodec {
  return new CanonicalCodec('http://registry.invalid', { client: client as unknown as SchemaRegistryClient });
}

describe('CanonicalCodec', () => {
  it('validates with zod before touching the registry', async () => {
    const client = fakeClient();
    const record = sampleRecord('employee', { ...sampleData['employee'], hireDate: '2021-13-01' });
    await expect(codecWith(client).encode('employee', record)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'invalid employee record: data.hireDate: expected date string',
    });
    expect(client.getRegistryIdBySchema).not.toHaveBeenCalled();
  });

  it('looks the schema id up once per entity, under <topic>-value, and encodes the parsed record', async () => {
    const client = fakeClient();
    const codec = codecWith(client);
    const record = sampleRecord('employee');
    await codec.encode('employee', record);
    const buffer = await codec.encode('employee', record);
    expect(client.getRegistryIdBySchema).toHaveBeenCalledTimes(1);
    expect(client.getRegistryIdBySchema).toHaveBeenCalledWith(
      'canonical.employee-value',
      expect.objectContaining({ type: 'JSON' }),
    );
    // Confluent wire format: magic byte 0, schema id 41 big-endian, the JSON body.
    expect([...buffer.subarray(0, 5)]).toEqual([0, 0, 0, 0, 41]);
    expect(JSON.parse(buffer.subarray(5).toString('utf8'))).toEqual(record);
    expect(await codec.decode(buffer)).toEqual(record);
    expect(await codec.decode(buffer)).toEqual(record);
    // The decoder checks that the registry knows the id, once per id.
    expect(client.getSchema).toHaveBeenCalledTimes(1);
    expect(client.getSchema).toHaveBeenCalledWith(41);
  });

  it('does not cache a failed lookup, and explains an unregistered schema', async () => {
    const notFound = Object.assign(new Error('Schema not found'), { name: 'ConfluentSchemaRegistryError' });
    const client = fakeClient({
      getRegistryIdBySchema: vi.fn().mockRejectedValueOnce(notFound).mockResolvedValueOnce(7),
    });
    const codec = codecWith(client);
    await expect(codec.encode('vendor', sampleRecord('vendor'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('run "tributary schemas register"'),
    });
    const buffer = await codec.encode('vendor', sampleRecord('vendor'));
    expect(buffer.readUInt32BE(1)).toBe(7);
  });

  it('rejects an unknown entity by name', async () => {
    await expect(codecWith(fakeClient()).encode('payslip', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('translateRegistryError', () => {
  it('maps statuses and client errors to codes and retryability', () => {
    const http = (status: number) => Object.assign(new Error(`status ${status}`), { status });
    expect(translateRegistryError(http(409), 'x')).toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
      retryable: false,
    });
    expect(translateRegistryError(http(503), 'x')).toMatchObject({ code: 'HTTP_ERROR', retryable: true });
    expect(translateRegistryError(http(422), 'x')).toMatchObject({ code: 'HTTP_ERROR', retryable: false });
    expect(translateRegistryError(new TypeError('fetch failed'), 'x')).toMatchObject({ retryable: true });
    const invalid = Object.assign(new Error('invalid payload'), {
      name: 'ConfluentSchemaRegistryValidationError',
      paths: [['/data/hireDate']],
    });
    expect(translateRegistryError(invalid, 'decode')).toMatchObject({
      code: 'VALIDATION_FAILED',
      retryable: false,
      message: 'decode: invalid payload at /data/hireDate',
    });
  });
});
