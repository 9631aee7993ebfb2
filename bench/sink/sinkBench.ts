/**
 * Sink throughput against its ceiling and floor, measured in one run on the same rows:
 *   node --import tsx bench/sink/sinkBench.ts [--rows N] [--batch 5000]
 * (a) ceiling: plain COPY of the rows into an empty copy of the table;
 * (b) floor: row-at-a-time INSERT … ON CONFLICT (one statement and commit per row);
 * plus the two set-based write strategies alone (unnest arrays; COPY into staging + merge), and
 * the sink end to end (Kafka → decode → buffer → batch upsert + offsets), with peak RSS.
 * Uses the environment's KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL (server; a scratch
 * database is created and dropped).
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pkg from '@kafkajs/confluent-schema-registry';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../../platform/config.js';
import { createKafka } from '../../platform/kafka.js';
import { createLogger } from '../../platform/logger.js';
import { createMetricsRegistry } from '../../platform/metrics.js';
import { migrate } from '../../platform/migrate.js';
import { withDatabase } from '../../platform/postgres.js';
import { projectRoot } from '../../platform/stack/paths.js';
import { PostgresSink } from '../../sinks/postgres/postgresSink.js';
import type { UpsertRecord } from '../../sinks/postgres/sinkRecord.js';
import { employeeTable } from '../../sinks/postgres/specs/employeeTable.js';
import { createTableStatements } from '../../sinks/postgres/tableStatements.js';

const { SchemaRegistry, SchemaType } = pkg;

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const rows = arg('rows', 200_000);
const batch = arg('batch', 5000);
const floorRows = Math.min(rows, 5000);
const config = loadConfig();
const log = createLogger({ level: 'warn', name: 'bench' });
const suffix = `${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
const database = `trib_bench_${suffix}`;
const dbUrl = withDatabase(config.DATABASE_URL, database);
const topic = `canonical.employee-bench-${suffix}`;

function employee(id: string, index: number) {
  return {
    id,
    entity: 'employee',
    version: 1,
    mappingVersions: ['hr-workers@1'],
    updatedAt: '2026-11-27T10:00:00.000Z',
    data: {
      employeeNumber: `E${index}`,
      givenName: `Given${index % 1000}`,
      familyName: `Family${index}`,
      displayName: `Given${index % 1000} Family${index}`,
      email: `person${index}@example.com`,
      jobTitle: 'Engineer',
      department: `D${index % 40}`,
      employmentStatus: 'active',
      employmentType: 'full_time',
      hireDate: '2021-03-01',
      annualSalary: { amount: `${60000 + (index % 5000)}.00`, currency: 'EUR' },
    },
    provenance: {
      familyName: {
        sourceSystem: 'workday',
        sourceInstance: 'acme',
        sourceRecordKey: `acme/workers/${index}`,
        rawTopic: 'raw.hr.workers',
        rawPartition: 0,
        rawOffset: String(index),
        observedAt: '2026-11-27T09:59:00.000Z',
        mapping: 'hr-workers@1',
        transformation: 'copy',
      },
    },
  };
}

/** COPY text format: backslash, tab, newline and CR escaped; NULL as \N. */
function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  return String(value)
    .replace(/\\/g, '\\\\')
    .replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

const copyColumns = [
  'id',
  'version',
  'data',
  'provenance',
  'mapping_versions',
  'canonical_updated_at',
  'source_topic',
  'source_partition',
  'source_offset',
  ...employeeTable.columns.map((column) => column.name),
];

function copyLines(records: readonly UpsertRecord[]): string[] {
  return records.map((r) =>
    [
      r.key,
      r.value.version,
      JSON.stringify(r.value.data),
      JSON.stringify(r.value.provenance),
      `{${r.value.mappingVersions.map((v) => `"${v}"`).join(',')}}`,
      r.value.updatedAt,
      r.topic,
      r.partition,
      r.offset.toString(),
      ...employeeTable.columns.map((column) => column.extract(r.value.data) ?? null),
    ]
      .map(copyField)
      .join('\t')
      .concat('\n'),
  );
}

async function copyInto(client: pg.PoolClient, table: string, lines: readonly string[]): Promise<void> {
  const stream = client.query(
    copyFrom(
      `COPY ${pg.escapeIdentifier(table)} (${copyColumns.map((c) => pg.escapeIdentifier(c)).join(', ')}) FROM STDIN`,
    ),
  );
  const chunks = function* () {
    for (let index = 0; index < lines.length; index += 1000) yield lines.slice(index, index + 1000).join('');
  };
  await pipeline(Readable.from(chunks()), stream);
}

