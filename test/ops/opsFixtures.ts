import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { TributaryError } from '../../platform/errors.js';
import { createMetricsRegistry } from '../../platform/metrics.js';
import { readTopicToEnd } from '../../platform/topicReader.js';
import { ExactlyOnceProcessor } from '../../processors/runtime/exactlyOnceProcessor.js';
import { testLogger } from '../helpers/stack.js';

/**
 * A small processor for the ops tests: upper-cases values into `output`; values starting with
 * "poison" fail with MAPPING_FAILED unless their key is in `fixed` (the "fix" deployed before a
 * redrive).
 */
export function upperCaseProcessor(options: {
  kafka: Kafka;
  groupId: string;
  input: string;
  output: string;
  dlq: string;
  fixed?: Set<string>;
}): ExactlyOnceProcessor {
  return new ExactlyOnceProcessor({
    kafka: options.kafka,
    groupId: options.groupId,
    inputTopics: [options.input],
    dlqTopic: options.dlq,
    log: testLogger(),
    metrics: createMetricsRegistry({ defaultMetrics: false }),
    sessionTimeoutMs: 6_000,
    stage: {
      name: 'upper',
      process: async ({ message }) => {
        const key = message.key?.toString('utf8') ?? '';
        const value = message.value?.toString('utf8') ?? '';
        if (value.startsWith('poison') && !options.fixed?.has(key))
          throw new TributaryError('MAPPING_FAILED', `cannot map ${value}`);
        return [{ topic: options.output, key, value: Buffer.from(value.toUpperCase()) }];
      },
    },
  });
}

/** Waits until the group committed every offset up to the topic's high watermarks. */
export async function waitUntilCaughtUp(admin: Admin, groupId: string, topic: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const done = ends.every(
      (end) =>
        end.high === '0' ||
        committed[0]?.partitions.find((p) => p.partition === end.partition)?.offset === end.high,
    );
    if (done) return;
    if (Date.now() > deadline) throw new Error(`${groupId} did not catch up on ${topic}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function readAll(
  kafka: Kafka,
  topic: string,
): Promise<{ partition: number; message: KafkaMessage }[]> {
  const all: { partition: number; message: KafkaMessage }[] = [];
  await readTopicToEnd({
    kafka,
    topic,
    onMessage: (message, partition) => void all.push({ partition, message }),
  });
  return all;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
