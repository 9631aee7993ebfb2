import { afterAll, describe, expect, it } from 'vitest';
import { applyTopics, diffTopics, topicSpec } from '../../platform/topics.js';
import { testKafka, uniqueName } from '../helpers/stack.js';

describe('topics apply', () => {
  const admin = testKafka().admin();
  afterAll(() => admin.disconnect());

  it('creates declared topics, is idempotent, repairs config drift and reports what it cannot fix', async () => {
    await admin.connect();
    const specs = [
      topicSpec(`raw.${uniqueName('src')}.workers`, { partitions: 3 }),
      topicSpec(`dlq.${uniqueName('stage')}`, { partitions: 1 }),
    ];
    const [raw, dlq] = specs as [(typeof specs)[0], (typeof specs)[0]];
    const first = await applyTopics(admin, specs);
    expect(first.created.sort()).toEqual(specs.map((spec) => spec.name).sort());
    expect(first.drift).toEqual([]);

    const second = await applyTopics(admin, specs);
    expect(second.created).toEqual([]);
    expect(second.altered).toEqual([]);
    expect(second.unchanged.sort()).toEqual(specs.map((spec) => spec.name).sort());

    // Someone changes a setting by hand: diff reports it, apply repairs it.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: 2,
          name: raw.name,
          configEntries: [
            ...Object.entries(raw.config)
              .map(([name, value]) => ({ name, value }))
              .filter((e) => e.name !== 'cleanup.policy'),
            { name: 'cleanup.policy', value: 'delete' },
          ],
        },
      ],
    });
    const drift = await diffTopics(admin, specs);
    expect(drift.drift).toEqual([
      { topic: raw.name, setting: 'cleanup.policy', expected: 'compact', actual: 'delete' },
    ]);
    const repaired = await applyTopics(admin, specs);
    expect(repaired.altered).toEqual([raw.name]);
    expect(repaired.drift).toEqual([]);

    // More partitions on the broker than declared cannot be undone: reported as drift.
    await admin.createPartitions({ topicPartitions: [{ topic: dlq.name, count: 2 }] });
    const after = await applyTopics(admin, specs);
    expect(after.drift).toEqual([{ topic: dlq.name, setting: 'partitions', expected: '1', actual: '2' }]);

    const metadata = await admin.fetchTopicMetadata({ topics: [raw.name] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
  });
});
