import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { applyTopics, topicSpec } from '../../../platform/topics.js';
import { PollingProducer } from '../../../producers/runtime/pollingProducer.js';
import { HrSimulator } from '../../../producers/simulators/index.js';
import { hrConnector } from '../../../producers/sources/hrSource.js';
import { readRawTopic } from '../../helpers/rawTopic.js';
import { testKafka, testLogger, uniqueName } from '../../helpers/stack.js';

const SECRET_CANARY = 'canary-secret-7f3a91';

async function setup(instance: string) {
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  const stateTopic = uniqueName('_tributary.state');
  const env = {
    HR_BASE_URL: '',
    HR_INSTANCE: instance,
    HR_CLIENT_ID: 'tributary-client',
    HR_CLIENT_SECRET: SECRET_CANARY,
  };
  return { kafka, admin, stateTopic, env };
}

describe('polling producer against the HR simulator', () => {
  it('publishes exactly the source ground truth through every fault type, records changing mid-sync', async () => {
    const simulator = new HrSimulator({
      seed: 5,
      records: 3_000,
      defaultPageSize: 100,
      auth: { kind: 'oauth2', clientSecret: SECRET_CANARY, tokenTtlSeconds: 3600 },
      faults: {
        tokenExpiry: { count: 2, afterRequests: 3 },
        rateLimit: { count: 3, afterRequests: 2, retryAfterSeconds: 1, retryAfterForm: 'http-date' },
        serverError: { count: 2, burst: 2, afterRequests: 5 },
        timeout: { count: 1, afterRequests: 8 },
        dropConnection: { count: 2, afterRequests: 12 },
        malformed: { count: 2, afterRequests: 15 },
        slow: { probability: 0.05, delayMs: 200 },
      },
      churn: { everyRequests: 4, count: 5, sameTimestamp: true },
    });
    const { url } = await simulator.start({ port: 0, host: '127.0.0.1' });
    const instance = uniqueName('acme-hr');
    const { kafka, admin, stateTopic, env } = await setup(instance);
    env.HR_BASE_URL = url;
    const definition = hrConnector({ ...env, HR_REQUESTS_PER_SECOND: '200' });
    // Unique raw topic names per test run: the source name is part of the topic.
    const source = uniqueName('hr').replace(/-/g, '');
    const scoped = { ...definition, source: { ...definition.source, name: source } };
    scoped.source.auth = { ...definition.source.auth };
    const streams = ['workers', 'workers_deleted'];
    await applyTopics(admin, [
      topicSpec(stateTopic, { partitions: 2 }),
      topicSpec(`raw.${source}.workers`, { partitions: 3 }),
    ]);
    await admin.disconnect();

    const metrics = createMetricsRegistry({ defaultMetrics: false });
    const runOnce = async (full = false) => {
      const producer = new PollingProducer({
        kafka,
        definition: scoped,
        log: testLogger(),
        metrics,
        stateTopic,
        streams,
        secrets: { env },
      });
      await producer.open();
      const reports = await producer.syncOnce({ full });
      await producer.stop();
      return reports;
    };
    // Keep syncing while the simulator churns; then stop churn and sync until quiet.
    for (let round = 0; round < 3; round++) await runOnce();
    simulator.mutate({ count: 40 });
    simulator.mutate({ updates: 10, backdateMs: 30_000 }); // late-visible writes behind the cursor (lookback)
    simulator.setFaults({});
    simulator.setChurn(undefined);
    let reports = await runOnce();
    for (let i = 0; i < 5 && reports.some((r) => r.outcome !== 'success'); i++) reports = await runOnce();
    expect(reports.map((r) => r.outcome)).toEqual(['success', 'success']);

    const truth = simulator.groundTruth('workers');
    const view = await readRawTopic(kafka, `raw.${source}.workers`);
    const expected = new Map(truth.records.map((record) => [(record as { id: string }).id, record]));
    expect(view.latest.size).toBe(expected.size);
    for (const [id, record] of expected)
      expect(view.latest.get(id), `worker ${id}`).toEqual(JSON.parse(JSON.stringify(record)));
    for (const id of truth.deletedIds) expect(view.tombstoned.has(id), `deleted ${id}`).toBe(true);
    const duplicates = [...view.eventIdCounts.values()].filter((count) => count > 1);
    expect(duplicates).toEqual([]);

    // Every fault type was actually served, and recovered from.
    const served = simulator.stats().faults.served as Record<string, number>;
    for (const kind of [
      'tokenExpiry',
      'rateLimit',
      'serverError',
      'timeout',
      'dropConnection',
      'malformed',
    ]) {
      expect(served[kind] ?? 0, kind).toBeGreaterThan(0);
    }

    // A re-sync of unchanged data publishes nothing.
    const before = (await readRawTopic(kafka, `raw.${source}.workers`)).records;
    const again = await runOnce(true);
    expect(again[0]?.published).toBe(0);
    expect((await readRawTopic(kafka, `raw.${source}.workers`)).records).toBe(before);

    // The secret never reached the topic or metrics.
    const metricsText = await metrics.metrics();
    expect(metricsText).not.toContain(SECRET_CANARY);
    await simulator.stop();
  });
});
