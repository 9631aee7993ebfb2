import { randomUUID } from 'node:crypto';
import pkg from '@kafkajs/confluent-schema-registry';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { PostgresSink } from '../../../sinks/postgres/postgresSink.js';
import type { PostgresSinkOptionsInput } from '../../../sinks/postgres/sinkOptions.js';
import { employeeTable } from '../../../sinks/postgres/specs/employeeTable.js';
import { endpoints, testKafka, testLogger, uniqueName } from '../../helpers/stack.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcpProxy.js';
import {
  type CanonicalProducer,
  canonicalProducer,
  employeeRecord,
  eventually,
  sinkDatabase,
} from './sinkFixtures.js';

const { SchemaRegistry } = pkg;

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

  function sinkOn(pool: pg.Pool, options: Omit<PostgresSinkOptionsInput, 'entities'>): PostgresSink {
    const sink = new PostgresSink(
      { entities: [employeeTable], lingerMs: 10, ...options },
      {
        kafka: testKafka('sink-resilience'),
        pool,
        decoder: new SchemaRegistry({ host: endpoints().schemaRegistryUrl }),
        log: testLogger(),
        metrics: createMetricsRegistry({ defaultMetrics: false }),
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

  it('pauses every partition behind an open circuit while PostgreSQL is unreachable, keeps memory bounded, and lands everything once it is back', async () => {
    const server = new URL(db.url);
    const proxy: TcpProxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
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

    const topic = await kafka.createTopic('employee', 2);
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    await kafka.send(
      topic,
      ids.slice(0, 200).map((id) => ({ key: id, value: employeeRecord(id, 1) })),
    );
    const groupId = uniqueName('circuit-group');
    const highWaterRecords = 150;
    const sink = sinkOn(pool, {
      topics: { employee: topic },
      groupId,
      dlqTopic: await kafka.createDlqTopic(),
      maxBatchRecords: 50,
      highWaterRecords,
      lowWaterRecords: 50,
      circuitResetMs: 1000,
      backoff: { initialMs: 50, maxMs: 500 },
      maxBytesPerPartition: 16 * 1024,
    });
    await sink.start();
    await eventually(() => atEnd(groupId, topic), 30_000, 'first 200 rows');

    await proxy.stop();
    // Small producer batches, so one fetch (16 KiB per partition) is the overshoot past the high-water mark.
    for (let index = 200; index < ids.length; index += 10) {
      await kafka.send(
        topic,
        ids.slice(index, index + 10).map((id) => ({ key: id, value: employeeRecord(id, 1) })),
      );
    }
    await eventually(async () => sink.circuitState === 'open', 30_000, 'circuit to open');
    await eventually(async () => sink.pausedPartitions().length === 2, 10_000, 'both partitions paused');
    // Down for a while: intake stays paused, the buffer stays under the water marks (+ one fetch).
    let maxBuffered = 0;
    for (let tick = 0; tick < 25; tick++) {
      maxBuffered = Math.max(maxBuffered, sink.bufferedRecords());
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(sink.state).toBe('running');
    expect(sink.circuitState).not.toBe('closed');
    expect(maxBuffered).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThanOrEqual(2 * (highWaterRecords + 40));

    await proxy.start();
    await eventually(() => atEnd(groupId, topic), 60_000, 'every record once PostgreSQL is back');
    expect(sink.circuitState).toBe('closed');
    await eventually(async () => sink.pausedPartitions().length === 0, 10_000, 'partitions resumed');
    const { rows } = await db.pool.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM employee WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(rows[0]?.n).toBe('1000');
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
