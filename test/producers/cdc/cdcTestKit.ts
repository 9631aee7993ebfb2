import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { onTestFinished } from 'vitest';
import { sourceStateTopic } from '../../../platform/declaredTopics.js';
import { withDatabase } from '../../../platform/postgres.js';
import { readTopicToEnd } from '../../../platform/topicReader.js';
import { applyTopics, topicSpec } from '../../../platform/topics.js';
import { rawTopicFor } from '../../../producers/cdc/changeEvents.js';
import { ColumnPolicy } from '../../../producers/cdc/columnPolicy.js';
import { rawTextTypes } from '../../../producers/cdc/replicationConnection.js';
import { createPayrollDatabase, payrollTables } from '../../../producers/sources/payroll/payrollDatabase.js';
import { endpoints, uniqueName } from '../../helpers/stack.js';

/** A fresh payroll database for the calling test; when it finishes, drops its slots (a slot blocks DROP DATABASE) and the database. */
export async function createPayrollTestDatabase(employees = 100): Promise<string> {
  const name = uniqueName('payroll').replace(/-/g, '_');
  const url = withDatabase(endpoints().databaseUrl, name);
  await createPayrollDatabase(url, { employees });
  onTestFinished(async () => {
    const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
    await admin.connect();
    try {
      await admin.query(
        'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL',
        [name],
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await admin.query(
        'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1',
        [name],
      );
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  });
  return url;
}

export async function createCdcTopics(
  kafka: Kafka,
  source: string,
  tables: readonly string[] = payrollTables,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await applyTopics(admin, [
      topicSpec(sourceStateTopic),
      ...tables.map((t) => topicSpec(rawTopicFor(source, t), { partitions: 3 })),
    ]);
  } finally {
    await admin.disconnect();
  }
}

export interface RawMessage {
  key: string;
  value: Record<string, unknown> | null;
  headers: Record<string, string>;
}

export async function readRaw(kafka: Kafka, topic: string): Promise<RawMessage[]> {
  const out: RawMessage[] = [];
  await readTopicToEnd({
    kafka,
    topic,
    onMessage: (message) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
      out.push({
        key: message.key?.toString('utf8') ?? '',
        value: message.value ? (JSON.parse(message.value.toString('utf8')) as Record<string, unknown>) : null,
        headers,
      });
    },
  });
  return out;
}

/** What a compacting reader ends with: key → latest payload (deleted keys removed). */
export function latestPayloads(messages: readonly RawMessage[]): Map<string, unknown> {
  const latest = new Map<string, unknown>();
  for (const message of messages) {
    if (message.value === null || message.value['operation'] === 'delete') latest.delete(message.key);
    else latest.set(message.key, message.value['payload']);
  }
  return latest;
}

/** The source table as the producer should have published it: key → row after the column policy. */
export async function sourceRows(
  url: string,
  table: string,
  keyColumn: string,
  instance: string,
  policy = new ColumnPolicy(),
): Promise<Map<string, unknown>> {
  const client = new pg.Client({ connectionString: url, types: rawTextTypes });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, string | null>>(`SELECT * FROM ${table}`);
    return new Map(
      rows.map((row) => [`${instance}/${table}/${row[keyColumn]}`, policy.apply(row, [keyColumn])]),
    );
  } finally {
    await client.end();
  }
}

export async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Waits until the slot confirmed everything written before this call (the producer caught up).
 * The slot must also be streaming (held by a walsender): a producer re-snapshotting has just
 * created a slot whose confirmed position is already past the target although its snapshot is
 * still being published.
 */
export async function waitForCatchUp(url: string, slot: string, timeoutMs = 60_000): Promise<void> {
  const [target] = await query<{ lsn: string }>(url, 'SELECT pg_current_wal_lsn()::text AS lsn');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await query<{ done: boolean }>(
      url,
      'SELECT active_pid IS NOT NULL AND confirmed_flush_lsn >= $2::pg_lsn AS done FROM pg_replication_slots WHERE slot_name = $1',
      [slot, target?.lsn],
    );
    if (row?.done) return;
    if (Date.now() > deadline) throw new Error(`slot ${slot} did not reach ${target?.lsn}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export const keyColumnOf: Record<string, string> = {
  'payroll.employees': 'employee_number',
  'payroll.pay_rates': 'employee_number',
  'payroll.pay_history': 'id',
  'payroll.bank_details': 'employee_number',
};
