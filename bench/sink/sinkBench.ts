/**
 * Sink throughput against its ceiling and floor, measured in one run on the same rows:
 *   node --import tsx bench/sink/sinkBench.ts [--rows N] [--batch 5000]
 * (a) ceiling: plain COPY of the rows into an empty copy of the table;
 * (b) floor: row-at-a-time INSERT … ON CONFLICT (one statement and commit per row);
 * plus: decoding alone (registry wire format + envelope check), the previous `unnest` write,
 * the sink's own write path alone (writeBatch: offset CAS + COPY into staging + guarded merge,
 * no Kafka), and the sink end to end (Kafka → decode → buffer → writeBatch).
 *
 *   node --import tsx bench/sink/sinkBench.ts --rss 1000000 [--profile /tmp/sink-prof]
 * Peak RSS of the sink while it drains a backlog: preloads N records (this process), then runs
 * the sink as a separate process (sinks/postgres/main.ts) and reads its /proc/<pid>/status
 * (VmRSS sampled, VmHWM at the end), so only the sink's memory is measured.
 *
 * Uses the environment's KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL (server; a scratch
 * database is created and dropped, the topic deleted).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pkg from '@kafkajs/confluent-schema-registry';
import type { Admin, Kafka } from 'kafkajs';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadConfig } from '../../platform/config.js';
import { createKafka } from '../../platform/kafka.js';
import { createLogger } from '../../platform/logger.js';
import { createMetricsRegistry } from '../../platform/metrics.js';
import { migrate } from '../../platform/migrate.js';
import { withDatabase } from '../../platform/postgres.js';
import { projectRoot } from '../../platform/stack/paths.js';
import { frameJson, JsonWireDecoder } from '../../schemas/wireFormat.js';
import { copyField, pgTextArrayLiteral } from '../../sinks/postgres/copyText.js';
import { createRecordDecoder } from '../../sinks/postgres/decodeRecord.js';
import { PostgresSink } from '../../sinks/postgres/postgresSink.js';
import type { UpsertRecord } from '../../sinks/postgres/sinkRecord.js';
import { employeeTable } from '../../sinks/postgres/specs/employeeTable.js';
import { createTableStatements } from '../../sinks/postgres/tableStatements.js';
import { upsertColumns } from '../../sinks/postgres/versionGuardedUpsert.js';
import { writeBatch } from '../../sinks/postgres/writeBatch.js';

const { SchemaRegistry, SchemaType } = pkg;

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const rssMode = process.argv.includes('--rss');
/** --profile DIR (with --rss): the sink process writes a V8 CPU profile there (node --cpu-prof). */
const profileDir = process.argv.includes('--profile')
  ? process.argv[process.argv.indexOf('--profile') + 1]
  : undefined;
