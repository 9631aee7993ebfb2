import { describe, expect, it } from 'vitest';
import { readTopicToEnd } from '../../../platform/topicReader.js';
import { killHard, seededRandom, spawnTs } from '../../helpers/childProcess.js';
import { createTopicsReady, endpoints, testKafka, uniqueName } from '../../helpers/stack.js';

const KILLS = Number(process.env['PROCESSOR_CRASH_KILLS'] ?? 20);
const RECORDS = 30_000;

describe('ExactlyOnceProcessor under SIGKILL', () => {
  it(`sees every input exactly once in the output after ${KILLS} kills at random moments`, async () => {
    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    const input = uniqueName('raw.eos-in');
    const output = uniqueName('canonical.eos-out');
    const dlq = uniqueName('dlq.eos');
    await createTopicsReady(admin, {
      topics: [input, output, dlq].map((topic) => ({ topic, numPartitions: 4 })),
      waitForLeaders: true,
    });
    await admin.disconnect();

    // Input: RECORDS records, every 1000th a poison record that must go to the DLQ.
    const producer = kafka.producer();
    await producer.connect();
    const expected = new Map<string, string>();
    const poison = new Set<string>();
    for (let start = 0; start < RECORDS; start += 2_000) {
      const messages = [];
      for (let i = start; i < start + 2_000; i++) {
        const key = `k${i}`;
        const value = i % 1_000 === 999 ? `poison-${i}` : `value-${i}`;
        if (value.startsWith('poison')) poison.add(key);
        else expected.set(key, value.toUpperCase());
        messages.push({ key, value });
      }
      await producer.send({ topic: input, messages });
    }
    await producer.disconnect();

    const random = seededRandom(Number(process.env['CRASH_SEED'] ?? 42));
    const env = {
      KAFKA_BROKERS: endpoints().kafkaBrokers.join(','),
      INPUT_TOPIC: input,
      OUTPUT_TOPIC: output,
      DLQ_TOPIC: dlq,
      GROUP_ID: uniqueName('eos-group'),
      SLOW_MS: '1',
    };
    // Kills are timed from the child's first commit, not from its spawn: on a loaded machine a
    // child can spend seconds starting and joining the group, and a kill before it processed
    // anything proves nothing (a CI run once had all 20 land there: no transaction was ever cut).
    const progressWatch = kafka.admin();
    await progressWatch.connect();
    const committedTotal = async (): Promise<bigint> => {
      const [committed] = await progressWatch.fetchOffsets({ groupId: env.GROUP_ID, topics: [input] });
      return (committed?.partitions ?? []).reduce(
        (sum, partition) => sum + (BigInt(partition.offset) > 0n ? BigInt(partition.offset) : 0n),
        0n,
      );
    };
    let kills = 0;
    let selfKills = 0;
    while (kills + selfKills < KILLS) {
      // Every other run also dies at the fault point between produce and commit.
      const child = spawnTs('test/fixtures/upperCaseProcessor.ts', {
        ...env,
        KILL_BEFORE_COMMIT_PROBABILITY: (kills + selfKills) % 2 === 0 ? '0.5' : '0',
      });
      let exitedOnItsOwn = false;
      child.once('exit', () => {
        exitedOnItsOwn = true;
      });
      const before = await committedTotal();
      const progressDeadline = Date.now() + 60_000;
      while (!exitedOnItsOwn && (await committedTotal()) === before && Date.now() < progressDeadline)
        await new Promise((resolve) => setTimeout(resolve, 200));
      if (!exitedOnItsOwn) await new Promise((resolve) => setTimeout(resolve, random() * 700));
      if (exitedOnItsOwn || child.exitCode !== null || child.signalCode !== null) selfKills++;
      else {
        await killHard(child);
        kills++;
      }
    }
    await progressWatch.disconnect();
    // Final run to completion: wait until every input offset is committed.
    const child = spawnTs('test/fixtures/upperCaseProcessor.ts', env);
    const watcher = kafka.admin();
    await watcher.connect();
    const ends = await watcher.fetchTopicOffsets(input);
    const deadline = Date.now() + 150_000;
    for (;;) {
      const committed = await watcher.fetchOffsets({ groupId: env.GROUP_ID, topics: [input] });
      const done = ends.every(
        (end) => committed[0]?.partitions.find((p) => p.partition === end.partition)?.offset === end.high,
      );
      if (done) break;
      if (Date.now() > deadline) throw new Error('processor did not finish');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    await watcher.disconnect();
    await killHard(child);

    const seen = new Map<string, number>();
    const values = new Map<string, string>();
    await readTopicToEnd({
      kafka,
      topic: output,
      onMessage: (message) => {
        const key = message.key?.toString() ?? '';
        seen.set(key, (seen.get(key) ?? 0) + 1);
        values.set(key, message.value?.toString() ?? '');
      },
    });
    const duplicates = [...seen.entries()].filter(([, count]) => count > 1);
    const missing = [...expected.keys()].filter((key) => !seen.has(key));
    expect({ kills: kills + selfKills, duplicates: duplicates.length, missing: missing.length }).toEqual({
      kills: KILLS,
      duplicates: 0,
      missing: 0,
    });
    expect(values).toEqual(expected);

    // Reading uncommitted shows what the kills left behind: aborted transactions' records.
    let uncommitted = 0;
    await readTopicToEnd({ kafka, topic: output, readCommitted: false, onMessage: () => void uncommitted++ });
    process.stdout.write(
      `processor crash test: ${kills} SIGKILLs from outside + ${selfKills} at the fault point before commit, ${expected.size} expected, ${uncommitted - expected.size} records of aborted transactions hidden from read_committed readers\n`,
    );
    expect(uncommitted).toBeGreaterThan(expected.size);

    const deadLettered = new Set<string>();
    await readTopicToEnd({
      kafka,
      topic: dlq,
      onMessage: (message) => {
        const key = message.key?.toString() ?? '';
        expect(deadLettered.has(key)).toBe(false);
        deadLettered.add(key);
        expect(message.headers?.['tributary.dlq.original-topic']?.toString()).toBe(input);
        expect(message.headers?.['tributary.dlq.error']?.toString()).toContain('cannot map poison');
      },
    });
    expect(deadLettered).toEqual(poison);
  });
});
