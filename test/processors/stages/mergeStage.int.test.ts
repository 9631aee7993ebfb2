import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { canonicalHeaders, MergeStage } from '../../../processors/stages/mergeStage.js';
import { contractFor } from '../../../schemas/entityCatalog.js';
import { createTopicsReady, testKafka, testLogger, uniqueName } from '../../helpers/stack.js';

/**
 * The merge state rebuilt on assignment must equal what the committed outputs say, for every
 * entity, whatever the rebuild's flush interval. A flush every 2 entries makes every boundary case
 * happen many times in a small partition.
 */
describe('MergeStage state rebuild (real Kafka)', () => {
  const kafka = testKafka('merge-rebuild-test');
  const stages: MergeStage[] = [];
  afterAll(async () => {
    for (const stage of stages) await stage.close();
  });

  it('keeps the last committed version of every entity across rebuild flushes', async () => {
    const entity = uniqueName('rebuild').replace(/[^a-z0-9_]/g, '_');
    const fragmentsTopic = `_tributary.fragments.${entity}`;
    const canonicalTopic = `canonical.${entity}`;
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsReady(admin, {
      topics: [
        { topic: fragmentsTopic, numPartitions: 1 },
        { topic: canonicalTopic, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    // Canonical history: 9 entities, each written 1 to 3 times (the last version is the truth).
    const ids = Array.from({ length: 9 }, () => randomUUID());
    const lastVersion = new Map<string, number>();
    const producer = kafka.producer();
    await producer.connect();
    const messages = [];
    for (let round = 1; round <= 3; round++)
      for (const [index, id] of ids.entries()) {
        if (index % 3 < round - 1) continue;
        messages.push({
          key: id,
          value: JSON.stringify({ id, round }),
          headers: {
            [canonicalHeaders.version]: String(round),
            [canonicalHeaders.contentHash]: `hash-${round}`,
          },
        });
        lastVersion.set(id, round);
      }
    await producer.send({ topic: canonicalTopic, messages });
    await producer.disconnect();

    const stage = new MergeStage({
      kafka,
      contracts: [{ ...contractFor('employee'), entity, topic: canonicalTopic }],
      policies: {},
      encoder: { encode: async (_entity, record) => Buffer.from(JSON.stringify(record)) },
      log: testLogger(),
      metrics: createMetricsRegistry({ defaultMetrics: false }),
      stateDirectory: mkdtempSync(join(tmpdir(), 'merge-rebuild-')),
      rebuildFlushEvery: 2,
    });
    stages.push(stage);
    await stage.loadPartition(fragmentsTopic, 0, '-1');

    // A deletion from the only source tombstones each entity with the version after its last one.
    const tombstoneVersions = new Map<string, number>();
    for (const [index, id] of ids.entries()) {
      const outputs = await stage.process({
        topic: fragmentsTopic,
        partition: 0,
        message: {
          key: Buffer.from(`${id}|src/${index}`),
          value: null,
          headers: { 'tributary.raw-position': `raw.x:0:${index}` },
          offset: String(index),
          timestamp: '0',
          attributes: 0,
        },
      });
      expect(outputs).toHaveLength(1);
      tombstoneVersions.set(id, Number(outputs[0]?.headers?.[canonicalHeaders.version]));
    }
    expect(Object.fromEntries(tombstoneVersions)).toEqual(
      Object.fromEntries(ids.map((id) => [id, (lastVersion.get(id) ?? 0) + 1])),
    );
  });
});
