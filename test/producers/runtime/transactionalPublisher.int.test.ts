import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { readTopicToEnd } from '../../../platform/topicReader.js';
import { loadSourceStates, type SourceState } from '../../../producers/runtime/sourceState.js';
import { TransactionalPublisher } from '../../../producers/runtime/transactionalPublisher.js';
import { createTopicsReady, testKafka, testLogger, uniqueName } from '../../helpers/stack.js';

function state(cursor: string): SourceState {
  return { stateVersion: 1, position: { cursor }, syncId: 's', updatedAt: new Date().toISOString() };
}

describe('TransactionalPublisher', () => {
  it('commits records and state together, and a fenced zombie can publish neither', async () => {
    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    const rawTopic = uniqueName('raw.test');
    const stateTopic = uniqueName('_tributary.state');
    await createTopicsReady(admin, {
      topics: [
        { topic: rawTopic, numPartitions: 3 },
        {
          topic: stateTopic,
          numPartitions: 2,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const transactionalId = uniqueName('tx');
    const options = {
      kafka,
      transactionalId,
      stateTopic,
      log: testLogger(),
      metrics: createMetricsRegistry({ defaultMetrics: false }),
      source: 'test',
    };

    const first = new TransactionalPublisher(options);
    await first.connect();
    await first.publish(
      [
        { topic: rawTopic, key: 'k1', value: Buffer.from('v1') },
        { topic: rawTopic, key: 'k2', value: Buffer.from('v2') },
      ],
      'inst/stream',
      state('c1'),
    );

    // A second instance with the same transactional id fences the first.
    const second = new TransactionalPublisher(options);
    await second.connect();
    await expect(
      first.publish(
        [{ topic: rawTopic, key: 'k3', value: Buffer.from('zombie') }],
        'inst/stream',
        state('zombie'),
      ),
    ).rejects.toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
    });
    await second.publish([{ topic: rawTopic, key: 'k1', value: null }], 'inst/stream', state('c2'));

    const states = await loadSourceStates(kafka, stateTopic, ['inst/stream', 'other/stream']);
    expect(states.get('inst/stream')?.position).toEqual({ cursor: 'c2' });
    expect(states.has('other/stream')).toBe(false);

    const seen: string[] = [];
    await readTopicToEnd({
      kafka,
      topic: rawTopic,
      onMessage: (message) =>
        void seen.push(`${message.key?.toString()}=${message.value?.toString() ?? 'null'}`),
    });
    expect(seen.sort()).toEqual(['k1=null', 'k1=v1', 'k2=v2']);
    await second.disconnect();
    await first.disconnect().catch(() => undefined);
  });
});
