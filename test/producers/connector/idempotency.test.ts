import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  contentHash,
  eventId,
  naturalKeyOf,
} from '../../../producers/connector/idempotency.js';
import { rawEnvelopeSchema } from '../../../schemas/rawEnvelope.js';
import { seededRandom } from './helpers/prng.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops whitespace and undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, e: 'x' })).toBe(
      '{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"e":"x"}',
    );
  });
  it('is independent of key insertion order and of formatting (randomised)', () => {
    const random = seededRandom(7);
    const build = (depth: number): unknown => {
      if (depth > 3 || random() < 0.3)
        return random() < 0.5 ? Math.floor(random() * 1e6) / 100 : `s${Math.floor(random() * 100)}`;
      if (random() < 0.3) return Array.from({ length: 3 }, () => build(depth + 1));
      const out: Record<string, unknown> = {};
      for (let i = 0; i < 4; i++) out[`k${Math.floor(random() * 20)}`] = build(depth + 1);
      return out;
    };
    const shuffleKeys = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(shuffleKeys);
      if (typeof value !== 'object' || value === null) return value;
      const entries = Object.entries(value).reverse();
      return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v)]));
    };
    for (let i = 0; i < 200; i++) {
      const value = build(0);
      const reparsed = JSON.parse(JSON.stringify(shuffleKeys(value), null, 2)) as unknown;
      expect(canonicalJson(reparsed)).toBe(canonicalJson(value));
      expect(JSON.parse(canonicalJson(value))).toEqual(value);
    }
  });
  it('uses shortest number forms and escapes strings like JSON', () => {
    expect(canonicalJson([1.0, 1e21, -0, 0.1, 'é"\n'])).toBe('[1,1e+21,0,0.1,"é\\"\\n"]');
  });
  it('refuses values JSON cannot represent', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
  });
});

describe('contentHash and eventId', () => {
  it('contentHash is SHA-256 hex of the canonical JSON', () => {
    const payload = { name: 'Ada', id: 7 };
    expect(contentHash(payload)).toBe(createHash('sha256').update('{"id":7,"name":"Ada"}').digest('hex'));
    expect(contentHash({ id: 7, name: 'Ada' })).toBe(contentHash(payload));
    expect(contentHash({ id: 7, name: 'Ada L.' })).not.toBe(contentHash(payload));
  });

  it('eventId is deterministic, changes with any part, and fits the raw envelope schema', () => {
    const parts = {
      sourceSystem: 'workday',
      sourceInstance: 'acme-prod',
      stream: 'workers',
      naturalKey: '42',
      contentHash: contentHash({ id: 42 }),
    };
    const id = eventId(parts);
    expect(eventId({ ...parts })).toBe(id);
    for (const key of Object.keys(parts) as (keyof typeof parts)[]) {
      expect(eventId({ ...parts, [key]: `${parts[key]}x` })).not.toBe(id);
    }
    // No separator ambiguity: moving a character across a boundary changes the id.
    expect(eventId({ ...parts, sourceInstance: 'acme', stream: '-prodworkers' })).not.toBe(
      eventId({ ...parts, sourceInstance: 'acme-prod', stream: 'workers' }),
    );
    const shape = rawEnvelopeSchema.shape;
    expect(shape.eventId.safeParse(id).success).toBe(true);
    expect(shape.contentHash.safeParse(parts.contentHash).success).toBe(true);
  });
});

describe('naturalKeyOf', () => {
  it('uses a single field verbatim and encodes composite keys unambiguously', () => {
    expect(naturalKeyOf({ id: 42 }, ['id'])).toBe('42');
    expect(naturalKeyOf({ ref: { code: 'A/1' } }, ['ref.code'])).toBe('A/1');
    expect(naturalKeyOf({ co: 'a:b', n: 'c' }, ['co', 'n'])).toBe('a%3Ab:c');
    expect(naturalKeyOf({ co: 'a', n: 'b:c' }, ['co', 'n'])).toBe('a:b%3Ac');
  });
  it('rejects records without a usable key (not retryable)', () => {
    for (const record of [{}, { id: null }, { id: '' }, { id: { nested: 1 } }]) {
      expect(() => naturalKeyOf(record, ['id'])).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED', retryable: false }),
      );
    }
  });
});
