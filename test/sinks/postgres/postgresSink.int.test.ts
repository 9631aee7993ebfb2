import { randomUUID } from 'node:crypto';
import pkg from '@kafkajs/confluent-schema-registry';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { dlqHeaders } from '../../../sinks/postgres/dlqPublisher.js';
import { PostgresSink } from '../../../sinks/postgres/postgresSink.js';
import { employeeTable } from '../../../sinks/postgres/specs/employeeTable.js';
import { invoiceTable } from '../../../sinks/postgres/specs/invoiceTable.js';
import { endpoints, testKafka, testLogger, uniqueName } from '../../helpers/stack.js';
import {
  type CanonicalProducer,
  canonicalProducer,
  employeeRecord,
  eventually,
  sinkDatabase,
} from './sinkFixtures.js';

const { SchemaRegistry } = pkg;

describe('PostgresSink (real Kafka + PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof sinkDatabase>>;
  let kafka: CanonicalProducer;
  const sinks: PostgresSink[] = [];
  afterAll(async () => {
    await Promise.allSettled(sinks.map((sink) => sink.stop()));
  });
  beforeAll(async () => {
    db = await sinkDatabase();
    kafka = await canonicalProducer();
  });

  function startSink(topics: Record<string, string>, dlqTopic: string, metrics: Registry): PostgresSink {
    const sink = new PostgresSink(
      {
        entities: [employeeTable, invoiceTable].filter((spec) => spec.entity in topics),
        topics,
        groupId: uniqueName('sink-group'),
        dlqTopic,
        lingerMs: 20,
      },
      {
        kafka: testKafka('sink-under-test'),
        pool: db.pool,
        decoder: new SchemaRegistry({ host: endpoints().schemaRegistryUrl }),
        log: testLogger(),
        metrics,
      },
    );
    sinks.push(sink);
    return sink;
  }

  async function storedOffsets(groupId: string): Promise<Map<string, string>> {
    const { rows } = await db.pool.query<{ topic: string; partition: number; next_offset: string }>(
      'SELECT topic, partition, next_offset::text FROM tributary_sink_offsets WHERE group_id = $1',
      [groupId],
    );
    return new Map(rows.map((row) => [`${row.topic}/${row.partition}`, row.next_offset]));
  }

  it('keeps the highest version per key across out-of-order and repeated versions; tombstones soft-delete; invoice lines follow the winning version', async () => {
    const employees = await kafka.createTopic('employee', 1);
    const invoices = await kafka.createTopic('invoice', 1);
    const dlq = await kafka.createDlqTopic();
    const [a, b, c, d, e] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()] as const;
    await kafka.send(employees, [
      { key: a, value: employeeRecord(a, 1) },
      { key: a, value: employeeRecord(a, 3) },
      { key: a, value: employeeRecord(a, 2) },
      { key: a, value: employeeRecord(a, 3, { givenName: 'replayed' }) },
      { key: b, value: employeeRecord(b, 2) },
      { key: b, value: employeeRecord(b, 1) },
      { key: c, value: employeeRecord(c, 1) },
      { key: c, value: null },
      { key: d, value: employeeRecord(d, 5) },
      { key: d, value: null },
      { key: d, value: employeeRecord(d, 6) },
      { key: e, value: null },
    ]);
    const inv = randomUUID();
    const invoice = (version: number, lines: number) => ({
      id: inv,
      entity: 'invoice',
      version,
      mappingVersions: ['erp-invoices@1'],
      updatedAt: '2026-11-27T10:00:00Z',
      data: {
        invoiceNumber: 'INV-1',
        currency: 'EUR',
        total: { amount: `${lines * 10}.00`, currency: 'EUR' },
        lines: Array.from({ length: lines }, (_, index) => ({
          lineNumber: index + 1,
          description: `line ${index + 1} of v${version}`,
          quantity: '1',
          amount: { amount: '10.00', currency: 'EUR' },
        })),
      },
      provenance: {},
    });
    await kafka.send(invoices, [
      { key: inv, value: invoice(1, 3) },
      { key: inv, value: invoice(2, 2) },
      { key: inv, value: invoice(1, 5) },
    ]);
    const metrics = createMetricsRegistry({ defaultMetrics: false });
    const sink = startSink({ employee: employees, invoice: invoices }, dlq, metrics);
    await sink.start();
    const groupId = sink.options.groupId;
    await eventually(
      async () => {
        const offsets = await storedOffsets(groupId);
        return offsets.get(`${employees}/0`) === '12' && offsets.get(`${invoices}/0`) === '3';
      },
      30_000,
      'stored offsets at the end of both topics',
    );
    const { rows } = await db.pool.query<{
      id: string;
      version: string;
      given_name: string;
      deleted: boolean;
      annual_salary_amount: string;
    }>(
      'SELECT id, version::text, given_name, deleted_at IS NOT NULL AS deleted, annual_salary_amount::text FROM employee',
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(a)).toMatchObject({
      version: '3',
      given_name: 'Ada',
      deleted: false,
      annual_salary_amount: '50003.0000',
    });
    expect(byId.get(b)).toMatchObject({ version: '2', deleted: false });
    expect(byId.get(c)).toMatchObject({ version: '1', deleted: true });
    expect(byId.get(d)).toMatchObject({ version: '6', deleted: false });
    expect(byId.has(e)).toBe(false);
    expect(rows).toHaveLength(4);

    const lines = await db.pool.query<{ description: string }>(
      'SELECT description FROM invoice_line WHERE invoice_id = $1 ORDER BY line_index',
      [inv],
    );
    expect(lines.rows.map((row) => row.description)).toEqual(['line 1 of v2', 'line 2 of v2']);

    // A later stale version in a new batch changes nothing; a replayed tombstone is idempotent.
    await kafka.send(employees, [
      { key: a, value: employeeRecord(a, 2, { givenName: 'stale' }) },
      { key: c, value: null },
    ]);
    await eventually(
      async () => (await storedOffsets(groupId)).get(`${employees}/0`) === '14',
      30_000,
      'second round stored',
    );
    const after = await db.pool.query<{ version: string; given_name: string }>(
      'SELECT version::text, given_name FROM employee WHERE id = $1',
      [a],
    );
    expect(after.rows[0]).toEqual({ version: '3', given_name: 'Ada' });
    const upserted = await metrics.getSingleMetricAsString('tributary_sink_rows_upserted_total');
    expect(upserted).toMatch(/entity="employee"} [1-9]/);
  });

  it('sends rows the database rejects to the DLQ with their origin while their batch-mates land', async () => {
    const employees = await kafka.createTopic('employee', 1);
    const dlq = await kafka.createDlqTopic();
    const ids = Array.from({ length: 50 }, () => randomUUID());
    await kafka.send(
      employees,
      ids.map((id, index) => ({
        key: id,
        value:
          index === 17
            ? employeeRecord(id, 1, { annualSalary: { amount: '1.00', currency: 'eur' } }) // CHECK: 23514
            : index === 30
              ? employeeRecord(id, 1, { hireDate: 'not-a-date' }) // invalid date: 22007
              : employeeRecord(id, 1),
      })),
    );
    const metrics = createMetricsRegistry({ defaultMetrics: false });
    const sink = startSink({ employee: employees }, dlq, metrics);
    await sink.start();
    await eventually(
      async () => (await storedOffsets(sink.options.groupId)).get(`${employees}/0`) === '50',
      30_000,
      'batch committed',
    );
    const { rows } = await db.pool.query<{ id: string }>(
      'SELECT id FROM employee WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(new Set(rows.map((row) => row.id))).toEqual(
      new Set(ids.filter((_, index) => index !== 17 && index !== 30)),
    );

    const consumer = kafka.kafka.consumer({ groupId: uniqueName('dlq-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: dlq, fromBeginning: true });
    const seen: { key: string; headers: Record<string, string> }[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
        seen.push({ key: String(message.key), headers });
      },
    });
    await eventually(async () => seen.length >= 2, 30_000, 'two DLQ records');
    await consumer.disconnect();
    expect(seen.map((entry) => entry.key).sort()).toEqual([ids[17], ids[30]].sort());
    const first = seen.find((entry) => entry.key === ids[17]);
    expect(first?.headers).toMatchObject({
      [dlqHeaders.stage]: 'sink-write',
      [dlqHeaders.topic]: employees,
      [dlqHeaders.partition]: '0',
      [dlqHeaders.offset]: '17',
      [dlqHeaders.sqlstate]: '23514',
      [dlqHeaders.attempt]: '1',
    });
    expect(first?.headers[dlqHeaders.error]).toMatch(/check constraint/);
    expect(seen.find((entry) => entry.key === ids[30])?.headers[dlqHeaders.sqlstate]).toBe('22007');
    expect(await metrics.getSingleMetricAsString('tributary_sink_dlq_total')).toMatch(
      /stage="sink-write"} 2/,
    );
  });
});
