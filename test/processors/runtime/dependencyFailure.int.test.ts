import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TributaryError } from '../../../platform/errors.js';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { CrosswalkMissingError } from '../../../processors/crosswalk.js';
import {
  ExactlyOnceProcessor,
  type ProcessingStage,
} from '../../../processors/runtime/exactlyOnceProcessor.js';
import { createTopicsReady, testKafka, testLogger, uniqueName } from '../../helpers/stack.js';
import { readRaw } from '../../producers/cdc/cdcTestKit.js';

describe('ExactlyOnceProcessor: record faults vs dependency faults', () => {
  let kafka: Kafka;
  const input = uniqueName('deps.in');
  const output = uniqueName('deps.out');
  const dlq = uniqueName('deps.dlq');

  beforeAll(async () => {
    kafka = testKafka('dependency-failure-test');
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsReady(admin, {
      topics: [input, output, dlq].map((topic) => ({ topic, numPartitions: 1 })),
    });
    await admin.disconnect();
  });

  it('dead-letters a record whose lookup keeps missing after its attempts, but never one whose dependency was down', async () => {
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: input,
      messages: ['a', 'unlinked', 'b', 'needs-kafka', 'c'].map((key) => ({
        key,
        value: JSON.stringify({ key }),
      })),
    });
    await producer.disconnect();

    const calls = new Map<string, number>();
    let rollbacks = 0;
    const stage: ProcessingStage = {
      name: 'test',
      async process({ message }) {
        const key = message.key?.toString() ?? '';
        calls.set(key, (calls.get(key) ?? 0) + 1);
        if (key === 'unlinked') throw new CrosswalkMissingError('payroll-employee', 'payroll', 'E09999');
        // Kafka "down" for the first two attempts of this record's lookup: the batch must fail
        // and be re-read, not dead-letter a good record.
        if (key === 'needs-kafka' && (calls.get(key) ?? 0) <= 2)
          throw new TributaryError('KAFKA_UNAVAILABLE', 'reference feed did not catch up', {
            retryable: true,
          });
        return [{ topic: output, key, value: Buffer.from(JSON.stringify({ key })) }];
      },
      rollbackPartition() {
        rollbacks++;
      },
    };
    const processor = new ExactlyOnceProcessor({
      kafka,
      groupId: uniqueName('deps-group'),
      inputTopics: [input],
      stage,
      dlqTopic: dlq,
      log: testLogger(),
      metrics: createMetricsRegistry(),
      maxAttemptsPerRecord: 3,
      sessionTimeoutMs: 10_000,
    });
    await processor.start();
    try {
      const deadline = Date.now() + 90_000;
      let outputs: { key: string }[] = [];
      while (Date.now() < deadline) {
        outputs = await readRaw(kafka, output);
        if (outputs.length >= 4) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(outputs.map((record) => record.key).sort()).toEqual(['a', 'b', 'c', 'needs-kafka']);
      const dead = await readRaw(kafka, dlq);
      expect(dead.map((record) => record.key)).toEqual(['unlinked']);
      expect(dead[0]?.headers['tributary.dlq.attempts']).toBe('3');
      expect(dead[0]?.headers['tributary.dlq.error']).toContain('crosswalk payroll-employee');
      expect(calls.get('needs-kafka')).toBe(3);
      expect(rollbacks).toBeGreaterThanOrEqual(2);
    } finally {
      await processor.stop();
    }
  }, 120_000);
});
