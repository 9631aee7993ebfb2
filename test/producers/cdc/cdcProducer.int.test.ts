import { randomBytes } from 'node:crypto';
import type { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../../platform/metrics.js';
import { CdcProducer } from '../../../producers/cdc/cdcProducer.js';
import { rawTopicFor } from '../../../producers/cdc/changeEvents.js';
import { payrollTables } from '../../../producers/sources/payroll/payrollDatabase.js';
import { PayrollWriter } from '../../../producers/sources/payroll/payrollWriter.js';
import { testKafka, testLogger, uniqueName } from '../../helpers/stack.js';
import {
  createCdcTopics,
  createPayrollTestDatabase,
  keyColumnOf,
  latestPayloads,
  query,
  readRaw,
  sourceRows,
  waitForCatchUp,
} from './cdcTestKit.js';

function producerFor(
  url: string,
  source: string,
  extra: { heartbeatIntervalMs?: number; monitorIntervalMs?: number; metrics?: Registry } = {},
): CdcProducer {
  return new CdcProducer({
    kafka: testKafka(),
    databaseUrl: url,
    log: testLogger(),
    metrics: extra.metrics ?? createMetricsRegistry(),
    source,
    tables: [...payrollTables],
    statusIntervalMs: 1000,
    ...extra,
  });
}

describe('CDC producer (real PostgreSQL and Kafka)', () => {
  it('snapshot under concurrent writes, then streaming: every raw topic equals its source table row by row', async () => {
    const url = await createPayrollTestDatabase(150);
    const source = uniqueName('cdc').replace(/-/g, '_');
    const kafka = testKafka();
    await createCdcTopics(kafka, source);
    const writer = new PayrollWriter({ databaseUrl: url, ratePerSecond: 60 });
    writer.start(); // writes before, during and after the snapshot
    await new Promise((resolve) => setTimeout(resolve, 500));
    const producer = producerFor(url, source, { heartbeatIntervalMs: 500 });
    await producer.start();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const written = await writer.stop();
    expect(written.transactions).toBeGreaterThan(100);
    await waitForCatchUp(url, producer.options.slot);
    await producer.stop();

    for (const table of payrollTables) {
      const messages = await readRaw(kafka, rawTopicFor(source, table));
      const expected = await sourceRows(url, table, keyColumnOf[table] ?? '', source);
      expect(latestPayloads(messages), table).toEqual(expected);
    }
    const bank = await readRaw(kafka, rawTopicFor(source, 'payroll.bank_details'));
    const accounts = await query<{ account_number: string }>(
      url,
      'SELECT account_number FROM payroll.bank_details',
    );
    const published = bank.map((m) => JSON.stringify(m.value));
    for (const { account_number } of accounts) {
      expect(published.some((text) => text.includes(account_number))).toBe(false);
    }
    const sample = bank.find((m) => m.value !== null)?.value;
    expect(sample).toMatchObject({
      sourceSystem: 'postgres-cdc',
      stream: 'payroll.bank_details',
      request: null,
    });
    expect(String((sample?.['payload'] as Record<string, string> | undefined)?.['account_number'])).toMatch(
      /^\*{4}\d{4}$/,
    );
    expect(producer.stats.snapshotRows).toBeGreaterThan(0);
    expect(producer.stats.transactionsPublished).toBeGreaterThan(0);
  });

  it('keeps an unchanged 10 KB TOASTed value, shows DDL in the envelope, and acknowledges WAL while idle', async () => {
    const url = await createPayrollTestDatabase(5);
    const source = uniqueName('cdc').replace(/-/g, '_');
    const kafka = testKafka();
    await createCdcTopics(kafka, source);
    const metrics = createMetricsRegistry();
    const producer = producerFor(url, source, { heartbeatIntervalMs: 300, monitorIntervalMs: 300, metrics });
    await producer.start();
    const big = randomBytes(7500).toString('base64'); // 10 000 chars, incompressible: stored out of line
    await query(url, `UPDATE payroll.employees SET notes = $1 WHERE employee_number = 'E00001'`, [big]);
    await query(
      url,
      `UPDATE payroll.employees SET department = 'Legal', version = version + 1 WHERE employee_number = 'E00001'`,
    );
    const [stored] = await query<{ external: boolean }>(
      url,
      `SELECT pg_relation_size(reltoastrelid) > 8000 AS external FROM pg_class WHERE oid = 'payroll.employees'::regclass`,
    );
    expect(stored?.external).toBe(true);

    await query(url, 'ALTER TABLE payroll.employees ADD COLUMN nickname text');
    await query(
      url,
      `UPDATE payroll.employees SET nickname = 'Ada', version = version + 1 WHERE employee_number = 'E00002'`,
    );
    await query(url, 'ALTER TABLE payroll.employees RENAME COLUMN department TO team');
    await query(
      url,
      `UPDATE payroll.employees SET team = 'Sales', version = version + 1 WHERE employee_number = 'E00003'`,
    );
    await query(url, 'ALTER TABLE payroll.employees DROP COLUMN email');
    await query(url, `UPDATE payroll.employees SET version = version + 1 WHERE employee_number = 'E00004'`);
    await waitForCatchUp(url, producer.options.slot);

    const messages = await readRaw(kafka, rawTopicFor(source, 'payroll.employees'));
    const stream = messages.filter((m) => m.value && !(m.value['cdc'] as { snapshot: boolean }).snapshot);
    const payloadOf = (id: string, n: number): Record<string, unknown> =>
      stream.filter((m) => m.key.endsWith(`/${id}`))[n]?.value?.['payload'] as Record<string, unknown>;
    const columnsOf = (id: string): string[] => {
      const cdc = stream.filter((m) => m.key.endsWith(`/${id}`)).at(-1)?.value?.['cdc'] as
        | { columns: { name: string }[] }
        | undefined;
      return (cdc?.columns ?? []).map((c) => c.name);
    };
    // the UPDATE that left notes untouched still carries the full value
    expect(payloadOf('E00001', 1)).toMatchObject({ department: 'Legal', notes: big });
    expect(payloadOf('E00002', 0)).toMatchObject({ nickname: 'Ada' });
    expect(columnsOf('E00002')).toContain('nickname');
    expect(payloadOf('E00003', 0)).toMatchObject({ team: 'Sales' });
    expect(payloadOf('E00003', 0)).not.toHaveProperty('department');
    expect(columnsOf('E00004')).not.toContain('email');
    expect(payloadOf('E00004', 0)).not.toHaveProperty('email');
    // DDL alone republishes nothing: rows untouched since keep their old shape until they change.
    expect(payloadOf('E00005', 0)).toBeUndefined();

    // Idle: WAL written elsewhere on the server (another database) must not stay pinned by our slot.
    const [before] = await query<{ lsn: string }>(url, 'SELECT pg_current_wal_lsn()::text AS lsn');
    const other = await createPayrollTestDatabase(1);
    await query(
      other,
      'CREATE TABLE filler AS SELECT g, md5(g::text) AS t FROM generate_series(1, 100000) g',
    );
    await query(url, 'CHECKPOINT');
    const [after] = await query<{ lsn: string }>(url, 'SELECT pg_current_wal_lsn()::text AS lsn');
    let row: { confirmed_ok: boolean; retained: string } | undefined;
    const deadline = Date.now() + 20_000;
    do {
      await new Promise((resolve) => setTimeout(resolve, 500));
      [row] = await query<{ confirmed_ok: boolean; retained: string }>(
        url,
        `SELECT confirmed_flush_lsn >= $2::pg_lsn AS confirmed_ok, (pg_current_wal_lsn() - restart_lsn)::text AS retained
           FROM pg_replication_slots WHERE slot_name = $1`,
        [producer.options.slot, after?.lsn],
      );
    } while (!(row?.confirmed_ok && Number(row.retained) < 16 * 1024 * 1024) && Date.now() < deadline);
    expect(row?.confirmed_ok, `confirmed_flush_lsn passed ${after?.lsn} (from ${before?.lsn})`).toBe(true);
    expect(Number(row?.retained)).toBeLessThan(16 * 1024 * 1024);
    const gauge = async (name: string): Promise<number | undefined> =>
      (await metrics.getSingleMetric(name)?.get())?.values[0]?.value;
    expect(await gauge('tributary_cdc_retained_wal_bytes')).toBeGreaterThan(0);
    expect(await gauge('tributary_cdc_replication_lag_bytes')).toBeGreaterThanOrEqual(0);
    expect(await gauge('tributary_cdc_replication_lag_seconds')).toBe(0);
    await producer.stop();
  });

  it('fails loudly (never hangs) when the replication connection is terminated', async () => {
    const url = await createPayrollTestDatabase(3);
    const source = uniqueName('cdc').replace(/-/g, '_');
    await createCdcTopics(testKafka(), source);
    const producer = producerFor(url, source);
    await producer.start();
    await query(
      url,
      'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1',
      [producer.options.slot],
    );
    const outcome = await Promise.race([
      producer.failed.then(
        () => 'resolved',
        (error: unknown) => String(error),
      ),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 15_000)),
    ]);
    expect(outcome).toMatch(/terminat|replication connection closed|ended unexpectedly/);
    await producer.stop();
    expect(producer.state).toBe('stopped');
  });

  it('refuses tables it cannot capture faithfully, with the fix in the message', async () => {
    const url = await createPayrollTestDatabase(1);
    await query(url, 'CREATE TABLE payroll.no_key (a text)');
    await query(url, 'CREATE TABLE payroll.toasty (id int PRIMARY KEY, body text)');
    const run = async (table: string): Promise<unknown> => {
      const producer = new CdcProducer({
        kafka: testKafka(),
        databaseUrl: url,
        log: testLogger(),
        metrics: createMetricsRegistry(),
        source: uniqueName('cdc').replace(/-/g, '_'),
        tables: [table],
      });
      return producer.start().then(
        () => producer.stop(),
        (error: unknown) => error,
      );
    };
    expect(String(await run('payroll.no_key'))).toMatch(/has no primary key/);
    expect(String(await run('payroll.toasty'))).toMatch(/REPLICA IDENTITY FULL/);
    expect(String(await run('payroll.missing'))).toMatch(/does not exist/);
    const role = uniqueName('cdc_role').replace(/-/g, '_');
    await query(url, `CREATE ROLE ${role} LOGIN`);
    try {
      const limited = new URL(url);
      limited.username = role;
      const producer = new CdcProducer({
        kafka: testKafka(),
        databaseUrl: limited.toString(),
        log: testLogger(),
        metrics: createMetricsRegistry(),
        source: 'limited',
        tables: ['payroll.employees'],
      });
      const error = await producer.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(String(error)).toMatch(/lacks the REPLICATION attribute/);
      expect(String(error)).toMatch(/no SELECT on payroll.employees/);
    } finally {
      await query(url, `DROP ROLE ${role}`);
    }
  });
});
