import { describe, expect, it } from 'vitest';
import { sourceStateTopic } from '../../../platform/declaredTopics.js';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { applyTopics, topicSpec } from '../../../platform/topics.js';
import { PollingProducer } from '../../../producers/runtime/pollingProducer.js';
import { loadSourceStates } from '../../../producers/runtime/sourceState.js';
import { HrSimulator } from '../../../producers/simulators/index.js';
import { hrConnector } from '../../../producers/sources/hrSource.js';
import { killHard, seededRandom, spawnTs, waitForExit } from '../../helpers/childProcess.js';
import { readRawTopic } from '../../helpers/rawTopic.js';
import { endpoints, testKafka, testLogger, uniqueName } from '../../helpers/stack.js';

const KILLS = Number(process.env['PRODUCER_CRASH_KILLS'] ?? 20);

describe('polling producer under SIGKILL', () => {
  it(`keeps the raw log exactly equal to the source after ${KILLS} kills during multi-page syncs with records changing`, async () => {
    const seed = Number(process.env['CRASH_SEED'] ?? 7);
    const random = seededRandom(seed);
    const simulator = new HrSimulator({
      seed,
      records: 4_000,
      churn: { everyRequests: 3, count: 6 },
    });
    const { url } = await simulator.start({ port: 0, host: '127.0.0.1' });
    const instance = uniqueName('crash-hr');
    const env = {
      KAFKA_BROKERS: endpoints().kafkaBrokers.join(','),
      HR_BASE_URL: url,
      HR_INSTANCE: instance,
      HR_CLIENT_ID: 'tributary-client',
      HR_CLIENT_SECRET: 'tributary-secret',
      HR_PAGE_SIZE: '100',
      HR_SYNC_INTERVAL_MS: '300',
      HR_REQUESTS_PER_SECOND: '200',
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '10000',
    };
    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await applyTopics(admin, [topicSpec(sourceStateTopic, { partitions: 3 }), topicSpec('raw.hr.workers')]);
    await admin.disconnect();

    let kills = 0;
    while (kills < KILLS) {
      const child = spawnTs('producers/main.ts', { ...env }, { args: ['hr', 'workers,workers_deleted'] });
      await new Promise((resolve) => setTimeout(resolve, 1_500 + random() * 3_500));
      // Every few kills the source also deletes records and writes ties across page boundaries.
      if (kills % 4 === 0) simulator.mutate({ count: 20, sameTimestamp: kills % 8 === 0 });
      // A kill only counts if the producer was still running (never a process that died by itself).
      expect(child.exitCode, 'producer exited before it was killed').toBeNull();
      await killHard(child);
      kills++;
    }

    // Graceful shutdown: a producer stopped by SIGTERM exits 0 within its grace period.
    const graceful = spawnTs('producers/main.ts', { ...env }, { args: ['hr', 'workers,workers_deleted'] });
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const signalled = Date.now();
    graceful.kill('SIGTERM');
    const code = await waitForExit(graceful);
    const shutdownMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(shutdownMs).toBeLessThan(Number(env.SHUTDOWN_GRACE_MS) + 5_000);

    // The source goes quiet; an incremental sync (never a full one) finishes the job.
    simulator.setChurn(undefined);
    const definition = hrConnector(env);
    const producer = new PollingProducer({
      kafka,
      definition,
      log: testLogger(),
      metrics: createMetricsRegistry({ defaultMetrics: false }),
      secrets: { env },
      streams: ['workers', 'workers_deleted'],
    });
    await producer.open();
    for (let i = 0; i < 3; i++) await producer.syncOnce();
    await producer.stop();

    const truth = simulator.groundTruth('workers');
    const view = await readRawTopic(kafka, 'raw.hr.workers', `${instance}/`);
    const expected = new Map(
      truth.records.map((record) => [(record as { id: string }).id, JSON.parse(JSON.stringify(record))]),
    );
    const missing = [...expected.keys()].filter((id) => !view.latest.has(id));
    const stale = [...expected.entries()].filter(
      ([id, record]) => view.latest.has(id) && JSON.stringify(view.latest.get(id)) !== JSON.stringify(record),
    );
    const extra = [...view.latest.keys()].filter((id) => !expected.has(id));
    const duplicates = [...view.eventIdCounts.entries()].filter(([, count]) => count > 1);
    process.stdout.write(
      `polling crash test: ${kills} SIGKILLs, graceful stop in ${shutdownMs} ms, ${expected.size} live records, ${truth.deletedIds.length} deleted, ${simulator.stats().mutations.changes} source changes, ${view.records} raw records\n`,
    );
    expect({
      missing: missing.length,
      stale: stale.length,
      extra: extra.length,
      duplicateVersions: duplicates.length,
    }).toEqual({
      missing: 0,
      stale: 0,
      extra: 0,
      duplicateVersions: 0,
    });
    for (const id of truth.deletedIds) expect(view.tombstoned.has(id), `deleted ${id}`).toBe(true);

    // The committed cursor never passed a record that was not published: it is at most the newest
    // change the source has served, and everything up to it is in the raw log (checked above).
    const states = await loadSourceStates(kafka, sourceStateTopic, [`${instance}/workers`]);
    const cursor = JSON.parse(String(states.get(`${instance}/workers`)?.position['cursor'])) as {
      updatedAt: string;
    };
    const newest =
      truth.records
        .map((record) => (record as { updatedAt: string }).updatedAt)
        .sort()
        .at(-1) ?? '';
    expect(cursor.updatedAt.slice(0, 23) <= newest.slice(0, 23)).toBe(true);
    await simulator.stop();
  });
});
