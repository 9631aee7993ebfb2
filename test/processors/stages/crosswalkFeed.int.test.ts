import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { CrosswalkMissingError } from '../../../processors/crosswalk.js';
import type { Fragment } from '../../../processors/fragment.js';
import { canonicalId } from '../../../processors/identity.js';
import { payrollEmployeeCrosswalk, payrollPayRatesMapping } from '../../../processors/mappings/payroll.js';
import { CrosswalkFeed } from '../../../processors/stages/crosswalkFeed.js';
import { MapStage } from '../../../processors/stages/mapStage.js';
import { ReferenceFeed } from '../../../processors/stages/referenceFeed.js';
import type { RawEnvelope } from '../../../schemas/rawEnvelope.js';
import { consumedMessage, payrollEnvelope } from '../../helpers/payrollEnvelopes.js';
import { createTopicsReady, testKafka, testLogger, uniqueName } from '../../helpers/stack.js';

const employeeRow = (number: string, workerId: string) =>
  payrollEnvelope('payroll.employees', {
    employee_number: number,
    hr_worker_id: workerId,
    first_name: 'Ada',
    last_name: 'Lovelace',
  });

const payRate = (number: string) =>
  payrollEnvelope('payroll.pay_rates', {
    employee_number: number,
    currency: 'EUR',
    amount: '52000.00',
    frequency: 'annual',
    effective_from: '2024-01-01',
  });

async function createTopics(kafka: Kafka, topics: { topic: string; numPartitions: number }[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsReady(admin, { topics });
  } finally {
    await admin.disconnect();
  }
}

function asMessage(value: RawEnvelope): KafkaMessage {
  return consumedMessage(`payroll/${value.stream}/${value.naturalKey}`, JSON.stringify(value));
}

describe('crosswalk feed (real Kafka)', () => {
  let kafka: Kafka;
  let producer: Producer;
  const employeesTopic = uniqueName('raw.payroll.payroll.employees');
  const payRatesTopic = uniqueName('raw.payroll.payroll.pay_rates');

  beforeAll(async () => {
    kafka = testKafka('crosswalk-test');
    await createTopics(kafka, [
      { topic: employeesTopic, numPartitions: 3 },
      { topic: payRatesTopic, numPartitions: 3 },
    ]);
    producer = kafka.producer({ idempotent: true });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
  });

  const send = async (topic: string, value: RawEnvelope) => {
    await producer.send({
      topic,
      messages: [{ key: `payroll/${value.stream}/${value.naturalKey}`, value: JSON.stringify(value) }],
    });
  };

  it('maps a pay rate to the HR worker its payroll number is linked to, catching up on links written after it started', async () => {
    await send(employeesTopic, employeeRow('E00001', 'W000001'));
    const feed = new CrosswalkFeed(
      kafka,
      [{ ...payrollEmployeeCrosswalk, topic: employeesTopic }],
      testLogger(),
    );
    const metrics = createMetricsRegistry();
    const stage = new MapStage({
      mappings: [{ ...payrollPayRatesMapping, topics: [payRatesTopic] }],
      partitions: 6,
      metrics,
      crosswalks: feed,
    });
    try {
      await stage.loadPartition();
      expect(feed.crosswalk.find('payroll-employee', 'payroll', 'E00001')).toBe('W000001');

      // The link is committed just before the record that needs it; the tailing consumer may not
      // have it yet, so the stage catches the feed up instead of failing the record.
      await send(employeesTopic, employeeRow('E00002', 'W000777'));
      const [out] = await stage.process({
        topic: payRatesTopic,
        partition: 0,
        message: asMessage(payRate('E00002')),
      });
      const fragment = JSON.parse(out?.value?.toString() ?? '{}') as Fragment;
      expect(fragment.canonicalId).toBe(canonicalId('employee', 'W000777'));
      expect(fragment.businessKey).toBe('W000777');
      expect(fragment.sourceRecordKey).toBe('payroll/payroll.pay_rates/E00002');
      expect(fragment.fields['employeeNumber']).toEqual({
        value: 'W000777',
        transformation: 'crosswalk(payroll-employee, employee_number)',
      });

      // A payroll number nothing links: a real miss, retryable (the engine retries, then dead-letters).
      const miss = stage.process({
        topic: payRatesTopic,
        partition: 0,
        message: asMessage(payRate('E09999')),
      });
      await expect(miss).rejects.toBeInstanceOf(CrosswalkMissingError);
      await expect(miss).rejects.toThrow(/payroll-employee: no business key for payroll key "E09999"/);
      const lookups = (await metrics.getSingleMetric('tributary_mapping_crosswalk_misses_total')?.get())
        ?.values;
      expect(lookups?.find((v) => v.labels['outcome'] === 'missing')?.value).toBe(1);
    } finally {
      await stage.close();
    }
  });

  it('catches up to the last stable offset: an open transaction of another producer does not block it', async () => {
    const topic = uniqueName('reference');
    await createTopics(kafka, [{ topic, numPartitions: 1 }]);
    const seen: string[] = [];
    const feed = new ReferenceFeed({
      kafka,
      topic,
      log: testLogger(),
      apply: (message) => seen.push(message.value?.toString() ?? 'null'),
      catchUpTimeoutMs: 20_000,
    });
    const transactional = kafka.producer({
      transactionalId: uniqueName('open-txn'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await transactional.connect();
    try {
      await producer.send({ topic, messages: [{ key: 'a', value: 'committed-1' }] });
      const open = await transactional.transaction();
      await open.send({ topic, messages: [{ key: 'b', value: 'in-open-transaction' }] });
      await feed.start();
      expect(seen).toEqual(['committed-1']);
      await open.commit();
      await producer.send({ topic, messages: [{ key: 'c', value: 'committed-2' }] });
      // The last stable offset moves once the broker has written the commit marker, which can
      // trail commit() (seen on a fresh broker): catching up again then finds the rest.
      await vi.waitFor(
        async () => {
          await feed.catchUp();
          expect(seen).toEqual(['committed-1', 'in-open-transaction', 'committed-2']);
        },
        { timeout: 15_000, interval: 200 },
      );
    } finally {
      await feed.stop();
      await transactional.disconnect();
    }
  });
});
