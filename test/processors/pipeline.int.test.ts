import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../platform/metrics.js';
import { readTopicToEnd } from '../../platform/topicReader.js';
import { applyTopics, topicSpec } from '../../platform/topics.js';
import { Crosswalk } from '../../processors/crosswalk.js';
import { canonicalId } from '../../processors/identity.js';
import { mergeFragments } from '../../processors/merge.js';
import { FxRateTable } from '../../processors/normalize/fx.js';
import { PollingProducer } from '../../producers/runtime/pollingProducer.js';
import { HrSimulator } from '../../producers/simulators/index.js';
import { hrConnector } from '../../producers/sources/hrSource.js';
import type { RawEnvelope } from '../../schemas/rawEnvelope.js';
import { killHard, seededRandom, spawnTs } from '../helpers/childProcess.js';
import { waitForEmptyGroup, waitUntilCaughtUp } from '../helpers/consumerLag.js';
import { endpoints, testKafka, testLogger, uniqueName } from '../helpers/stack.js';
import { testWorkersMapping } from '../helpers/testMapping.js';

const KILLS = Number(process.env['PIPELINE_CRASH_KILLS'] ?? 20);

interface CanonicalView {
  versions: Map<string, number[]>;
  latest: Map<string, { version: number; data: unknown; mappingVersions: string[] } | null>;
  records: number;
}

async function readCanonical(kafka: ReturnType<typeof testKafka>, topic: string): Promise<CanonicalView> {
  const view: CanonicalView = { versions: new Map(), latest: new Map(), records: 0 };
  await readTopicToEnd({
    kafka,
    topic,
    onMessage: (message) => {
      view.records++;
      const id = message.key?.toString() ?? '';
      const version = Number(message.headers?.['tributary.version']?.toString());
      view.versions.set(id, [...(view.versions.get(id) ?? []), version]);
      view.latest.set(
        id,
        message.value === null
          ? null
          : (JSON.parse(message.value.toString()) as {
              version: number;
              data: unknown;
              mappingVersions: string[];
            }),
      );
    },
  });
  return view;
}

