import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueName } from '../../helpers/stack.js';
import { spawnSinkChild } from './sinkChild.js';
import {
  type CanonicalProducer,
  canonicalProducer,
  employeeRecord,
  eventually,
  sinkDatabase,
} from './sinkFixtures.js';

const run = promisify(execFile);
const KEYS = 4000;
const PARTITIONS = 3;
const RESTARTS = 3;

/** Restarts the local PostgreSQL 15 cluster the way a crash would: no checkpoint, no goodbye. */
async function restartPostgres(): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'main', 'restart', '-m', 'immediate']);
}

/**
 * FAULTS.md row 3 (PostgreSQL restarted during upsert). It restarts the machine's real
 * PostgreSQL, which every other test on the machine shares, so it is on demand only:
 * describe.runIf(process.env.TRIBUTARY_CHAOS === '1') skips it in the default run;
 * `TRIBUTARY_CHAOS=1 npx vitest run --project integration test/sinks` runs it.
 */
describe.runIf(process.env['TRIBUTARY_CHAOS'] === '1')(
  'PostgresSink chaos: PostgreSQL restarted (-m immediate) during upserts (on demand: TRIBUTARY_CHAOS=1)',
  () => {
    let db: Awaited<ReturnType<typeof sinkDatabase>>;
    let kafka: CanonicalProducer;
    beforeAll(async () => {
      db = await sinkDatabase();
      kafka = await canonicalProducer();
    });

    /** Reads with retries: the test's own connections die with every restart too. */
    async function query<T extends Record<string, unknown>>(text: string, values: unknown[]): Promise<T[]> {
      for (let attempt = 1; ; attempt++) {
        try {
          return (await db.pool.query<T>(text, values)).rows;
        } catch (error) {
          if (attempt >= 60) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    }

    it(`retries whole transactions through ${RESTARTS} immediate restarts mid-load, without crashing, and ends with exactly the latest state per key`, async () => {
      const topic = await kafka.createTopic('employee', PARTITIONS);
      const groupId = uniqueName('pg-restart-group');
      const ids = Array.from({ length: KEYS }, () => randomUUID());
      const version = new Map<string, number>();
      const deleted = new Map<string, boolean>();
      let chunks = 0;
      const produceChunk = async (): Promise<void> => {
        chunks++;
        await kafka.send(
          topic,
          ids.map((id, index) => {
            // Every 7th key is deleted on every third chunk (and re-created by the next one).
            if (chunks % 3 === 0 && index % 7 === 0 && version.has(id)) {
              deleted.set(id, true);
              return { key: id, value: null };
            }
            const next = (version.get(id) ?? 0) + 1;
            version.set(id, next);
            deleted.set(id, false);
            return { key: id, value: employeeRecord(id, next, { givenName: `g${next}` }) };
          }),
        );
      };
      for (let chunk = 0; chunk < 3; chunk++) await produceChunk();
      const child = await spawnSinkChild(db.url, {
        SINK_GROUP_ID: groupId,
        SINK_TOPICS: `employee=${topic}`,
        SINK_DLQ_TOPIC: await kafka.createDlqTopic(),
        SINK_MAX_BATCH: '500',
        SINK_LINGER_MS: '10',
        SINK_CIRCUIT_RESET_MS: '1000',
        SINK_BACKOFF_INITIAL_MS: '100',
        SINK_BACKOFF_MAX_MS: '1000',
      });
      try {
        const storedTotal = async (): Promise<number> => {
          const rows = await query<{ n: string }>(
            'SELECT coalesce(sum(next_offset), 0)::text AS n FROM tributary_sink_offsets WHERE group_id = $1',
            [groupId],
          );
          return Number(rows[0]?.n ?? 0);
        };
        for (let restart = 0; restart < RESTARTS; restart++) {
          // Restart while batches are in flight: the stored total has moved since the last
          // restart, and more is still to come.
          const reached = await storedTotal();
          await eventually(async () => (await storedTotal()) > reached, 60_000, 'the sink to be writing');
          await restartPostgres();
          await produceChunk();
        }
        const ends = await kafka.admin.fetchTopicOffsets(topic);
        await eventually(
          async () => {
            const rows = await query<{ partition: number; next_offset: string }>(
              'SELECT partition, next_offset::text FROM tributary_sink_offsets WHERE group_id = $1',
              [groupId],
            );
            return ends.every((end) =>
              rows.some((row) => row.partition === end.partition && row.next_offset === end.high),
            );
          },
          120_000,
          'the sink to reach the end of every partition',
        );
        expect(child.process.exitCode, child.stderr.join('')).toBeNull(); // never crashed
        const retries = await child.metric('tributary_sink_retries_total');
        console.info(
          `${RESTARTS} PostgreSQL restarts: ${retries} transaction retries, sink process never exited`,
        );
        expect(retries).toBeGreaterThan(0);
        expect(await child.metric('tributary_sink_dlq_total').catch(() => 0)).toBe(0);
      } finally {
        child.process.kill('SIGTERM');
        await child.exited;
      }
      const rows = await query<{ id: string; version: string; given_name: string; deleted: boolean }>(
        'SELECT id, version::text, given_name, deleted_at IS NOT NULL AS deleted FROM employee',
        [],
      );
      expect(rows).toHaveLength(KEYS);
      const mismatches = rows.filter(
        (row) =>
          row.version !== String(version.get(row.id)) ||
          row.deleted !== deleted.get(row.id) ||
          row.given_name !== `g${version.get(row.id)}`,
      );
      expect(mismatches).toEqual([]);
    });
  },
);
