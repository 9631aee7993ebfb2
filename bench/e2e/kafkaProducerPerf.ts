import { spawnSync } from 'node:child_process';
import type { Admin } from 'kafkajs';
import { kafkaLibDir } from '../../platform/stack/kafkaService.js';
import { stackPaths } from '../../platform/stack/paths.js';

export interface ProducerPerfResult {
  records: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  avgLatencyMs: number;
  command: string;
}

/**
 * Kafka's own producer benchmark (kafka-producer-perf-test, class ProducerPerformance from the
 * distribution the local stack runs) on the same broker, as the reference for the producing stage.
 * acks=all and idempotence as our transactional producers; one topic with the raw topics' partitions.
 */
export async function kafkaProducerPerf(options: {
  admin: Admin;
  brokers: string;
  topic: string;
  partitions: number;
  records: number;
  recordSize: number;
}): Promise<ProducerPerfResult> {
  await options.admin.createTopics({
    topics: [{ topic: options.topic, numPartitions: options.partitions }],
    waitForLeaders: true,
  });
  const args = [
    '-Xmx512m',
    '-cp',
    `${kafkaLibDir(stackPaths())}/*`,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    options.topic,
    '--num-records',
    String(options.records),
    '--record-size',
    String(options.recordSize),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${options.brokers}`,
    'acks=all',
    'enable.idempotence=true',
  ];
  try {
    const result = spawnSync('java', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const summary = result.stdout
      .trim()
      .split('\n')
      .reverse()
      .find((line) => /records sent/.test(line));
    // "100000 records sent, 51203.3 records/sec (38.91 MB/sec), 402.1 ms avg latency, …"
    const match =
      summary && /([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency/.exec(summary);
    if (!match)
      throw new Error(
        `ProducerPerformance failed: ${result.stderr.slice(-2000)}${result.stdout.slice(-500)}`,
      );
    return {
      records: options.records,
      recordsPerSecond: Number(match[1]),
      mbPerSecond: Number(match[2]),
      avgLatencyMs: Number(match[3]),
      command: `java -cp '<kafka libs>/*' org.apache.kafka.tools.ProducerPerformance ${args.slice(4).join(' ')}`,
    };
  } finally {
    await options.admin.deleteTopics({ topics: [options.topic] }).catch(() => undefined);
  }
}