const rows = rssMode ? arg('rss', 1_000_000) : arg('rows', 200_000);
const batch = arg('batch', 5000);
const partitions = 6;
const floorRows = Math.min(rows, 5000);
const config = loadConfig();
const log = createLogger({ level: 'warn', name: 'bench' });
const suffix = `${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
const database = `trib_bench_${suffix}`;
const dbUrl = withDatabase(config.DATABASE_URL, database);
const topic = `canonical.employee-bench-${suffix}`;
const MiB = 2 ** 20;

/** A canonical employee (valid against schemas/entities/employee.ts) with every typed column set. */
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
      preferredName: `G${index % 1000}`,
      workEmail: `person${index}@example.com`,
      workPhone: '+4930123456',
      countryCode: 'DE',
      jobTitle: 'Engineer',
      departmentId: '2b0c3c1e-5f41-5a57-9d0e-0a1c1a7e1001',
      managerId: '2b0c3c1e-5f41-5a57-9d0e-0a1c1a7e1002',
      costCenterId: '2b0c3c1e-5f41-5a57-9d0e-0a1c1a7e1003',
      locationId: '2b0c3c1e-5f41-5a57-9d0e-0a1c1a7e1004',
      employmentStatus: 'active',
      employmentType: 'full_time',
      hireDate: '2021-03-01',
      terminationDate: '2029-03-01',
      compensation: {
        annualized: { amount: `${60000 + (index % 5000)}.00`, currency: 'EUR' },
        original: { amount: `${5000 + (index % 400)}.00`, currency: 'EUR' },
        payFrequency: 'monthly',
        standardHoursPerWeek: '40',
        effectiveDate: '2026-01-01',
      },
    },
    provenance: {
      'compensation.annualized': {
        sourceSystem: 'workday',
        sourceInstance: 'acme',
        sourceRecordKey: `acme/workers/${index}`,
        rawTopic: 'raw.hr.workers',
        rawPartition: 0,
        rawOffset: String(index),
        observedAt: '2026-11-27T09:59:00.000Z',
        mapping: 'hr-workers@1',
        transformation: 'annualize(monthly×12)',
      },
    },
  };
}

const copyColumns = upsertColumns(employeeTable);

function copyLines(records: readonly UpsertRecord[]): string[] {
  return records.map((r) =>
    [
      r.key,
      String(r.value.version),
      JSON.stringify(r.value.data),
      JSON.stringify(r.value.provenance),
      pgTextArrayLiteral(r.value.mappingVersions),
      r.value.updatedAt,
      r.topic,
      String(r.partition),
      r.offset.toString(),
      ...employeeTable.columns.map((column) => {
        const value = column.extract(r.value.data);
        return value === undefined || value === null ? null : String(value);
      }),
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
    `${what.padEnd(56)} ${count.toString().padStart(8)} rows  ${seconds.toFixed(2).padStart(7)} s  ${Math.round(rate).toString().padStart(8)} rows/s\n`,
  );
  return rate;
}

function uprecord(id: string, index: number): UpsertRecord {
  return {
    kind: 'upsert',
    topic,
    partition: index % partitions,
    offset: BigInt(Math.floor(index / partitions)),
    key: id,
    value: employee(id, index) as unknown as UpsertRecord['value'],
    // The write path COPYs the consumed JSON body: frame it as the sink would consume it.
    raw: frameJson(1, JSON.stringify(employee(id, index))),
    bytes: 0,
  };
}

/** Registers a permissive JSON schema for the bench topic and produces `count` records, encoding in slices (bounded memory). */
async function preload(
  kafka: Kafka,
  admin: Admin,
  count: number,
): Promise<{ schemaId: number; seconds: number }> {
  const started = performance.now();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
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
  for (let index = 0; index < count; index += 5000) {
    const messages = await Promise.all(
      Array.from({ length: Math.min(5000, count - index) }, async (_, offset) => {
        const id = randomUUID();
        return { key: id, value: await registry.encode(schemaId, employee(id, index + offset)) };
      }),
    );
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
  return { schemaId, seconds: (performance.now() - started) / 1000 };
}

async function waitForEnd(pool: pg.Pool, admin: Admin, groupId: string): Promise<void> {
  const ends = await admin.fetchTopicOffsets(topic);
  for (;;) {
    const { rows: stored } = await pool.query<{ partition: number; next_offset: string }>(
      'SELECT partition, next_offset::text FROM tributary_sink_offsets WHERE group_id = $1',
      [groupId],
    );
    if (ends.every((end) => stored.some((s) => s.partition === end.partition && s.next_offset === end.high)))
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined; // the process is gone
  }
}

async function benchThroughput(pool: pg.Pool, kafka: Kafka, kafkaAdmin: Admin): Promise<void> {
  process.stdout.write(
    `sink benchmark: ${rows} employee rows (${employeeTable.columns.length + 12} columns), batch ${batch}, pool ${config.DATABASE_POOL_SIZE}\n`,
  );
  const records = Array.from({ length: rows }, (_, index) => uprecord(randomUUID(), index));
  const client = await pool.connect();
  for (const name of ['employee_copy', 'employee_unnest', 'employee_floor']) {
    await client.query(`CREATE TABLE ${name} (LIKE employee INCLUDING ALL)`);
  }
  // The COPY text is built outside the timing (the sink's own path builds it inside).
  let lines: string[] | undefined = copyLines(records);
  const ceilingLines = lines;
  const ceiling = await timed('(a) COPY into empty table (ceiling)', rows, () =>
    copyInto(client, 'employee_copy', ceilingLines),
  );
  lines = undefined;

  const unnestStatements = createTableStatements({ ...employeeTable, table: 'employee_unnest' });
  const unnest = await timed('unnest upsert alone (previous write path)', rows, async () => {
    for (let index = 0; index < rows; index += batch) {
      await client.query('BEGIN');
      await client.query(unnestStatements.upsert(records.slice(index, index + batch)));
      await client.query('COMMIT');
    }
  });

  // The sink's write path without Kafka: the same writeBatch the sink calls, one partition.
  const statements = createTableStatements(employeeTable);
  const asOnePartition = records.map((record, index) => ({ ...record, partition: 0, offset: BigInt(index) }));
  let expectedOffset: bigint | null = null;
  const staged = await timed('sink write path alone (COPY staging + merge + CAS)', rows, async () => {
    for (let index = 0; index < rows; index += batch) {
      const result = await writeBatch(client, {
        groupId: `write-only-${suffix}`,
        topic,
        partition: 0,
        expectedOffset,
        records: asOnePartition.slice(index, index + batch),
        statements,
        publishRejected: async () => {
          throw new Error('no rejects expected');
        },
      });
      expectedOffset = result.nextOffset;
    }
  });
  await client.query('TRUNCATE employee');

  const floorStatements = createTableStatements({ ...employeeTable, table: 'employee_floor' });
  const floor = await timed('(b) row-at-a-time upsert (floor)', floorRows, async () => {
    for (const record of records.slice(0, floorRows)) await client.query(floorStatements.upsert([record]));
  });
  client.release();

  const preloaded = await preload(kafka, kafkaAdmin, rows);
  process.stdout.write(`preloaded ${rows} records into ${topic} in ${preloaded.seconds.toFixed(1)} s\n`);

  // Decoding alone, on the exact bytes the sink will consume.
  const registry = new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL });
  // Sequentially: concurrent first uses of a fresh registry client each compile the schema.
  const sample: Buffer[] = [];
  for (const record of records.slice(0, Math.min(rows, 20_000))) {
    sample.push(await registry.encode(preloaded.schemaId, record.value));
  }
  const decodeAll = async (decodeRecord: ReturnType<typeof createRecordDecoder>): Promise<void> => {
    for (let index = 0; index < sample.length; index++) {
      const record = records[index];
      await decodeRecord(topic, 0, {
        key: Buffer.from(record?.key ?? ''),
        value: sample[index] ?? null,
        offset: '0',
      });
    }
  };
  // Before/after of one bottleneck: the registry client's decoder validates every record with
  // ajv; the sink's decoder checks the schema id and parses (the envelope is validated by zod).
  const registryDecodeRate = await timed(
    'decode alone, registry client decoder (ajv per record; before)',
    sample.length,
    () => decodeAll(createRecordDecoder(registry, 'employee')),
  );
  const decodeRate = await timed(
    'decode alone, sink decoder (schema id + JSON.parse; after)',
    sample.length,
    () => decodeAll(createRecordDecoder(new JsonWireDecoder(registry), 'employee')),
  );
  process.stdout.write(
    `sink decoder / registry client decoder: ${(decodeRate / registryDecodeRate).toFixed(2)}\n`,
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
      decoder: new JsonWireDecoder(new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL })),
      log,
      metrics: createMetricsRegistry({ defaultMetrics: false }),
    },
  );
  const sinkRate = await timed('sink end to end (Kafka → PostgreSQL)', rows, async () => {
    await sink.start();
    await waitForEnd(pool, kafkaAdmin, groupId);
  });
  clearInterval(sampler);
  await sink.stop();
  const count = await pool.query<{ n: string; typed: string }>(
    'SELECT count(*)::text AS n, count(compensation_annualized_amount)::text AS typed FROM employee',
  );
  process.stdout.write(
    `\nrows in employee after the sink: ${count.rows[0]?.n} (typed money column filled: ${count.rows[0]?.typed})\n`,
  );
  process.stdout.write(`sink / COPY ceiling:                 ${(sinkRate / ceiling).toFixed(2)}\n`);
  process.stdout.write(`sink / row-at-a-time floor:          ${(sinkRate / floor).toFixed(1)}x\n`);
  process.stdout.write(`sink write path alone / COPY ceiling: ${(staged / ceiling).toFixed(2)}\n`);
  process.stdout.write(`unnest alone / COPY ceiling:         ${(unnest / ceiling).toFixed(2)}\n`);
  process.stdout.write(`decode alone / sink end to end:      ${(decodeRate / sinkRate).toFixed(2)}\n`);
  process.stdout.write(
    `bench process RSS: ${(rssBefore / MiB).toFixed(0)} MiB before the sink, peak ${(peakRss / MiB).toFixed(0)} MiB while it drained (includes the bench's own ${rows} rows; see --rss for the sink alone)\n`,
  );
}

