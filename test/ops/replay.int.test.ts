import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOffsetTarget } from '../../platform/ops/offsetTarget.js';
import { replay } from '../../platform/ops/replay.js';
import { planTotals } from '../../platform/ops/replayPlan.js';
import { readSinkOffsets } from '../../platform/ops/sinkOffsetsTable.js';
import { projectRoot } from '../helpers/childProcess.js';
import { createTestDatabase, createTopicsReady, testKafka, uniqueName } from '../helpers/stack.js';
import { readAll, upperCaseProcessor, waitUntilCaughtUp } from './opsFixtures.js';

const T0 = Date.parse('2026-11-27T08:00:00.000Z');

describe('tributary replay', () => {
  let kafka: Kafka;
  let admin: Admin;
  let pool: pg.Pool;

  beforeAll(async () => {
    kafka = testKafka('ops-replay-test');
    admin = kafka.admin();
    await admin.connect();
    pool = new pg.Pool({ connectionString: await createTestDatabase('trib_ops_replay'), max: 2 });
    await pool.query(readFileSync(join(projectRoot, 'migrations/0100_sink_offsets.sql'), 'utf8'));
  });
  afterAll(async () => {
    await admin.disconnect();
    await pool.end();
  });

  it('re-processes a processor group from earliest, a timestamp or explicit offsets; refuses while it runs', async () => {
    const input = uniqueName('raw.ops-replay');
    const output = uniqueName('canonical.ops-replay');
    const dlq = uniqueName('dlq.ops-replay');
    const groupId = uniqueName('tributary-processor-map');
    await createTopicsReady(admin, {
      topics: [
        { topic: input, numPartitions: 2 },
        { topic: output, numPartitions: 2 },
        { topic: dlq, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    const producer = kafka.producer();
    await producer.connect();
    // Partition 0: 6 records one second apart from T0; partition 1: 4 records.
    await producer.send({
      topic: input,
      messages: [
        ...Array.from({ length: 6 }, (_, i) => ({
          partition: 0,
          key: `a${i}`,
          value: `v-a${i}`,
          timestamp: String(T0 + i * 1000),
        })),
        ...Array.from({ length: 4 }, (_, i) => ({
          partition: 1,
          key: `b${i}`,
          value: `v-b${i}`,
          timestamp: String(T0 + i * 1000),
        })),
      ],
    });
    await producer.disconnect();

    let processor = upperCaseProcessor({ kafka, groupId, input, output, dlq });
    await processor.start();
    await waitUntilCaughtUp(admin, groupId, input);
    expect(await readAll(kafka, output)).toHaveLength(10);

    await expect(replay({ admin }, { groupId, target: { kind: 'earliest' }, mode: 'kafka' })).rejects.toThrow(
      /active member/,
    );
    // A dry run plans even while the group runs, and says so.
    const whileRunning = await replay(
      { admin },
      { groupId, target: { kind: 'earliest' }, dryRun: true, mode: 'kafka' },
    );
    expect(whileRunning.activeMembers).toBe(1);
    await processor.stop();

    const dryRun = await replay(
      { admin, db: pool },
      { groupId, target: resolveOffsetTarget({ toEarliest: true }), dryRun: true },
    );
    expect(dryRun.mode).toBe('kafka'); // no stored sink offsets for this group
    expect(dryRun.rows.map((row) => [row.partition, row.current, row.target, row.replayOffsets])).toEqual([
      [0, 6n, 0n, 6n],
      [1, 4n, 0n, 4n],
    ]);
    expect(planTotals(dryRun.rows).replayOffsets).toBe(10n);

    const byTime = await replay(
      { admin },
      {
        groupId,
        target: resolveOffsetTarget({ toTimestamp: new Date(T0 + 2500).toISOString() }),
        dryRun: true,
        mode: 'kafka',
      },
    );
    // First offset at or after T0+2.5 s: offset 3 on both partitions (timestamps T0+3 s).
    expect(byTime.rows.map((row) => [row.partition, row.target, row.replayOffsets])).toEqual([
      [0, 3n, 3n],
      [1, 3n, 1n],
    ]);
    // Nothing moved by the dry runs.
    const before = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(before[0]?.partitions.map((p) => p.offset).sort()).toEqual(['4', '6']);

    const applied = await replay({ admin }, { groupId, target: { kind: 'earliest' }, mode: 'kafka' });
    expect(applied.dryRun).toBe(false);
    const after = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(after[0]?.partitions.map((p) => p.offset)).toEqual(['0', '0']);

    processor = upperCaseProcessor({ kafka, groupId, input, output, dlq });
    await processor.start();
    await waitUntilCaughtUp(admin, groupId, input);
    await processor.stop();
    const outputs = await readAll(kafka, output);
    expect(outputs).toHaveLength(20); // every input processed a second time
    expect(new Set(outputs.map(({ message }) => message.value?.toString()))).toEqual(
      new Set([
        ...Array.from({ length: 6 }, (_, i) => `V-A${i}`),
        ...Array.from({ length: 4 }, (_, i) => `V-B${i}`),
      ]),
    );

    const explicit = await replay(
      { admin },
      { groupId, target: resolveOffsetTarget({ toOffsets: `${input}:0=4` }), mode: 'kafka' },
    );
    expect(explicit.rows.map((row) => [row.partition, row.replayOffsets])).toEqual([[0, 2n]]);
    const final = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(final[0]?.partitions.find((p) => p.partition === 0)?.offset).toBe('4');
    expect(final[0]?.partitions.find((p) => p.partition === 1)?.offset).toBe('4');
  });

  it('rewrites the sink offsets stored in PostgreSQL (and the Kafka group) in one go', async () => {
    const topic = uniqueName('canonical.ops-sink');
    const groupId = uniqueName('tributary-sink-postgres');
    await createTopicsReady(admin, { topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        ...Array.from({ length: 8 }, (_, i) => ({ partition: 0, key: `e${i}`, value: `x${i}` })),
        ...Array.from({ length: 6 }, (_, i) => ({ partition: 1, key: `f${i}`, value: `y${i}` })),
      ],
    });
    await producer.disconnect();
    // What a sink leaves behind: stored offsets (its Kafka commits are best-effort; none here).
    await pool.query(
      `INSERT INTO tributary_sink_offsets (group_id, topic, partition, next_offset) VALUES ($1, $2, 0, 8), ($1, $2, 1, 6)`,
      [groupId, topic],
    );

    const dryRun = await replay({ admin, db: pool }, { groupId, target: { kind: 'earliest' }, dryRun: true });
    expect(dryRun.mode).toBe('sink'); // detected from the offsets table
    expect(
      dryRun.rows.map((row) => [
        row.partition,
        row.current,
        row.kafkaCommitted,
        row.target,
        row.replayOffsets,
      ]),
    ).toEqual([
      [0, 8n, null, 0n, 8n],
      [1, 6n, null, 0n, 6n],
    ]);

    // An active member (a sink instance) blocks the real replay, and nothing is written.
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6_000 });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topic });
    await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
    await joined;
    await expect(replay({ admin, db: pool }, { groupId, target: { kind: 'earliest' } })).rejects.toThrow(
      /active member/,
    );
    expect((await readSinkOffsets(pool, groupId)).map((row) => row.nextOffset)).toEqual([8n, 6n]);
    await consumer.disconnect();

    const applied = await replay(
      { admin, db: pool },
      { groupId, target: resolveOffsetTarget({ toOffsets: `${topic}:0=2` }) },
    );
    expect(applied.rows.map((row) => [row.partition, row.replayOffsets])).toEqual([[0, 6n]]);
    expect((await readSinkOffsets(pool, groupId)).map((row) => [row.partition, row.nextOffset])).toEqual([
      [0, 2n],
      [1, 6n],
    ]);
    const kafkaOffsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(kafkaOffsets[0]?.partitions.find((p) => p.partition === 0)?.offset).toBe('2');

    await replay({ admin, db: pool }, { groupId, target: { kind: 'earliest' }, topics: [topic] });
    expect((await readSinkOffsets(pool, groupId)).map((row) => row.nextOffset)).toEqual([0n, 0n]);
  });
});
