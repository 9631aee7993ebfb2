import { Kafka, type KafkaMessage } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../platform/logger.js';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { canonicalId } from '../../../processors/identity.js';
import type { Mapping } from '../../../processors/mapping.js';
import { hrWorkersMapping } from '../../../processors/mappings/hrWorkers.js';
import { CrosswalkFeed } from '../../../processors/stages/crosswalkFeed.js';
import { MapStage } from '../../../processors/stages/mapStage.js';
import type { RawEnvelope } from '../../../schemas/rawEnvelope.js';
import { consumedMessage } from '../../helpers/payrollEnvelopes.js';

const hash = 'a'.repeat(64);
function envelope(payload: unknown, operation: 'upsert' | 'delete' = 'upsert'): RawEnvelope {
  return {
    envelopeVersion: 1,
    eventId: hash,
    sourceSystem: 'hr-sim',
    sourceInstance: 'acme-hr',
    stream: 'workers',
    naturalKey: 'W000001',
    operation,
    observedAt: '2026-11-27T10:00:00.000Z',
    sourceUpdatedAt: '2026-11-27T09:00:00.000Z',
    cursor: null,
    request: null,
    contentHash: hash,
    connector: { name: 'hr-connector', version: '1.0.0' },
    payload,
  };
}

function message(value: Buffer | string | null, offset = '5'): KafkaMessage {
  return consumedMessage('acme-hr/workers/W000001', value, offset);
}

const worker = {
  id: 'W000001',
  firstName: 'Ada',
  lastName: 'Lovelace',
  workEmail: 'ADA@EXAMPLE.COM',
  phone: '030 12345678',
  country: 'Germany',
  location: 'Berlin, DE',
  jobId: 'J1',
  jobTitle: 'Engineer',
  departmentId: 'ORG00001',
  managerId: null,
  costCenter: 'cc-1042',
  status: 'Active',
  hireDate: '03/04/2021',
  compensation: { amount: '5.000,00', currency: 'eur', payFrequency: 'monthly' },
  surpriseField: 1,
  updatedAt: '2026-11-27T09:00:00.000Z',
};

describe('MapStage', () => {
  const metrics = createMetricsRegistry({ defaultMetrics: false });
  const stage = new MapStage({ mappings: [hrWorkersMapping], partitions: 6, metrics });
  const input = (value: Buffer | string | null) => ({
    topic: 'raw.hr.workers',
    partition: 2,
    message: message(value),
  });

  it('maps a raw worker into an employee fragment with normalised values and its raw origin', async () => {
    const [out] = await stage.process(input(JSON.stringify(envelope(worker))));
    const id = canonicalId('employee', 'W000001');
    expect(out?.topic).toBe('_tributary.fragments.employee');
    expect(out?.key).toBe(`${id}|acme-hr/workers/W000001`);
    const fragment = JSON.parse(out?.value?.toString() ?? '{}');
    expect(fragment).toMatchObject({
      canonicalId: id,
      rawTopic: 'raw.hr.workers',
      rawPartition: 2,
      rawOffset: '5',
      mapping: 'hr-workers@1',
    });
    expect(fragment.fields.workEmail.value).toBe('ada@example.com');
    expect(fragment.fields.workPhone.value).toBe('+493012345678');
    expect(fragment.fields.countryCode.value).toBe('DE');
    expect(fragment.fields.hireDate.value).toBe('2021-03-04');
    expect(fragment.fields.costCenterId.value).toBe(canonicalId('cost_center', '0000001042'));
    expect(fragment.fields.compensation.value).toEqual({
      annualized: { amount: '60000.00', currency: 'EUR' },
      original: { amount: '5000.00', currency: 'EUR' },
      payFrequency: 'monthly',
    });
    expect(fragment.fields.compensation.transformation).toContain('annualize(monthly)');
  });

  it('counts drift: unknown fields and null rates per field', async () => {
    const text = await metrics.metrics();
    expect(text).toMatch(
      /tributary_mapping_drift_total\{topic="raw.hr.workers",kind="unknown_field",field="surpriseField"\} 1/,
    );
    expect(text).toMatch(
      /tributary_mapping_field_values_total\{topic="raw.hr.workers",field="managerId",outcome="null"\} 1/,
    );
  });

  it('turns a delete envelope into a fragment tombstone carrying its raw position', async () => {
    const [out] = await stage.process(input(JSON.stringify(envelope({ id: 'W000001' }, 'delete'))));
    expect(out?.value).toBeNull();
    expect(out?.headers?.['tributary.raw-position']).toBe('raw.hr.workers:2:5');
  });

  it.each([
    ['malformed JSON', '{"envelopeVersion":1,', /raw record is not JSON/],
    ['a __proto__ key', `{"__proto__":{"polluted":true},"envelopeVersion":1}`, /forbidden key "__proto__"/],
    [
      'an escaped __proto__ key nested in an array',
      String.raw`{"envelopeVersion":1,"payload":{"lines":[{"\u005f_proto__":{"polluted":true}}]}}`,
      /forbidden key "__proto__"/,
    ],
    ['deep nesting', `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`, /nests deeper than 64/],
    ['an invalid envelope', JSON.stringify({ envelopeVersion: 1 }), /raw envelope invalid: eventId/],
    ['an oversized record', Buffer.alloc(4 * 1024 * 1024 + 1, 0x20), /exceeds/],
  ])('rejects %s with an error naming the problem, and pollutes nothing', async (_name, value, error) => {
    await expect(stage.process(input(value as string | Buffer))).rejects.toThrow(error);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('ignores raw tombstones (their delete envelope already removed the fragment)', async () => {
    expect(await stage.process(input(null))).toEqual([]);
  });
});

describe('MapStage with a crosswalk', () => {
  // A mapping that observes drift before it resolves its key through a crosswalk.
  const linkedMapping: Mapping = {
    id: 'linked',
    version: 1,
    topics: ['raw.hr.workers'],
    knownFields: ['id'],
    map: (raw, observe, context) => {
      observe.missingField('department');
      const businessKey = context.crosswalk.resolve('hr-alias', raw.sourceInstance, raw.naturalKey);
      return [{ entity: 'employee', businessKey, fields: {} }];
    },
  };

  it('counts a record mapped again after catching up on a missing link once in the drift metrics', async () => {
    const metrics = createMetricsRegistry({ defaultMetrics: false });
    // No crosswalk topics: the feed reads nothing; catching up is where the link "arrives".
    const feed = new CrosswalkFeed(
      new Kafka({ brokers: ['127.0.0.1:1'] }),
      [],
      createLogger({ level: 'silent' }),
    );
    vi.spyOn(feed, 'catchUp').mockImplementation(async () => {
      feed.crosswalk.link('hr-alias', 'acme-hr', 'W000001', 'P-1');
    });
    const stage = new MapStage({ mappings: [linkedMapping], partitions: 6, metrics, crosswalks: feed });
    const [out] = await stage.process({
      topic: 'raw.hr.workers',
      partition: 0,
      message: message(JSON.stringify(envelope({ id: 'W000001' }))),
    });
    expect(out?.key?.toString().startsWith(canonicalId('employee', 'P-1'))).toBe(true);
    const text = await metrics.metrics();
    expect(text).toMatch(
      /tributary_mapping_crosswalk_misses_total\{crosswalk="hr-alias",outcome="caught_up"\} 1/,
    );
    expect(text).toMatch(
      /tributary_mapping_drift_total\{topic="raw.hr.workers",kind="missing_field",field="department"\} 1\n/,
    );
  });
});
