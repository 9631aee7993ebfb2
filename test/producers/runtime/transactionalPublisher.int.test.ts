import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { readTopicToEnd } from '../../../platform/topicReader.js';
import { loadSourceStates, type SourceState } from '../../../producers/runtime/sourceState.js';
import { TransactionalPublisher } from '../../../producers/runtime/transactionalPublisher.js';
import { createTopicsReady, testKafka, testLogger, uniqueName } from '../../helpers/stack.js';

function state(cursor: string): SourceState {
  return { stateVersion: 1, position: { cursor }, syncId: 's', updatedAt: new Date().toISOString() };
}

/** A fresh compacted state topic (plus other topics) and publisher options writing to it. */
async function publisherSetup(
  statePartitions: number,
  otherTopics: { topic: string; numPartitions: number }[] = [],
) {
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  const stateTopic = uniqueName('_tributary.state');
  await createTopicsReady(admin, {
    topics: [
      ...otherTopics,
      {
        topic: stateTopic,
        numPartitions: statePartitions,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const options = {
    kafka,
    transactionalId: uniqueName('tx'),
    stateTopic,
    log: testLogger(),
    metrics: createMetricsRegistry({ defaultMetrics: false }),
    source: 'test',
  };
  return { kafka, stateTopic, options };
}

describe('TransactionalPublisher', () => {
  it('commits records and state together, and a fenced zombie can publish neither', async () => {
    const rawTopic = uniqueName('raw.test');
    const { kafka, stateTopic, options } = await publisherSetup(2, [{ topic: rawTopic, numPartitions: 3 }]);
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

describe('the committed state read after a restart', () => {
  it("is the latest one even while another producer's transaction on the state topic is still open", async () => {
    // One partition: every key shares the partition the foreign transaction holds open.
    const { kafka, stateTopic, options } = await publisherSetup(1);
    const first = new TransactionalPublisher(options);
    await first.connect();
    await first.publish([], 'inst/stream', state('c1'));

    // Another stream's producer (e.g. one SIGKILLed mid-transaction) holds a transaction open on the
    // same partition: the partition's last stable offset stays before it until it ends.
    const foreign = kafka.producer({
      transactionalId: uniqueName('foreign'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await foreign.connect();
    const open = await foreign.transaction();
    await open.send({ topic: stateTopic, messages: [{ key: 'other/stream', value: Buffer.from('{}') }] });

    await first.publish([], 'inst/stream', state('c2'));
    await first.disconnect();

    const second = new TransactionalPublisher(options);
    await second.connect();
    // While it stays open the read cannot know the latest state: it fails (retryably) rather than guess.
    await expect(second.loadStates(['inst/stream'], 2_000)).rejects.toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
    });
    const read = second.loadStates(['inst/stream']);
    // The read must wait for the foreign transaction to end rather than return c1 (or nothing).
    const ended = new Promise((resolve) => setTimeout(resolve, 3_000)).then(() => open.abort());
    const states = await read;
    await ended;
    expect(states.get('inst/stream')?.position).toEqual({ cursor: 'c2' });
    await second.disconnect();
    await foreign.disconnect();
  });
});

describe('a graceful disconnect', () => {
  it('lets the publish in progress commit instead of leaving its transaction open for other readers', async () => {
    const { kafka, stateTopic, options } = await publisherSetup(1);
    const publisher = new TransactionalPublisher(options);
    await publisher.connect();
    // Stop while the publish is in its transaction: the stop must wait for the commit.
    const publishing = publisher.publish([], 'inst/stream', state('c1'));
    await publisher.disconnect();
    await publishing;
    // A transaction left open would hold the partition's last stable offset before it for the
    // transaction timeout (60 s): this plain read (to the last stable offset) would miss c1 and
    // everything committed after it, like another stream's state.
    const other = new TransactionalPublisher({ ...options, transactionalId: uniqueName('tx') });
    await other.connect();
    await other.publish([], 'other/stream', state('o1'));
    await other.disconnect();
    const states = await loadSourceStates(kafka, stateTopic, ['inst/stream', 'other/stream']);
    expect(states.get('inst/stream')?.position).toEqual({ cursor: 'c1' });
    expect(states.get('other/stream')?.position).toEqual({ cursor: 'o1' });
  });
});
