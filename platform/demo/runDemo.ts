import { join } from 'node:path';
import pkg from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import type { Registry } from 'prom-client';
import { mappings } from '../../processors/mappings/index.js';
import { createProcessor } from '../../processors/runProcessor.js';
import { CdcProducer } from '../../producers/cdc/cdcProducer.js';
import { cdcSettingsFromEnv } from '../../producers/cdc/cdcSettings.js';
import { PollingProducer } from '../../producers/runtime/pollingProducer.js';
import type { SyncReport } from '../../producers/runtime/pollingStream.js';
import { ErpSimulator, HrSimulator } from '../../producers/simulators/index.js';
import { erpConnector } from '../../producers/sources/erpSource.js';
import { hrConnector } from '../../producers/sources/hrSource.js';
import { allRawTopics, connectorFor } from '../../producers/sources/index.js';
import { createPayrollDatabase, payrollTables } from '../../producers/sources/payroll/payrollDatabase.js';
import { PayrollWriter } from '../../producers/sources/payroll/payrollWriter.js';
import { entityCatalog } from '../../schemas/entityCatalog.js';
import { registerCanonicalSchemas } from '../../schemas/registry.js';
import { fileSchemaHistory } from '../../schemas/schemaHistory.js';
import { JsonWireDecoder } from '../../schemas/wireFormat.js';
import { PostgresSink } from '../../sinks/postgres/postgresSink.js';
import { entityTables } from '../../sinks/postgres/specs/entityTables.js';
import { printTable } from '../cli/output.js';
import { loadConfig } from '../config.js';
import { groupBacklog, unconsumedRecords } from '../consumerLag.js';
import { declaredTopics, fragmentsTopic } from '../declaredTopics.js';
import { createKafka } from '../kafka.js';
import { createLogger } from '../logger.js';
import { createMetricsRegistry } from '../metrics.js';
import { migrate } from '../migrate.js';
import { inProcessSimulatorTruth, payrollTruth, reconcileReport } from '../ops/index.js';
import { createPgPool, databaseName, ensureDatabase, withDatabase } from '../postgres.js';
import { ensureLogicalReplication } from '../stack/logicalReplication.js';
import { projectRoot } from '../stack/paths.js';
import { stackUp } from '../stack/stack.js';
import { readTopicToEnd } from '../topicReader.js';
import { applyTopics } from '../topics.js';

const { SchemaRegistry } = pkg;

export interface DemoOptions {
  workers?: number;
  payrollEmployees?: number;
  invoices?: number;
  seed?: number;
  timeoutMs?: number;
  write?: (line: string) => void;
}

/** Simulator credentials: demo-only values, handed to the connectors through the environment. */
const demoSecrets = {
  HR_CLIENT_ID: 'tributary-client',
  HR_CLIENT_SECRET: 'tributary-secret',
  ERP_USERNAME: 'tributary',
  ERP_PASSWORD: 'tributary-password',
};

/** Committed records the sink has not applied yet, from the offsets stored with its rows. */
async function sinkBacklog(
  kafka: Kafka,
  client: pg.Client,
  groupId: string,
  topics: readonly string[],
): Promise<number> {
  const { rows } = await client.query<{ topic: string; partition: number; next_offset: string }>(
    'SELECT topic, partition, next_offset FROM tributary_sink_offsets WHERE group_id = $1',
    [groupId],
  );
  let behind = 0;
  for (const topic of topics) {
    const stored = new Map(
      rows.filter((row) => row.topic === topic).map((row) => [row.partition, String(row.next_offset)]),
    );
    behind += await unconsumedRecords(kafka, topic, stored);
  }
  return behind;
}

