import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterHeaders } from '../../platform/deadLetterHeaders.js';
import { readDlq, readDlqEntry } from '../../platform/ops/dlqReader.js';
import { redriveDlq } from '../../platform/ops/dlqRedrive.js';
import { parseOffsetRangeSpec } from '../../platform/ops/dlqSelection.js';
import { loadLedger } from '../../platform/ops/redriveLedger.js';
import { createTopicsReady, testKafka, testLogger, uniqueName } from '../helpers/stack.js';
import { readAll, upperCaseProcessor, waitFor, waitUntilCaughtUp } from './opsFixtures.js';

describe('tributary dlq', () => {
  let kafka: Kafka;
  let admin: Admin;
  beforeAll(async () => {
    kafka = testKafka('ops-dlq-test');
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  it('lists entries, redrives each at most once, re-failures come back with attempts raised, fixed ones land', async () => {
    const input = uniqueName('raw.ops-dlq');
    const output = uniqueName('canonical.ops-dlq');
    const dlq = uniqueName('dlq.ops-dlq');
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
    // k2 and k5 are poison; k7 is poison but a newer good version follows it (superseded).
    await producer.send({
      topic: input,
      messages: [
        { partition: 0, key: 'k1', value: 'one' },
        { partition: 0, key: 'k2', value: 'poison-2', headers: { 'tributary.event-id': 'e2' } },
        { partition: 0, key: 'k7', value: 'poison-7' },
        { partition: 0, key: 'k7', value: 'seven-fixed-at-source' },
        { partition: 1, key: 'k4', value: 'four' },
        { partition: 1, key: 'k5', value: 'poison-5' },
      ],
    });
    await producer.disconnect();

    const fixed = new Set<string>();
    const processor = upperCaseProcessor({ kafka, groupId, input, output, dlq, fixed });
    await processor.start();
    try {
      await waitUntilCaughtUp(admin, groupId, input);
      const entries = await readDlq(kafka, dlq);
      // The two input partitions commit concurrently, so DLQ offsets are found by key.
      const byKey = new Map(entries.map((entry) => [entry.key?.toString() ?? '', entry]));
      expect(
        [...byKey.values()]
          .map((e) => [e.key?.toString(), e.errorCode, e.originPartition, e.originOffset, e.attempts])
          .sort(),
      ).toEqual([
        ['k2', 'MAPPING_FAILED', 0, 1n, 1],
        ['k5', 'MAPPING_FAILED', 1, 1n, 1],
        ['k7', 'MAPPING_FAILED', 0, 2n, 1],
      ]);
      const offsetOf = (key: string): bigint => byKey.get(key)?.dlqOffset ?? -1n;
      const shown = await readDlqEntry(kafka, dlq, 0, offsetOf('k5'));
      expect(shown?.value?.toString()).toBe('poison-5');

      const log = testLogger();
      const preview = await redriveDlq({
        kafka,
        admin,
        log,
        dlqTopic: dlq,
        selector: { kind: 'all' },
        dryRun: true,
      });
      expect(new Map(preview.decisions.map((d) => [d.entry.key?.toString(), d.action]))).toEqual(
        new Map([
          ['k2', 'redrive'],
          ['k5', 'redrive'],
          ['k7', 'superseded'],
        ]),
      );
      expect((await readDlq(kafka, dlq)).length).toBe(3); // a dry run produces nothing

      // Redrive k2 without a fix: it fails again and returns with 2 attempts.
      const first = await redriveDlq({
        kafka,
        admin,
        log,
        dlqTopic: dlq,
        selector: parseOffsetRangeSpec(`0:${offsetOf('k2')}`),
      });
      expect(first.redriven).toBe(1);
      const redrivenRecord = (await readAll(kafka, input)).find(
        ({ message }) => message.headers?.['tributary.dlq.redriven-from'] !== undefined,
      );
      expect(redrivenRecord?.message.key?.toString()).toBe('k2');
      expect(redrivenRecord?.message.value?.toString()).toBe('poison-2');
      expect(redrivenRecord?.message.headers?.['tributary.event-id']?.toString()).toBe('e2');
      expect(redrivenRecord?.message.headers?.[deadLetterHeaders.attempts]?.toString()).toBe('1');
      const refailed = await waitFor(async () => {
        const all = await readDlq(kafka, dlq);
        return all.length === 4 ? all.at(-1) : undefined;
      }, 'k2 to fail again');
      expect([refailed.key?.toString(), refailed.attempts, refailed.originOffset]).toEqual(['k2', 2, 4n]);

      // The same selection again redrives nothing: the ledger says it is done.
      const again = await redriveDlq({
        kafka,
        admin,
        log,
        dlqTopic: dlq,
        selector: parseOffsetRangeSpec(`0:${offsetOf('k2')}`),
      });
      expect(again.redriven).toBe(0);
      expect(again.decisions[0]?.action).toBe('already-redriven');

      // Deploy the fix, redrive by error code: k5 (first failure) and k2 (second failure) land.
      fixed.add('k2');
      fixed.add('k5');
      const byCode = await redriveDlq({
        kafka,
        admin,
        log,
        dlqTopic: dlq,
        selector: { kind: 'errorCode', code: 'MAPPING_FAILED' },
      });
      expect(byCode.decisions.map((d) => [d.entry.dlqOffset, d.action])).toEqual(
        [
          [offsetOf('k2'), 'already-redriven'],
          [offsetOf('k7'), 'superseded'],
          [offsetOf('k5'), 'redrive'],
          [refailed.dlqOffset, 'redrive'],
        ].sort(([a], [b]) => Number(a) - Number(b)),
      );
      // (Redriven records are written transactionally, so the input ends in a commit marker the
      // group never commits past: wait for the outputs instead of a zero lag.)
      const values = await waitFor(async () => {
        const all = (await readAll(kafka, output)).map(({ message }) => message.value?.toString()).sort();
        return all.length >= 5 ? all : undefined;
      }, 'the fixed records to land');
      expect(values).toEqual(['FOUR', 'ONE', 'POISON-2', 'POISON-5', 'SEVEN-FIXED-AT-SOURCE']);
      expect(await readDlq(kafka, dlq)).toHaveLength(4); // nothing failed after the fix
      const ledger = await loadLedger(kafka, dlq);
      const redriven = [offsetOf('k2'), offsetOf('k5'), refailed.dlqOffset];
      for (const offset of redriven)
        expect(ledger.get(0)?.some(([from, to]) => offset >= from && offset <= to)).toBe(true);
      expect(ledger.get(0)?.some(([from, to]) => offsetOf('k7') >= from && offsetOf('k7') <= to)).toBe(false);
    } finally {
      await processor.stop();
    }
  });
});
