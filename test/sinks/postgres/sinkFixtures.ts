import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkg from '@kafkajs/confluent-schema-registry';
import type { Admin, Kafka, Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll } from 'vitest';
import { migrate } from '../../../platform/migrate.js';
import { projectRoot } from '../../../platform/stack/paths.js';
import {
  createTestDatabase,
  createTopicsReady,
  endpoints,
  testKafka,
  testLogger,
  uniqueName,
} from '../../helpers/stack.js';
import { assertContractValid, type CanonicalFixture } from './canonicalFixtures.js';

export { employeeRecord } from './canonicalFixtures.js';

const { SchemaRegistry, SchemaType } = pkg;

/** A fresh database with the sink's migrations (0100–0199) applied. */
export async function sinkDatabase(): Promise<{ url: string; pool: pg.Pool }> {
  const url = await createTestDatabase('trib_sink');
  // Only the sink's own migrations: other owners' files are not this test's business.
  const dir = mkdtempSync(join(tmpdir(), 'sink-migrations-'));
  for (const name of readdirSync(join(projectRoot, 'migrations'))) {
    if (/^01\d\d_.*\.sql$/.test(name)) copyFileSync(join(projectRoot, 'migrations', name), join(dir, name));
  }
  await migrate({ databaseUrl: url, directory: dir, log: testLogger() });
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle client losing its connection (database restart in the chaos test) must not crash the run.
  pool.on('error', () => undefined);
  afterAll(() => pool.end());
  return { url, pool };
}

export interface CanonicalProducer {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  /** Creates a canonical topic (and registers a schema for it); returns its name. */
  createTopic(entity: string, partitions: number): Promise<string>;
  createDlqTopic(): Promise<string>;
  /**
   * Encodes and produces; every value must validate against its entity's contract unless
   * `unchecked` (tests that deliberately send what the contract forbids, to exercise the DLQ).
   */
  send(
    topic: string,
    messages: readonly { key: string; value: CanonicalFixture | null }[],
    /** chunk: records per producer request (and so per Kafka record batch). @default 2000 */
    options?: { unchecked?: boolean; chunk?: number },
  ): Promise<void>;
}

export async function canonicalProducer(): Promise<CanonicalProducer> {
  const kafka = testKafka('sink-test');
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await admin.connect();
  await producer.connect();
  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });
  const registry = new SchemaRegistry({ host: endpoints().schemaRegistryUrl });
  const schemaIds = new Map<string, number>();
  return {
    kafka,
    admin,
    producer,
    async createTopic(entity, partitions) {
      const topic = uniqueName(`canonical.${entity}`);
      await createTopicsReady(admin, {
        topics: [{ topic, numPartitions: partitions }],
        waitForLeaders: true,
      });
      const { id } = await registry.register(
        {
          type: SchemaType.JSON,
          schema: JSON.stringify({
            $schema: 'http://json-schema.org/draft-07/schema#',
            type: 'object',
            required: ['id', 'entity', 'version', 'data'],
          }),
        },
        { subject: `${topic}-value` },
      );
      schemaIds.set(topic, id);
      return topic;
    },
    async createDlqTopic() {
      const topic = uniqueName('dlq.sink');
      await createTopicsReady(admin, { topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      return topic;
    },
    async send(topic, messages, options = {}) {
      const id = schemaIds.get(topic);
      if (id === undefined) throw new Error(`no schema for ${topic}`);
      if (!options.unchecked) {
        for (const message of messages) if (message.value !== null) assertContractValid(message.value);
      }
      const encoded = await Promise.all(
        messages.map(async (message) => ({
          key: message.key,
          value: message.value === null ? null : await registry.encode(id, message.value),
        })),
      );
      const chunk = options.chunk ?? 2000;
      for (let index = 0; index < encoded.length; index += chunk) {
        await producer.send({ topic, acks: -1, messages: encoded.slice(index, index + chunk) });
      }
    },
  };
}

/** Waits until `check` returns true, polling. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
