import { randomUUID } from 'node:crypto';
import pkg from '@kafkajs/confluent-schema-registry';
import pg from 'pg';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterHeaders } from '../../../platform/deadLetterHeaders.js';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { JsonWireDecoder } from '../../../schemas/wireFormat.js';
import { PostgresSink } from '../../../sinks/postgres/postgresSink.js';
import { entityTables } from '../../../sinks/postgres/specs/entityTables.js';
import { endpoints, testKafka, testLogger, uniqueName } from '../../helpers/stack.js';
import { fixtureOf, invoiceRecord, refs } from './canonicalFixtures.js';
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
        entities: entityTables.filter((spec) => spec.entity in topics),
        topics,
        groupId: uniqueName('sink-group'),
        dlqTopic,
        lingerMs: 20,
      },
      {
        kafka: testKafka('sink-under-test'),
        pool: db.pool,
        decoder: new JsonWireDecoder(new SchemaRegistry({ host: endpoints().schemaRegistryUrl })),
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
    const invoice = (version: number, lines: number) => invoiceRecord(inv, version, lines);
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
      compensation_annualized_amount: string;
      work_email: string;
    }>(
      'SELECT id, version::text, given_name, deleted_at IS NOT NULL AS deleted, compensation_annualized_amount::text, work_email FROM employee',
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(a)).toMatchObject({
      version: '3',
      given_name: 'Ada',
      deleted: false,
      compensation_annualized_amount: '50003.0000',
      work_email: `ada.${a.slice(0, 8)}@example.com`,
    });
    expect(byId.get(b)).toMatchObject({ version: '2', deleted: false });
    expect(byId.get(c)).toMatchObject({ version: '1', deleted: true });
    expect(byId.get(d)).toMatchObject({ version: '6', deleted: false });
    expect(byId.has(e)).toBe(false);
    expect(rows).toHaveLength(4);

    const lines = await db.pool.query<{ description: string; net_amount: string; unit_price: string }>(
      'SELECT description, net_amount::text, unit_price::text FROM invoice_line WHERE invoice_id = $1 ORDER BY line_index',
      [inv],
    );
    expect(lines.rows).toEqual([
      { description: 'line 1 of v2', net_amount: '10.3100', unit_price: '4.123456789' },
      { description: 'line 2 of v2', net_amount: '10.3100', unit_price: '4.123456789' },
    ]);
    const header = await db.pool.query(
      'SELECT version::text, total_amount::text FROM invoice WHERE id = $1',
      [inv],
    );
    expect(header.rows).toEqual([{ version: '2', total_amount: '24.5400' }]);

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
            ? employeeRecord(id, 1, {
                compensation: {
                  annualized: { amount: '1.00', currency: 'eur' }, // CHECK: 23514
                  original: { amount: '1.00', currency: 'EUR' },
                  payFrequency: 'annual',
                },
              })
            : index === 30
              ? employeeRecord(id, 1, { hireDate: 'not-a-date' }) // invalid date: 22007
              : index === 40
                ? employeeRecord(id, 1, { givenName: 'nul\u0000byte' }) // text cannot hold NUL: 22021
                : employeeRecord(id, 1),
      })),
      // Records 17 and 30 break the contract on purpose: the database is the sink's last defence.
      { unchecked: true },
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
      new Set(ids.filter((_, index) => index !== 17 && index !== 30 && index !== 40)),
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
    await eventually(async () => seen.length >= 3, 30_000, 'three DLQ records');
    await consumer.disconnect();
    expect(seen.map((entry) => entry.key).sort()).toEqual([ids[17], ids[30], ids[40]].sort());
    const first = seen.find((entry) => entry.key === ids[17]);
    expect(first?.headers).toMatchObject({
      [deadLetterHeaders.stage]: 'sink-write',
      [deadLetterHeaders.topic]: employees,
      [deadLetterHeaders.partition]: '0',
      [deadLetterHeaders.offset]: '17',
      [deadLetterHeaders.sqlstate]: '23514',
      [deadLetterHeaders.attempts]: '1',
    });
    expect(first?.headers[deadLetterHeaders.error]).toMatch(/check constraint/);
    expect(seen.find((entry) => entry.key === ids[30])?.headers[deadLetterHeaders.sqlstate]).toBe('22007');
    expect(seen.find((entry) => entry.key === ids[40])?.headers[deadLetterHeaders.sqlstate]).toBe('22021');
    expect(await metrics.getSingleMetricAsString('tributary_sink_dlq_total')).toMatch(
      /stage="sink-write"} 3/,
    );
  });

  it('lands every canonical entity with every typed column filled from the contract fields', async () => {
    const topics: Record<string, string> = {};
    const ids: Record<string, string[]> = {};
    for (const spec of entityTables) {
      const topic = await kafka.createTopic(spec.entity, 1);
      topics[spec.entity] = topic;
      const build = fixtureOf[spec.entity];
      if (!build) throw new Error(`no fixture for ${spec.entity}`);
      const entityIds = [randomUUID(), randomUUID(), randomUUID()];
      ids[spec.entity] = entityIds;
      await kafka.send(
        topic,
        entityIds.map((id) => ({ key: id, value: build(id) })),
      );
    }
    const sink = startSink(
      topics,
      await kafka.createDlqTopic(),
      createMetricsRegistry({ defaultMetrics: false }),
    );
    await sink.start();
    await eventually(
      async () => {
        const offsets = await storedOffsets(sink.options.groupId);
        return Object.values(topics).every((topic) => offsets.get(`${topic}/0`) === '3');
      },
      30_000,
      'every entity topic stored',
    );
    for (const spec of entityTables) {
      const columns = spec.columns.map((column) => column.name);
      const { rows } = await db.pool.query<Record<string, unknown>>(
        `SELECT id, ${columns.map((name) => `${pg.escapeIdentifier(name)} IS NULL AS ${pg.escapeIdentifier(name)}`).join(', ')} FROM ${pg.escapeIdentifier(spec.table)} WHERE id = ANY($1::uuid[])`,
        [ids[spec.entity]],
      );
      expect(rows, spec.entity).toHaveLength(3);
      const nullColumns = rows.flatMap((row) => columns.filter((name) => row[name] === true));
      expect(nullColumns, `${spec.table} columns left NULL`).toEqual([]);
      for (const child of spec.children) {
        const childColumns = child.columns.map((column) => column.name);
        const childRows = await db.pool.query<Record<string, unknown>>(
          `SELECT ${childColumns.map((name) => `${pg.escapeIdentifier(name)} IS NULL AS ${pg.escapeIdentifier(name)}`).join(', ')} FROM ${pg.escapeIdentifier(child.table)} WHERE ${pg.escapeIdentifier(child.parentColumn)} = ANY($1::uuid[])`,
          [ids[spec.entity]],
        );
        expect(childRows.rows).toHaveLength(6);
        expect(childRows.rows.flatMap((row) => childColumns.filter((name) => row[name] === true))).toEqual(
          [],
        );
      }
    }
    // Spot-check values and types, not just presence.
    const employeeId = ids['employee']?.[0];
    const employee = await db.pool.query(
      `SELECT work_email, country_code, department_id::text, compensation_annualized_amount::text,
              compensation_annualized_currency, compensation_original_amount::text, pay_frequency,
              standard_hours_per_week::text, hire_date::text, termination_date::text
       FROM employee WHERE id = $1`,
      [employeeId],
    );
    expect(employee.rows[0]).toEqual({
      work_email: `ada.${employeeId?.slice(0, 8)}@example.com`,
      country_code: 'DE',
      department_id: refs.department,
      compensation_annualized_amount: '50001.0000',
      compensation_annualized_currency: 'EUR',
      compensation_original_amount: '4167.6700',
      pay_frequency: 'monthly',
      standard_hours_per_week: '40',
      hire_date: '2020-01-15',
      termination_date: '2027-06-30',
    });
    const fx = await db.pool.query('SELECT rate::text, rate_date::text FROM fx_rate WHERE id = $1', [
      ids['fx_rate']?.[0],
    ]);
    expect(fx.rows[0]).toEqual({ rate: '1.08321234', rate_date: '2026-11-27' });
    const location = await db.pool.query(
      "SELECT address_city, address_country_code, address->>'postalCode' AS postal FROM location WHERE id = $1",
      [ids['location']?.[0]],
    );
    expect(location.rows[0]).toEqual({ address_city: 'Berlin', address_country_code: 'DE', postal: '10117' });
  });
});