describe('map → merge pipeline (real mappings, processes killed)', () => {
  it(`publishes every entity version exactly once through ${KILLS} kills, and replays idempotently or with a new mapping version`, async () => {
    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    const source = uniqueName('hrp').replace(/-/g, '');
    const rawTopic = `raw.${source}.workers`;
    const entity = `employee_${source}`;
    const fragments = `_tributary.fragments.${entity}`;
    const canonical = `canonical.${entity}`;
    const dlq = `dlq.${source}`;
    await applyTopics(admin, [
      topicSpec('_tributary.source-state', { partitions: 3 }),
      topicSpec(rawTopic),
      topicSpec(fragments, { partitions: 6 }),
      topicSpec(canonical, { partitions: 6 }),
      topicSpec(dlq, { partitions: 1 }),
    ]);

    const simulator = new HrSimulator({ seed: 11, records: 1_500 });
    const { url } = await simulator.start({ port: 0, host: '127.0.0.1' });
    const env = {
      HR_BASE_URL: url,
      HR_INSTANCE: source,
      HR_CLIENT_ID: 'tributary-client',
      HR_CLIENT_SECRET: 'tributary-secret',
      HR_REQUESTS_PER_SECOND: '500',
    };
    const definition = hrConnector(env);
    const scoped = { ...definition, source: { ...definition.source, name: source } };
    const sync = async (): Promise<void> => {
      const producer = new PollingProducer({
        kafka,
        definition: scoped,
        log: testLogger(),
        metrics: createMetricsRegistry({ defaultMetrics: false }),
        secrets: { env },
        streams: ['workers', 'workers_deleted'],
      });
      await producer.open();
      await producer.syncOnce();
      await producer.stop();
    };
    await sync();

    const groups = { map: uniqueName('map'), merge: uniqueName('merge') };
    const processEnv = (stage: 'map' | 'merge', extra: Record<string, string> = {}) => ({
      KAFKA_BROKERS: endpoints().kafkaBrokers.join(','),
      STAGE: stage,
      RAW_TOPIC: rawTopic,
      TEST_ENTITY: entity,
      GROUP_ID: groups[stage],
      DLQ_TOPIC: dlq,
      ...extra,
    });
    const start = (stage: 'map' | 'merge', extra: Record<string, string> = {}): ChildProcess =>
      spawnTs('test/fixtures/pipelineProcessor.ts', processEnv(stage, extra));

    const random = seededRandom(Number(process.env['CRASH_SEED'] ?? 3));
    const running: Record<'map' | 'merge', ChildProcess> = { map: start('map'), merge: start('merge') };
    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 1_500 + random() * 3_000));
      if (kill === KILLS / 2) {
        // Changes at the source while the processors are being killed.
        simulator.mutate({ count: 150 });
        await sync();
      }
      const victim = kill % 2 === 0 ? 'map' : 'merge';
      await killHard(running[victim]);
      running[victim] = start(victim, { KILL_BEFORE_COMMIT_PROBABILITY: kill % 3 === 0 ? '0.05' : '0' });
    }
    for (const child of Object.values(running)) await killHard(child);
    running.map = start('map');
    running.merge = start('merge');
    await waitUntilCaughtUp(kafka, admin, [
      [groups.map, [rawTopic]],
      [groups.merge, [fragments]],
    ]);

    // Expected: the latest raw record of every worker, mapped and merged in memory.
    const expected = new Map<string, unknown>();
    const fx = new FxRateTable();
    const mapping = testWorkersMapping(1, rawTopic, entity);
    const noDrift = {
      unknownField: () => undefined,
      missingField: () => undefined,
      typeMismatch: () => undefined,
    };
    await readTopicToEnd({
      kafka,
      topic: rawTopic,
      onMessage: (message) => {
        const key = message.key?.toString() ?? '';
        const workerId = key.split('/').slice(2).join('/');
        const id = canonicalId(entity, workerId);
        if (message.value === null) return void expected.delete(id);
        const envelope = JSON.parse(message.value.toString()) as RawEnvelope;
        if (envelope.operation === 'delete') return void expected.delete(id);
        const [fragment] = mapping.map(envelope, noDrift, {
          fx,
          reportingCurrency: 'USD',
          crosswalk: new Crosswalk(),
        });
        if (!fragment) return;
        const fields = fragment.fields;
        const merged = mergeFragments(
          [
            {
              entity,
              canonicalId: id,
              businessKey: workerId,
              sourceSystem: 'hr-sim',
              sourceInstance: source,
              sourceRecordKey: key,
              rawTopic,
              rawPartition: 0,
              rawOffset: '0',
              observedAt: envelope.observedAt,
              sourceUpdatedAt: null,
              mapping: 'hr-workers@1',
              fields,
            },
          ],
          { fields: {}, defaultRule: { strategy: 'most-recent' } },
        );
        expected.set(id, merged.data);
      },
    });

    const view = await readCanonical(kafka, canonical);
    const badSequences = [...view.versions.entries()].filter(([, versions]) =>
      versions.some((version, index) => version !== index + 1),
    );
    const live = new Map([...view.latest.entries()].filter(([, record]) => record !== null));
    const wrong = [...expected.entries()].filter(
      ([id, data]) => JSON.stringify(live.get(id)?.data) !== JSON.stringify(data),
    );
    const extra = [...live.keys()].filter((id) => !expected.has(id));
    process.stdout.write(
      `pipeline crash test: ${KILLS} kills, ${expected.size} live entities, ${view.records} canonical records\n`,
    );
    expect({ badSequences: badSequences.length, wrong: wrong.length, extra: extra.length }).toEqual({
      badSequences: 0,
      wrong: 0,
      extra: 0,
    });

    // Replay with the same mapping version: re-mapping the raw log creates no canonical version.
    for (const child of Object.values(running)) await killHard(child);
    await waitForEmptyGroup(admin, groups.map);
    await admin.resetOffsets({ groupId: groups.map, topic: rawTopic, earliest: true });
    running.map = start('map');
    running.merge = start('merge');
    await waitUntilCaughtUp(kafka, admin, [
      [groups.map, [rawTopic]],
      [groups.merge, [fragments]],
    ]);
    const afterSameReplay = await readCanonical(kafka, canonical);
    if (afterSameReplay.records !== view.records) {
      const changed = [...afterSameReplay.versions.entries()]
        .filter(([id, versions]) => versions.length !== view.versions.get(id)?.length)
        .slice(0, 3);
      for (const [id, versions] of changed) {
        process.stdout.write(
          `same-version replay changed ${id}: before ${JSON.stringify(view.versions.get(id))} after ${JSON.stringify(versions)} latestBefore ${JSON.stringify(view.latest.get(id))?.slice(0, 300)} latestAfter ${JSON.stringify(afterSameReplay.latest.get(id))?.slice(0, 300)}\n`,
        );
      }
    }
    expect(afterSameReplay.records).toBe(view.records);

    // Replay with mapping version 2: every live entity gets exactly one new version naming it.
    for (const child of Object.values(running)) await killHard(child);
    await waitForEmptyGroup(admin, groups.map);
    await admin.resetOffsets({ groupId: groups.map, topic: rawTopic, earliest: true });
    running.map = start('map', { MAPPING_VERSION: '2' });
    running.merge = start('merge');
    await waitUntilCaughtUp(kafka, admin, [
      [groups.map, [rawTopic]],
      [groups.merge, [fragments]],
    ]);
    const afterNewVersion = await readCanonical(kafka, canonical);
    for (const [id, record] of live) {
      const latest = afterNewVersion.latest.get(id);
      expect(latest?.mappingVersions, id).toEqual(['hr-workers@2']);
      expect(latest?.version, id).toBe((record?.version ?? 0) + 1);
    }
    for (const child of Object.values(running)) await killHard(child);
    await admin.disconnect();
    await simulator.stop();
  });
});
