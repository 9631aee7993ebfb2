/**
 * CDC throughput against the server's own decoding rate, measured in one run on the same WAL:
 *   node --import tsx bench/cdc/cdcBench.ts [--changes 100000] [--batch 5000]
 * A scratch database gets one table, a publication and two slots (one for pg_recvlogical, one
 * for the producer, created by its empty snapshot). Then a bulk of source changes is written
 * (half inserts, half updates, 100 rows per source transaction) while nobody reads, and:
 * (a) reference: `pg_recvlogical --start --endpos` with pgoutput to /dev/null — decoding and
 *     shipping alone;
 * (b) the CDC producer from its slot to committed raw events in Kafka (records + LSN per
 *     transaction, acknowledgement after commit), timed from resume to the last commit.
 * Prints both rates and the ratio. Uses KAFKA_BROKERS and DATABASE_URL (server) from the
 * environment; the scratch database, slots and topic are removed at the end.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../platform/config.js';
import { sourceStateTopic } from '../../platform/declaredTopics.js';
import { createKafka } from '../../platform/kafka.js';
import { createLogger } from '../../platform/logger.js';
import { createMetricsRegistry } from '../../platform/metrics.js';
import { withDatabase } from '../../platform/postgres.js';
import { applyTopics, topicSpec } from '../../platform/topics.js';
import { CdcProducer } from '../../producers/cdc/cdcProducer.js';
import { rawTopicFor } from '../../producers/cdc/changeEvents.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const changes = arg('changes', 100_000);
const batch = arg('batch', 5000);
const rowsPerTransaction = 100;
const config = loadConfig(process.env);
const log = createLogger({ level: 'warn', name: 'cdc-bench' });
const suffix = randomBytes(3).toString('hex');
const database = `cdcbench_${suffix}`;
const url = withDatabase(config.DATABASE_URL, database);
const source = `cdcbench_${suffix}`;
const publication = `bench_pub_${suffix}`;
const recvSlot = `bench_recv_${suffix}`;

async function sql(target: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

const admin = withDatabase(config.DATABASE_URL, 'postgres');
await sql(admin, `CREATE DATABASE ${database}`);
const kafka = createKafka({ config, log, clientId: 'cdc-bench' });
const kafkaAdmin = kafka.admin();
await kafkaAdmin.connect();
try {
  await sql(
    url,
    `CREATE SCHEMA bench;
     CREATE TABLE bench.items (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2) NOT NULL, version int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
     ALTER TABLE bench.items REPLICA IDENTITY FULL;
     CREATE PUBLICATION ${publication} FOR TABLE bench.items WITH (publish = 'insert, update, delete');`,
  );
  const topic = rawTopicFor(source, 'bench.items');
  await applyTopics(kafkaAdmin, [topicSpec(sourceStateTopic), topicSpec(topic)]);
  await sql(url, `SELECT pg_create_logical_replication_slot('${recvSlot}', 'pgoutput')`);
  const options = {
    kafka,
    databaseUrl: url,
    log,
    metrics: createMetricsRegistry(),
    source,
    publication,
    tables: ['bench.items'],
    maxBatchRecords: batch,
  };
  const first = new CdcProducer(options); // creates its slot and snapshots the empty table
  await first.start();
  await first.stop();

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const inserts = Math.floor(changes / 2);
  for (let start = 1; start <= inserts; start += rowsPerTransaction) {
    await client.query(
      `INSERT INTO bench.items (id, name, amount, version) SELECT g, 'item ' || g, g * 1.25, 1 FROM generate_series($1::bigint, $2::bigint) g`,
      [start, Math.min(inserts, start + rowsPerTransaction - 1)],
    );
  }
  for (let start = 1; start <= changes - inserts; start += rowsPerTransaction) {
    await client.query(
      'UPDATE bench.items SET amount = amount + 1, version = version + 1 WHERE id BETWEEN $1 AND $2',
      [start, Math.min(changes - inserts, start + rowsPerTransaction - 1)],
    );
  }
  const end =
    (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]?.lsn ?? '0/0';
  await client.end();

  // (a) reference: the server's own decoding to a client that discards it
  const dbUrl = new URL(url);
  const recvStarted = process.hrtime.bigint();
  const recv = spawnSync(
    'pg_recvlogical',
    [
      '-h',
      dbUrl.hostname,
      '-p',
      dbUrl.port || '5432',
      '-U',
      decodeURIComponent(dbUrl.username) || 'postgres',
      '-d',
      database,
      '-S',
      recvSlot,
      '--start',
      '--no-loop',
      '-E',
      end,
      '-o',
      'proto_version=1',
      '-o',
      `publication_names=${publication}`,
      '-f',
      '/dev/null',
    ],
    { encoding: 'utf8', env: { ...process.env, PGPASSWORD: decodeURIComponent(dbUrl.password) } },
  );
  const recvSeconds = Number(process.hrtime.bigint() - recvStarted) / 1e9;
  if (recv.status !== 0) throw new Error(`pg_recvlogical failed: ${recv.stderr}`);

  // (b) the producer: resume, publish every change, commit, acknowledge
  const producer = new CdcProducer(options);
  await producer.start();
  const started = process.hrtime.bigint();
  while (producer.stats.changesPublished < changes) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const producerSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stats = { ...producer.stats };
  await producer.stop();

  const recvRate = changes / recvSeconds;
  const producerRate = changes / producerSeconds;
  console.log(
    `changes: ${changes} (${changes / rowsPerTransaction} source transactions of ${rowsPerTransaction} rows), Kafka batch ≤ ${batch} records`,
  );
  console.log(
    `pg_recvlogical (pgoutput → /dev/null): ${recvRate.toFixed(0)} changes/s (${recvSeconds.toFixed(2)} s)`,
  );
  console.log(
    `CDC producer (→ committed raw events):  ${producerRate.toFixed(0)} changes/s (${producerSeconds.toFixed(2)} s, ${stats.transactionsPublished} source transactions)`,
  );
  console.log(`ratio producer / pg_recvlogical: ${(producerRate / recvRate).toFixed(2)}`);
  await kafkaAdmin.deleteTopics({ topics: [topic] }).catch(() => undefined);
} finally {
  await kafkaAdmin.disconnect();
  await sql(
    admin,
    `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1`,
    [database],
  ).catch(() => undefined);
  await sql(admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
}
process.exit(0);
