import { describe, expect, it, vi } from 'vitest';
import type { SchemaRegistryClient } from '../../schemas/registryClient.js';
import { frameJson, JsonWireDecoder, readFrame } from '../../schemas/wireFormat.js';

function decoderWith(getSchema: () => Promise<unknown>): JsonWireDecoder {
  return new JsonWireDecoder({ getSchema: vi.fn(getSchema) } as unknown as SchemaRegistryClient);
}

describe('registry wire format', () => {
  it('frames JSON behind magic byte 0 and a big-endian schema id, and reads it back', () => {
    const framed = frameJson(70_000, '{"a":"é"}');
    expect([...framed.subarray(0, 5)]).toEqual([0, 0, 1, 0x11, 0x70]);
    const { schemaId, body } = readFrame(framed);
    expect(schemaId).toBe(70_000);
    expect(body.toString('utf8')).toBe('{"a":"é"}');
  });

  it('names what is wrong with a buffer that is not framed', () => {
    expect(() => readFrame(Buffer.from('{"a":1}'))).toThrow(
      /not in the registry wire format.*starting 7b2261223a/,
    );
    expect(() => readFrame(Buffer.from([0, 0]))).toThrow(/got 2 bytes/);
  });

  it('refuses a schema id the registry does not know, and retries the lookup later', async () => {
    let calls = 0;
    const decoder = decoderWith(async () => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('Schema 9 not found'), { status: 404 });
      return {};
    });
    const framed = frameJson(9, '{"x":1}');
    await expect(decoder.decode(framed)).rejects.toMatchObject({
      message: expect.stringContaining('look up schema id 9'),
    });
    await expect(decoder.decode(framed)).resolves.toEqual({ x: 1 });
    await expect(decoder.decode(framed)).resolves.toEqual({ x: 1 });
    expect(calls).toBe(2);
  });

  it('reports a body that is not JSON with its schema id', async () => {
    const decoder = decoderWith(async () => ({}));
    await expect(decoder.decode(frameJson(3, '{"x":'))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('record with schema id 3 is not JSON'),
    });
  });
});
