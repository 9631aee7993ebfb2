import { randomUUID } from 'node:crypto';
import pkg from '@kafkajs/confluent-schema-registry';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { JsonWireDecoder } from '../../../schemas/wireFormat.js';
import { PostgresSink } from '../../../sinks/postgres/postgresSink.js';
import type { PostgresSinkOptionsInput } from '../../../sinks/postgres/sinkOptions.js';
import { employeeTable } from '../../../sinks/postgres/specs/employeeTable.js';
import { endpoints, testKafka, testLogger, uniqueName } from '../../helpers/stack.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcpProxy.js';
import { spawnSinkChild } from './sinkChild.js';
import {
  type CanonicalProducer,
  canonicalProducer,
  employeeRecord,
  eventually,
  sinkDatabase,
} from './sinkFixtures.js';

const { SchemaRegistry } = pkg;

/** The database outage of the circuit test (FAULTS.md row 8's 30 s, applied to PostgreSQL). */
const OUTAGE_MS = 30_000;
/** Records produced while the database is away. */
const BACKLOG = 20_000;
/** How much the sink process's RSS may grow during the outage. */
const RSS_GROWTH_BOUND = 48 * 2 ** 20;

describe('PostgresSink resilience (real Kafka + PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof sinkDatabase>>;
  let kafka: CanonicalProducer;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    db = await sinkDatabase();
    kafka = await canonicalProducer();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  function sinkOn(
    pool: pg.Pool,
    options: Omit<PostgresSinkOptionsInput, 'entities'>,
    metrics = createMetricsRegistry({ defaultMetrics: false }),
  ): PostgresSink {
    const sink = new PostgresSink(
      { entities: [employeeTable], lingerMs: 10, ...options },
      {
        kafka: testKafka('sink-resilience'),
        pool,
        decoder: new JsonWireDecoder(new SchemaRegistry({ host: endpoints().schemaRegistryUrl })),
        log: testLogger(),
        metrics,
        graceMs: 10_000,
      },
    );
    cleanups.push(() => sink.stop());
    return sink;
  }

  async function atEnd(groupId: string, topic: string): Promise<boolean> {
    const ends = await kafka.admin.fetchTopicOffsets(topic);
    const { rows } = await db.pool.query<{ partition: number; next_offset: string }>(
      'SELECT partition, next_offset::text FROM tributary_sink_offsets WHERE group_id = $1 AND topic = $2',
      [groupId, topic],
    );
    return ends.every((end) =>
      rows.some((row) => row.partition === end.partition && row.next_offset === end.high),
    );
  }

  async function proxiedDatabase(): Promise<{ proxy: TcpProxy; url: string; pool: pg.Pool }> {
    const server = new URL(db.url);
    const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    cleanups.push(() => proxy.close());
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const pool = new pg.Pool({
      connectionString: viaProxy.toString(),
      max: 4,
      connectionTimeoutMillis: 1000,
    });
    pool.on('error', () => undefined);
    cleanups.push(() => pool.end());
    return { proxy, url: viaProxy.toString(), pool };
  }

  it('bounds the bytes buffered across all partitions while writes are blocked, then lands everything', async () => {
    const partitions = 6;
    const topic = await kafka.createTopic('employee', partitions);
    const ids = Array.from({ length: 6000 }, () => randomUUID());
    // Small producer batches: Kafka returns at least one whole record batch per fetch, so the
    // producer's batch size, not maxBytesPerPartition, would otherwise be the overshoot.
    await kafka.send(
      topic,
      ids.map((id) => ({ key: id, value: employeeRecord(id, 1) })),
      { chunk: 10 },
    );
    // Writes wait on a lock instead of failing: the circuit stays closed, only backpressure
    // limits intake. Per partition the marks would allow 6 × 256 KiB; the process-wide bound is 512 KiB.
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    cleanups.push(() => locker.end());
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE employee IN EXCLUSIVE MODE');
    const maxBufferedBytes = 512 * 1024;
    const maxBytesPerPartition = 16 * 1024;
    const metrics = createMetricsRegistry({ defaultMetrics: false });
    const gauge = async (name: string): Promise<number> =>
      (await metrics.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
    const groupId = uniqueName('bounded-group');
    const sink = sinkOn(
      db.pool,
      {
        topics: { employee: topic },
        groupId,
        dlqTopic: await kafka.createDlqTopic(),
        maxBatchRecords: 100,
        highWaterRecords: 100_000,
        lowWaterRecords: 50,
        highWaterBytes: 256 * 1024,
        lowWaterBytes: 64 * 1024,
        maxBufferedBytes,
        maxBytesPerPartition,
      },
      metrics,
    );
    await sink.start();
    let maxBytes = 0;
    let maxPaused = 0;
    const until = Date.now() + 8_000;
    while (Date.now() < until) {
      maxBytes = Math.max(maxBytes, await gauge('tributary_sink_buffered_bytes'));
      maxPaused = Math.max(maxPaused, await gauge('tributary_sink_paused_partitions'));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    console.info(`writes blocked 8 s: max ${maxBytes} bytes buffered, max ${maxPaused} partitions paused`);
    // It filled up to the bound (so the bound is what stopped it), and past it by at most one
    // fetch per partition.
    expect(maxBytes).toBeGreaterThan(maxBufferedBytes / 2);
    expect(maxBytes).toBeLessThanOrEqual(maxBufferedBytes + partitions * (maxBytesPerPartition + 64 * 16));
    expect(maxPaused).toBe(partitions);
    await locker.query('COMMIT');
    await eventually(() => atEnd(groupId, topic), 60_000, 'every record landed');
    const { rows } = await db.pool.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM employee WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(Number(rows[0]?.n)).toBe(ids.length);
  });

  it(`keeps a sink process's memory bounded behind an open circuit during a ${OUTAGE_MS / 1000} s database outage with a growing backlog, then lands everything`, async () => {
    const { proxy, url } = await proxiedDatabase();
    const topic = await kafka.createTopic('employee', 2);
    const before = Array.from({ length: 200 }, () => randomUUID());
    await kafka.send(
      topic,
      before.map((id) => ({ key: id, value: employeeRecord(id, 1) })),
    );
    const groupId = uniqueName('circuit-group');
    const highWaterRecords = 150;
    const child = await spawnSinkChild(url, {
      SINK_GROUP_ID: groupId,
      SINK_TOPICS: `employee=${topic}`,
      SINK_DLQ_TOPIC: await kafka.createDlqTopic(),
      SINK_MAX_BATCH: '50',
      SINK_LINGER_MS: '10',
      SINK_HIGH_WATER_RECORDS: String(highWaterRecords),
      SINK_LOW_WATER_RECORDS: '50',
      SINK_MAX_BYTES_PER_PARTITION: String(16 * 1024),
      SINK_CIRCUIT_RESET_MS: '1000',
      SINK_BACKOFF_INITIAL_MS: '50',
      SINK_BACKOFF_MAX_MS: '500',
      DATABASE_POOL_SIZE: '4',
    });
    cleanups.push(async () => {
      child.process.kill('SIGKILL');
      await child.exited;
    });
    await eventually(() => atEnd(groupId, topic), 60_000, 'first 200 rows');
    const rssAtOutage = child.rss() ?? 0;
    expect(rssAtOutage).toBeGreaterThan(0);

    await proxy.stop();
    const outageStarted = Date.now();
    // The backlog grows by BACKLOG records (~1.3 KiB each, ~50 MiB as decoded objects) while the
    // database is away: a sink that kept fetching would grow by far more than the bound below.
    const backlog = Array.from({ length: BACKLOG }, () => randomUUID());
    let maxRss = rssAtOutage;
    let maxBuffered = 0;
    let openSeen = false;
    let pausedSeen = 0;
    const sample = async (): Promise<void> => {
      maxRss = Math.max(maxRss, child.rss() ?? 0);
      maxBuffered = Math.max(maxBuffered, await child.metric('tributary_sink_buffered_records'));
      if ((await child.metric('tributary_sink_db_circuit_state')) === 2) openSeen = true;
      pausedSeen = Math.max(pausedSeen, await child.metric('tributary_sink_paused_partitions'));
    };
    for (let index = 0; index < backlog.length; index += 2000) {
      // Small producer batches, so one fetch (16 KiB per partition) is the overshoot past the high-water mark.
      await kafka.send(
        topic,
        backlog.slice(index, index + 2000).map((id) => ({ key: id, value: employeeRecord(id, 1) })),
        { chunk: 10 },
      );
      await sample();
    }
    while (Date.now() - outageStarted < OUTAGE_MS) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    console.info(
      `outage ${OUTAGE_MS / 1000} s, backlog +${BACKLOG}: sink RSS ${(rssAtOutage / 2 ** 20).toFixed(0)} MiB at outage start, max ${(maxRss / 2 ** 20).toFixed(0)} MiB during it; max buffered ${maxBuffered} records`,
    );
    expect(child.process.exitCode, child.stderr.join('')).toBeNull(); // no crash (loop)
    expect(openSeen).toBe(true);
    expect(pausedSeen).toBe(2);
    expect(maxBuffered).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThanOrEqual(2 * (highWaterRecords + 40));
    expect(maxRss - rssAtOutage, `RSS ${rssAtOutage >> 20} → max ${maxRss >> 20} MiB`).toBeLessThan(
      RSS_GROWTH_BOUND,
    );

    await proxy.start();
    await eventually(() => atEnd(groupId, topic), 90_000, 'every record once PostgreSQL is back');
    expect(await child.metric('tributary_sink_db_circuit_state')).toBe(0);
    await eventually(
      async () => (await child.metric('tributary_sink_paused_partitions')) === 0,
      10_000,
      'partitions resumed',
    );
    const { rows } = await db.pool.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM employee WHERE id = ANY($1::uuid[])',
      [[...before, ...backlog]],
    );
    expect(rows[0]?.n).toBe(String(before.length + backlog.length));
  });

  it('re-applies idempotently when the connection is reset right after COMMIT was sent (outcome unknown; the stored-offset compare-and-set decides)', async () => {
    const { proxy, pool } = await proxiedDatabase();
    const topic = await kafka.createTopic('employee', 1);
    const ids = Array.from({ length: 600 }, () => randomUUID());
    const groupId = uniqueName('commit-reset-group');
    const metrics = createMetricsRegistry({ defaultMetrics: false });
    const sink = sinkOn(
      pool,
      {
        topics: { employee: topic },
        groupId,
        dlqTopic: await kafka.createDlqTopic(),
        maxBatchRecords: 100,
        backoff: { initialMs: 20, maxMs: 200 },
      },
      metrics,
    );
    // The next three COMMITs reach PostgreSQL (and commit) but the sink only sees a reset.
    const RESETS = 3;
    proxy.resetClientAfter(Buffer.from('COMMIT\0'), RESETS);
    await sink.start();
    for (let version = 1; version <= 3; version++) {
      await kafka.send(
        topic,
        ids.map((id) => ({ key: id, value: employeeRecord(id, version, { givenName: `g${version}` }) })),
      );
    }
    await eventually(() => atEnd(groupId, topic), 60_000, 'the end of the topic');
    expect(proxy.resets).toBe(RESETS);
    // Each unknown outcome was retried, found the stored offset already moved, and reconciled
    // instead of writing the batch twice or skipping it.
    const conflicts = await metrics.getSingleMetricAsString('tributary_sink_offset_conflicts_total');
    expect(Number(/ (\d+)$/m.exec(conflicts)?.[1])).toBeGreaterThanOrEqual(RESETS);
    const { rows } = await db.pool.query<{ id: string; version: string; given_name: string }>(
      'SELECT id, version::text, given_name FROM employee WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(rows).toHaveLength(ids.length);
    expect(rows.filter((row) => row.version !== '3' || row.given_name !== 'g3')).toEqual([]);
    const stored = await db.pool.query<{ next_offset: string }>(
      'SELECT next_offset::text FROM tributary_sink_offsets WHERE group_id = $1',
      [groupId],
    );
    expect(stored.rows).toEqual([{ next_offset: String(ids.length * 3) }]);
  });

  it('hands partitions over mid-load between two instances without losing, duplicating or regressing a row', async () => {
    const topic = await kafka.createTopic('employee', 4);
    const ids = Array.from({ length: 2000 }, () => randomUUID());
    for (let version = 1; version <= 4; version++) {
      await kafka.send(
        topic,
        ids.map((id) => ({ key: id, value: employeeRecord(id, version, { givenName: `g${version}` }) })),
      );
    }
    const groupId = uniqueName('rebalance-group');
    const options = {
      topics: { employee: topic },
      groupId,
      dlqTopic: await kafka.createDlqTopic(),
      maxBatchRecords: 200,
    };
    const first = sinkOn(db.pool, options);
    await first.start();
    await eventually(
      async () => {
        const { rows } = await db.pool.query<{ n: string }>(
          'SELECT coalesce(sum(next_offset), 0)::text AS n FROM tributary_sink_offsets WHERE group_id = $1',
          [groupId],
        );
        return Number(rows[0]?.n) > 800;
      },
      30_000,
      'the first instance to be mid-load',
    );
    const second = sinkOn(db.pool, options);
    await second.start(); // joins the group: partitions move while batches are in flight
    await kafka.send(
      topic,
      ids.map((id) => ({ key: id, value: employeeRecord(id, 5, { givenName: 'g5' }) })),
    );
    await eventually(() => atEnd(groupId, topic), 90_000, 'both instances to reach the end');
    await first.stop(); // the second takes everything over; nothing more to write
    await eventually(() => atEnd(groupId, topic), 10_000, 'still at the end');
    const { rows } = await db.pool.query<{ id: string; version: string; given_name: string }>(
      'SELECT id, version::text, given_name FROM employee WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(rows).toHaveLength(ids.length);
    expect(rows.filter((row) => row.version !== '5' || row.given_name !== 'g5')).toEqual([]);
  });
});