/** Sum of a counter's values on a registry, optionally only those with the given labels. */
async function counterTotal(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((value) => Object.entries(labels).every(([key, expected]) => value.labels[key] === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

/**
 * The front door: stack up, migrate, topics, schemas, then the sample pipeline end to end — HR and
 * ERP simulators → polling producers → raw topics → map → fragments → merge → canonical topics →
 * PostgreSQL sink — and a summary of every stage.
 */
export async function runDemo(options: DemoOptions = {}): Promise<void> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const began = Date.now();
  write('1/6 starting the local stack (Kafka, schema registry, PostgreSQL)…');
  const stack = await stackUp({ report: (line) => write(`    ${line}`) });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: stack.endpoints.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: stack.endpoints.schemaRegistryUrl,
    DATABASE_URL: stack.endpoints.databaseUrl,
    ...demoSecrets,
  };
  const config = loadConfig(env);
  const log = createLogger({ level: process.env['LOG_LEVEL'] ?? 'warn', name: 'demo' });
  const metrics = createMetricsRegistry({ defaultMetrics: false });

  write('2/6 migrating PostgreSQL…');
  await ensureDatabase(config.DATABASE_URL);
  const migrated = await migrate({
    databaseUrl: config.DATABASE_URL,
    directory: join(projectRoot, 'migrations'),
    log,
  });
  write(`    ${migrated.applied.length} applied, ${migrated.alreadyApplied.length} already applied`);

  write('3/6 applying topics and registering canonical schemas…');
  const kafka = createKafka({ config, log, clientId: 'tributary-demo' });
  const admin = kafka.admin();
  await admin.connect();
  const topicResult = await applyTopics(admin, declaredTopics({ rawTopics: allRawTopics(env) }));
  write(`    topics: ${topicResult.created.length} created, ${topicResult.unchanged.length} unchanged`);
  const registrations = await registerCanonicalSchemas({
    registryUrl: config.SCHEMA_REGISTRY_URL,
    contracts: entityCatalog,
    history: fileSchemaHistory(),
    log,
  });
  write(`    schemas: ${registrations.length} subjects registered (BACKWARD_TRANSITIVE)`);

  write('4/6 starting the sample sources (HR and ERP simulators, the payroll database)…');
  const seed = options.seed ?? 42;
  const hr = new HrSimulator({ seed, records: options.workers ?? 2_000, auth: { kind: 'oauth2' } });
  const erp = new ErpSimulator({ seed, records: options.invoices ?? 1_000 });
  const hrUrl = (await hr.start({ port: 0, host: '127.0.0.1' })).url;
  const erpUrl = (await erp.start({ port: 0, host: '127.0.0.1' })).url;
  const sourceEnv = {
    ...env,
    HR_BASE_URL: hrUrl,
    ERP_BASE_URL: erpUrl,
    HR_REQUESTS_PER_SECOND: '500',
    ERP_REQUESTS_PER_SECOND: '500',
  };
  // Payroll numbers its employees E00001…; each row names the HR worker it pays (hr_worker_id), the
  // crosswalk that merges payroll employees with HR's.
  const payrollUrl = withDatabase(config.DATABASE_URL, `${databaseName(config.DATABASE_URL)}_payroll`);
  await ensureLogicalReplication(payrollUrl, (line) => write(`    ${line}`));
  await createPayrollDatabase(payrollUrl, { employees: options.payrollEmployees ?? 500, seed });
  const cdc = new CdcProducer({
    kafka,
    databaseUrl: payrollUrl,
    log,
    metrics,
    ...cdcSettingsFromEnv({ CDC_SOURCE: 'payroll', CDC_TABLES: payrollTables.join(',') }),
  });
  const writer = new PayrollWriter({ databaseUrl: payrollUrl, ratePerSecond: 5, seed });

  write('5/6 running the pipeline: producers → map → merge → PostgreSQL sink…');
  const mapProcessor = createProcessor({ config, log, metrics }, 'map');
  const mergeProcessor = createProcessor({ config, log, metrics }, 'merge');
  const pool = createPgPool(config);
  const sink = new PostgresSink(
    { entities: entityTables },
    {
      kafka: createKafka({ config, log, clientId: 'tributary-demo-sink' }),
      pool,
      decoder: new JsonWireDecoder(new SchemaRegistry({ host: config.SCHEMA_REGISTRY_URL })),
      log,
      onFatal: (error) => {
        write(`the sink stopped: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },

      metrics,
    },
  );
  await Promise.all([mapProcessor.start(), mergeProcessor.start(), sink.start(), cdc.start()]);
  writer.start();

  const reports: SyncReport[] = [];
  const producers = [hrConnector(sourceEnv), erpConnector(sourceEnv)].map(
    (definition) => new PollingProducer({ kafka, definition, log, metrics, secrets: { env: sourceEnv } }),
  );
  for (const producer of producers) await producer.open();
  const syncStarted = Date.now();
  for (const producer of producers) reports.push(...(await producer.syncOnce()));
  const syncSeconds = (Date.now() - syncStarted) / 1000;
  // Let the payroll writer change a few rows while the pipeline drains, then stop it.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const writes = await writer.stop();
  write(
    `    payroll writer: ${writes.transactions} source transactions (inserts, updates, deletes) streamed by CDC`,
  );

  const client = new pg.Client({ connectionString: config.DATABASE_URL });
  client.on('error', () => undefined); // a lost connection fails the pending query instead
  await client.connect();
  const rawTopics = allRawTopics(env);
  // Raw streams without a mapping yet (HR jobs, GL accounts) are kept in the raw log only.
  const mappedTopics = mappings.flatMap((mapping) => mapping.topics);
  const fragmentTopics = entityCatalog.map((contract) => fragmentsTopic(contract.entity));
  const canonicalTopics = entityTables.map((spec) => `canonical.${spec.entity}`);
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  // Live progress: records per second per stage, from the roles' own counters.
  const counters = async (): Promise<Record<string, number>> => ({
    map: await counterTotal(metrics, 'tributary_processor_records_in_total', { processor: 'map' }),
    merge: await counterTotal(metrics, 'tributary_processor_records_in_total', { processor: 'merge' }),
    sink:
      (await counterTotal(metrics, 'tributary_sink_rows_upserted_total')) +
      (await counterTotal(metrics, 'tributary_sink_rows_deleted_total')),
  });
  let previous = { at: Date.now(), values: await counters() };
  for (;;) {
    const lag = {
      map: await groupBacklog(kafka, admin, 'tributary-processor-map', mappedTopics),
      merge: await groupBacklog(kafka, admin, 'tributary-processor-merge', fragmentTopics),
      sink: await sinkBacklog(kafka, client, 'tributary-sink-postgres', canonicalTopics),
    };
    const now = { at: Date.now(), values: await counters() };
    const seconds = Math.max(0.001, (now.at - previous.at) / 1000);
    const rate = (stage: string): string =>
      (((now.values[stage] ?? 0) - (previous.values[stage] ?? 0)) / seconds).toFixed(0);
    previous = now;
    write(
      `    map ${rate('map')}/s (behind ${lag.map}) · merge ${rate('merge')}/s (behind ${lag.merge}) · sink ${rate('sink')} rows/s (behind ${lag.sink})`,
    );
    if (lag.map === 0 && lag.merge === 0 && lag.sink === 0) break;
    if (Date.now() > deadline)
      throw new Error(
        `demo pipeline did not drain in time (map ${lag.map}, merge ${lag.merge}, sink ${lag.sink})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  const pipelineSeconds = (Date.now() - syncStarted) / 1000;

  write('6/6 summary');
  const countTopic = async (topic: string): Promise<{ records: number; live: number }> => {
    const live = new Map<string, boolean>();
    const { messages } = await readTopicToEnd({
      kafka,
      topic,
      onMessage: (message) => void live.set(message.key?.toString() ?? '', message.value !== null),
    });
    return { records: messages, live: [...live.values()].filter(Boolean).length };
  };
  const rows: string[][] = [];
  for (const topic of rawTopics) {
    const counts = await countTopic(topic);
    rows.push(['raw', topic, String(counts.records), String(counts.live)]);
  }
  for (const spec of entityTables) {
    const counts = await countTopic(`canonical.${spec.entity}`);
    const table = await client.query<{ live: string }>(
      `SELECT count(*) FILTER (WHERE deleted_at IS NULL) AS live FROM ${pg.escapeIdentifier(spec.table)}`,
    );
    rows.push(['canonical', `canonical.${spec.entity}`, String(counts.records), String(counts.live)]);
    rows.push(['postgres', spec.table, '-', table.rows[0]?.live ?? '0']);
  }
  printTable(['stage', 'where', 'records', 'live keys / rows'], rows, (text) => write(text.trimEnd()));
  const fetched = reports.reduce((sum, report) => sum + report.fetched, 0);
  const published = reports.reduce((sum, report) => sum + report.published, 0);
  write('');
  write(
    `sources: ${fetched} records fetched in ${reports.length} stream syncs, ${published} published (${syncSeconds.toFixed(1)} s)`,
  );
  write(
    `pipeline drained ${pipelineSeconds.toFixed(1)} s after the first sync started; demo total ${((Date.now() - began) / 1000).toFixed(1)} s`,
  );
  write('');
  write('Look at the result:');
  write(
    `  psql '${config.DATABASE_URL}' -c "SELECT employee_number, given_name, family_name, compensation_annualized_amount, compensation_annualized_currency, version FROM employee WHERE deleted_at IS NULL ORDER BY employee_number LIMIT 10"`,
  );
  write(
    `  psql '${config.DATABASE_URL}' -c "SELECT invoice_number, total_amount, total_currency, data->'totalReporting', provenance->'totalReporting'->>'transformation' FROM invoice LIMIT 5"`,
  );

  write('');
  write('reconcile (source → raw → canonical → PostgreSQL):');
  const payrollPool = createPgPool({ DATABASE_URL: payrollUrl, DATABASE_POOL_SIZE: 2 });
  const reconciled = await reconcileReport({
    kafka,
    db: pool,
    sources: [
      inProcessSimulatorTruth({
        source: 'hr',
        instance: connectorFor('hr', sourceEnv).source.instance,
        simulator: hr,
      }),
      inProcessSimulatorTruth({
        source: 'erp',
        instance: connectorFor('erp', sourceEnv).source.instance,
        simulator: erp,
      }),
      payrollTruth({ pool: payrollPool, instance: 'payroll', where: 'payroll database' }),
    ],
  });
  for (const line of reconciled.lines) write(line);
  await payrollPool.end();
  if (!reconciled.report.ok) process.exitCode = 1;

  await client.end();
  for (const producer of producers) await producer.stop();
  await cdc.stop();
  await Promise.all([mapProcessor.stop(), mergeProcessor.stop(), sink.stop()]);
  await pool.end();
  await admin.disconnect();
  await hr.stop();
  await erp.stop();
}
