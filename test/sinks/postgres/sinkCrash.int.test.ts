import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../platform/stack/paths.js';
import { endpoints, uniqueName } from '../../helpers/stack.js';
import {
  type CanonicalProducer,
  canonicalProducer,
  employeeRecord,
  eventually,
  sinkDatabase,
} from './sinkFixtures.js';

const KILLS = Number(process.env['SINK_CRASH_KILLS'] ?? 22);
const KEYS = 3000;
const PARTITIONS = 3;

interface Child {
  process: ChildProcess;
  exited: Promise<number | null>;
  stderr: string[];
}

describe('PostgresSink crash safety (child process, SIGKILL)', () => {
  let db: Awaited<ReturnType<typeof sinkDatabase>>;
  let kafka: CanonicalProducer;
  beforeAll(async () => {
    db = await sinkDatabase();
    kafka = await canonicalProducer();
  });

  function spawnSink(env: Record<string, string>): Child {
    const e = endpoints();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(projectRoot, 'sinks/postgres/main.ts'), '--entities', 'employee'],
      {
        cwd: projectRoot,
        env: {
          ...process.env,
          KAFKA_BROKERS: e.kafkaBrokers.join(','),
          SCHEMA_REGISTRY_URL: e.schemaRegistryUrl,
          DATABASE_URL: db.url,
          METRICS_PORT: '0',
          LOG_LEVEL: 'warn',
          SINK_MAX_BATCH: '300',
          SINK_LINGER_MS: '10',
          ...env,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const stderr: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { process: child, exited, stderr };
  }

  it(`ends with exactly the latest state per key after ${KILLS} SIGKILLs during a load (incl. between DB and Kafka commit)`, async () => {
    const topic = await kafka.createTopic('employee', PARTITIONS);
    const dlq = await kafka.createDlqTopic();
    const groupId = uniqueName('crash-group');
    const ids = Array.from({ length: KEYS }, () => randomUUID());
    const version = new Map<string, number>();
    const deleted = new Map<string, boolean>();
    let produced = 0;
    // One chunk: every key gets its next version; about 1 in 12 keys is deleted (and re-created later).
    const produceChunk = async (): Promise<void> => {
      const messages = ids.map((id) => {
        if (version.has(id) && !deleted.get(id) && Math.random() < 1 / 12) {
          deleted.set(id, true);
          return { key: id, value: null };
        }
        const next = (version.get(id) ?? 0) + 1;
        version.set(id, next);
        deleted.set(id, false);
        return { key: id, value: employeeRecord(id, next, { givenName: `g${next}` }) };
      });
      await kafka.send(topic, messages);
      produced += messages.length;
    };
    await produceChunk();
    await produceChunk();

    const env = { SINK_GROUP_ID: groupId, SINK_DLQ_TOPIC: dlq, SINK_TOPICS: `employee=${topic}` };
    let faultKills = 0;
    let timedKills = 0;
    for (let round = 0; round < KILLS; round++) {
      const viaFaultPoint = round % 2 === 0;
      // Fault-point runs need records to commit: give each one a fresh chunk.
      if (viaFaultPoint) await produceChunk();
      // A fresh Kafka group per run: the dead member would otherwise hold the group for a session
      // timeout; it also proves the sink seeks to the stored offsets, not to Kafka's.
      const child = spawnSink({
        ...env,
        SINK_KAFKA_GROUP_ID: `${groupId}-run${round}`,
        ...(viaFaultPoint ? { SINK_KILL_AFTER_COMMIT: String(1 + Math.floor(Math.random() * 4)) } : {}),
      });
      if (viaFaultPoint) {
        const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000));
        const outcome = await Promise.race([child.exited, timeout]);
        if (outcome === 'timeout') {
          child.process.kill('SIGKILL');
          timedKills++;
        } else faultKills++;
      } else {
        await new Promise((resolve) => setTimeout(resolve, 1500 + Math.random() * 2500));
        child.process.kill('SIGKILL');
        timedKills++;
      }
      await child.exited;
    }
    expect(faultKills + timedKills).toBeGreaterThanOrEqual(Math.min(20, KILLS));
    expect(faultKills).toBeGreaterThanOrEqual(Math.min(9, KILLS / 2));

    const final = spawnSink({ ...env, SINK_KAFKA_GROUP_ID: `${groupId}-final` });
    // A last chunk only the final run can write: reaching the end proves it is up (and its
    // SIGTERM handler installed) before we ask it to drain.
    await produceChunk();
    const ends = await kafka.admin.fetchTopicOffsets(topic);
    await eventually(
      async () => {
        const { rows } = await db.pool.query<{ partition: number; next_offset: string }>(
          'SELECT partition, next_offset::text FROM tributary_sink_offsets WHERE group_id = $1 AND topic = $2',
          [groupId, topic],
        );
        return ends.every((end) =>
          rows.some((row) => row.partition === end.partition && row.next_offset === end.high),
        );
      },
      60_000,
      'the final run to reach the end of every partition',
    );
    final.process.kill('SIGTERM');
    const code = await final.exited;
    expect(code, final.stderr.join('')).toBe(0);

    const { rows } = await db.pool.query<{
      id: string;
      version: string;
      given_name: string;
      deleted: boolean;
    }>('SELECT id, version::text, given_name, deleted_at IS NOT NULL AS deleted FROM employee');
    expect(rows).toHaveLength(KEYS);
    const mismatches = rows.filter(
      (row) =>
        row.version !== String(version.get(row.id)) ||
        row.deleted !== deleted.get(row.id) ||
        row.given_name !== `g${version.get(row.id)}`,
    );
    expect(mismatches).toEqual([]);
    expect(produced).toBeGreaterThanOrEqual(KEYS * Math.min(9, 2 + KILLS / 2));
  });
});