async function timed(what: string, count: number, fn: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await fn();
  const seconds = (performance.now() - started) / 1000;
  const rate = count / seconds;
  process.stdout.write(
    `${what.padEnd(48)} ${count.toString().padStart(8)} rows  ${seconds.toFixed(2).padStart(7)} s  ${Math.round(rate).toString().padStart(8)} rows/s\n`,
  );
  return rate;
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: withDatabase(config.DATABASE_URL, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  const migrations = mkdtempSync(join(tmpdir(), 'bench-migrations-'));
  for (const name of readdirSync(join(projectRoot, 'migrations'))) {
    if (/^01\d\d_.*\.sql$/.test(name))
      copyFileSync(join(projectRoot, 'migrations', name), join(migrations, name));
  }
  await migrate({ databaseUrl: dbUrl, directory: migrations, log });
  const pool = new pg.Pool({ connectionString: dbUrl, max: config.DATABASE_POOL_SIZE });
  pool.on('error', () => undefined);
  const kafka = createKafka({ config, log, clientId: 'sink-bench' });
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  try {
    process.stdout.write(
      `sink benchmark: ${rows} employee rows (${employeeTable.columns.length + 12} columns), batch ${batch}, pool ${config.DATABASE_POOL_SIZE}\n`,
    );
    const ids = Array.from({ length: rows }, () => randomUUID());
    const records: UpsertRecord[] = ids.map((id, index) => ({
      kind: 'upsert',
      topic,
      partition: index % 6,
      offset: BigInt(Math.floor(index / 6)),
      key: id,
      value: employee(id, index) as unknown as UpsertRecord['value'],
      raw: Buffer.alloc(0),
      bytes: 0,
    }));
    const client = await pool.connect();
    for (const name of ['employee_copy', 'employee_unnest', 'employee_stage', 'employee_floor']) {
      await client.query(`CREATE TABLE ${name} (LIKE employee INCLUDING ALL)`);
    }
    const lines = copyLines(records);
    const ceiling = await timed('(a) COPY into empty table (ceiling)', rows, () =>
      copyInto(client, 'employee_copy', lines),
    );

    const unnestStatements = createTableStatements({ ...employeeTable, table: 'employee_unnest' });
    const unnest = await timed('unnest upsert alone (no Kafka)', rows, async () => {
      for (let index = 0; index < rows; index += batch) {
        await client.query('BEGIN');
        await client.query(unnestStatements.upsert(records.slice(index, index + batch)));
        await client.query('COMMIT');
      }
    });

    await client.query('CREATE TEMP TABLE stage (LIKE employee INCLUDING DEFAULTS) ON COMMIT DELETE ROWS');
    const updates = copyColumns
      .filter((c) => c !== 'id')
      .map((c) => `${pg.escapeIdentifier(c)} = EXCLUDED.${pg.escapeIdentifier(c)}`);
    const stage = await timed('COPY into staging + INSERT…ON CONFLICT alone', rows, async () => {
      for (let index = 0; index < rows; index += batch) {
        await client.query('BEGIN');
        await copyInto(client, 'stage', lines.slice(index, index + batch));
        await client.query(
          `INSERT INTO employee_stage (${copyColumns.join(', ')}) SELECT ${copyColumns.join(', ')} FROM stage ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}, updated_at = now() WHERE employee_stage.version < EXCLUDED.version`,
        );
        await client.query('COMMIT');
      }
    });

    const floorStatements = createTableStatements({ ...employeeTable, table: 'employee_floor' });
    const floor = await timed('(b) row-at-a-time upsert (floor)', floorRows, async () => {
      for (const record of records.slice(0, floorRows)) await client.query(floorStatements.upsert([record]));
    });
    client.release();

    // Preload the topic (not timed as sink work).
    const kafkaTopicStart = performance.now();
    await kafkaAdmin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
    const registry = new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL });
    const { id: schemaId } = await registry.register(
      {
        type: SchemaType.JSON,
        schema: JSON.stringify({
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          required: ['id', 'version'],
        }),
      },
      { subject: `${topic}-value` },
    );
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let index = 0; index < rows; index += 5000) {
      const messages = await Promise.all(
        records
          .slice(index, index + 5000)
          .map(async (r) => ({ key: r.key, value: await registry.encode(schemaId, r.value) })),
      );
      await producer.send({ topic, acks: -1, messages });
    }
    await producer.disconnect();
    process.stdout.write(
      `preloaded ${rows} records into ${topic} in ${((performance.now() - kafkaTopicStart) / 1000).toFixed(1)} s\n`,
    );

    let peakRss = process.memoryUsage().rss;
    const rssBefore = peakRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const groupId = `bench-${suffix}`;
    const sink = new PostgresSink(
      {
        entities: [employeeTable],
        topics: { employee: topic },
        groupId,
        dlqTopic: 'dlq.sink',
        maxBatchRecords: batch,
      },
      {
        kafka,
        pool,
        decoder: new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL }),
        log,
        metrics: createMetricsRegistry({ defaultMetrics: false }),
      },
    );
    const ends = await kafkaAdmin.fetchTopicOffsets(topic);
    const sinkRate = await timed('sink end to end (Kafka → PostgreSQL)', rows, async () => {
      await sink.start();
      for (;;) {
        const { rows: stored } = await pool.query<{ partition: number; next_offset: string }>(
          'SELECT partition, next_offset::text FROM tributary_sink_offsets WHERE group_id = $1',
          [groupId],
        );
        if (
          ends.every((end) => stored.some((s) => s.partition === end.partition && s.next_offset === end.high))
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    clearInterval(sampler);
    await sink.stop();
    const count = await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM employee');
    process.stdout.write(`\nrows in employee after the sink: ${count.rows[0]?.n}\n`);
    process.stdout.write(`sink / COPY ceiling:            ${(sinkRate / ceiling).toFixed(2)}\n`);
    process.stdout.write(`sink / row-at-a-time floor:     ${(sinkRate / floor).toFixed(1)}x\n`);
    process.stdout.write(`unnest / COPY ceiling:          ${(unnest / ceiling).toFixed(2)}\n`);
    process.stdout.write(`COPY+merge / COPY ceiling:      ${(stage / ceiling).toFixed(2)}\n`);
    process.stdout.write(`unnest / COPY+merge:            ${(unnest / stage).toFixed(2)}\n`);
    process.stdout.write(
      `bench process RSS: ${(rssBefore / 2 ** 20).toFixed(0)} MiB before the sink, peak ${(peakRss / 2 ** 20).toFixed(0)} MiB while it drained (includes the bench's own ${rows} preloaded rows)\n`,
    );
  } finally {
    await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
