import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { afterAll, expect, inject, onTestFinished } from 'vitest';
import { type Config, parseConfig } from '../../platform/config.js';
import { createKafka } from '../../platform/kafka.js';
import { createLogger, type Logger } from '../../platform/logger.js';
import { withDatabase } from '../../platform/postgres.js';
import type { StackEndpoints } from '../../platform/stack/stack.js';
import { waitForLeaders } from '../../platform/topics.js';

/** Endpoints chosen by the integration global setup (environment, containers, or local stack). */
export function endpoints(): StackEndpoints {
  return inject('endpoints');
}

/** Unique names so tests never see each other's topics, groups or databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function testLogger(): Logger {
  return createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent', name: 'test' });
}

/** A full Config pointing at the test endpoints, with overrides. */
export function testConfig(overrides: Partial<Record<string, string>> = {}): Config {
  const e = endpoints();
  return parseConfig({
    KAFKA_BROKERS: e.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: e.schemaRegistryUrl,
    DATABASE_URL: e.databaseUrl,
    METRICS_PORT: '0',
    ...overrides,
  });
}

export function testKafka(clientId = 'tributary-test'): Kafka {
  return createKafka({ config: testConfig(), log: testLogger(), clientId });
}

/** Databases created from beforeAll hooks, dropped once the importing file's tests are done. */
const dropAfterFile: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of dropAfterFile.splice(0)) await drop();
});

/**
 * Creates a fresh database for this test file and drops it after the file's tests.
 * Returns its URL.
 */
export async function createTestDatabase(prefix = 'trib_test'): Promise<string> {
  const name = uniqueName(prefix).replace(/-/g, '_');
  const serverUrl = endpoints().databaseUrl;
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await admin.end();
  const drop = async (): Promise<void> => {
    const cleanup = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    await cleanup.end();
  };
  // Inside a test: when the test finishes. From a beforeAll hook: after the file — onTestFinished
  // does not throw there but never runs, and a hook registered while hooks run is ignored, which
  // left one database per such file and run behind.
  if (expect.getState().currentTestName !== undefined) onTestFinished(drop);
  else dropAfterFile.push(drop);
  return withDatabase(serverUrl, name);
}

/**
 * admin.createTopics, then wait until every partition is really served (kafkajs' own
 * waitForLeaders fails on a fresh broker that is still propagating metadata).
 */
export async function createTopicsReady(
  admin: import('kafkajs').Admin,
  options: Parameters<import('kafkajs').Admin['createTopics']>[0],
): Promise<void> {
  await admin.createTopics({ ...options, waitForLeaders: false });
  await waitForLeaders(
    admin,
    options.topics.map((topic) => topic.topic),
  );
}