async function benchRss(pool: pg.Pool, kafka: Kafka, kafkaAdmin: Admin): Promise<void> {
  process.stdout.write(`sink RSS benchmark: backlog of ${rows} employee records, batch ${batch}\n`);
  const preloaded = await preload(kafka, kafkaAdmin, rows);
  process.stdout.write(`preloaded ${rows} records into ${topic} in ${preloaded.seconds.toFixed(1)} s\n`);
  const groupId = `bench-rss-${suffix}`;
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
      '--import',
      'tsx',
      join(projectRoot, 'sinks/postgres/main.ts'),
      '--entities',
      'employee',
    ],
    {
      cwd: projectRoot,
      env: {
        ...process.env,
        DATABASE_URL: dbUrl,
        METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
        SINK_GROUP_ID: groupId,
        SINK_TOPICS: `employee=${topic}`,
        SINK_MAX_BATCH: String(batch),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the sink');
  let peakSampled = 0;
  const samples: number[] = [];
  const sampler = setInterval(() => {
    const rss = procStatus(pid, 'VmRSS');
    if (rss !== undefined) {
      peakSampled = Math.max(peakSampled, rss);
      samples.push(rss);
    }
  }, 200);
  try {
    await waitForEnd(pool, kafkaAdmin, groupId);
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const hwm = procStatus(pid, 'VmHWM');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  process.stdout.write(
    `sink process drained ${rows} records in ${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s incl. start-up)\n` +
      `sink process peak RSS (VmHWM): ${((hwm ?? 0) / MiB).toFixed(0)} MiB; sampled VmRSS max ${(peakSampled / MiB).toFixed(0)} MiB, median ${(median / MiB).toFixed(0)} MiB over ${samples.length} samples\n`,
  );
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
    if (rssMode) await benchRss(pool, kafka, kafkaAdmin);
    else await benchThroughput(pool, kafka, kafkaAdmin);
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
