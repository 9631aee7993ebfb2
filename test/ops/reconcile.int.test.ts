import { join } from 'node:path';
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterHeaders } from '../../platform/deadLetterHeaders.js';
import { createMetricsRegistry } from '../../platform/metrics.js';
import { migrate } from '../../platform/migrate.js';
import type { DriftFinding, ReconcileOptionsInput, ReconcileReport } from '../../platform/ops/reconcile.js';
import { reconcile } from '../../platform/ops/reconcile.js';
import { formatReconcile, reconcileExitCode, reconcileReport } from '../../platform/ops/reconcileReport.js';
import {
  httpSimulatorTruth,
  inProcessSimulatorTruth,
  payrollTruth,
} from '../../platform/ops/reconcileSources.js';
import { reconcileStreams } from '../../platform/ops/reconcileStreams.js';
import { applyTopics, topicSpec } from '../../platform/topics.js';
import { canonicalId } from '../../processors/identity.js';
import { hrWorkersMapping } from '../../processors/mappings/hrWorkers.js';
import { payrollEmployeesMapping } from '../../processors/mappings/payroll.js';
import { contentHash } from '../../producers/connector/idempotency.js';
import { PollingProducer } from '../../producers/runtime/pollingProducer.js';
import { ErpSimulator, HrSimulator } from '../../producers/simulators/index.js';
import { erpConnector } from '../../producers/sources/erpSource.js';
import { hrConnector } from '../../producers/sources/hrSource.js';
import { projectRoot } from '../helpers/childProcess.js';
import {
  createTestDatabase,
  createTopicsReady,
  testKafka,
  testLogger,
  uniqueName,
} from '../helpers/stack.js';

/**
 * A known dataset, crafted stage by stage (the real topic names are shared by other tests and
 * the demo, so every topic here is unique):
 *  - HR simulator, 30 workers (truth over HTTP); raw: those 30 + one worker created then deleted,
 *    and W000997 created then deleted with the delete dead-lettered by the map stage.
 *  - payroll database: 5 employees, 3 of them HR workers (W000001..3), 2 payroll-only; raw: the 5.
 *  - expected employees = 30 ∪ 5 = 32 ids.
 *  - canonical: 31 expected live (W000010 dead-lettered by the map stage) + W000997 (its delete
 *    dead-lettered) + one tombstoned id; a few at v2.
 *  - PostgreSQL: the 32 live canonical rows but W000011 (dead-lettered by the sink), plus one
 *    soft-deleted row.
 */
describe('tributary reconcile', () => {
  let kafka: Kafka;
  let producer: Producer;
  let hr: HrSimulator;
  let hrUrl: string;
  let sinkPool: pg.Pool;
  let payrollPool: pg.Pool;
  const instance = uniqueName('hr-reconcile');
  const payrollInstance = uniqueName('payroll-reconcile');
  const rawWorkers = uniqueName('raw.hr.workers');
  const rawPayroll = uniqueName('raw.payroll.payroll.employees');
  const canonicalTopic = uniqueName('canonical.employee');
  const processorDlq = uniqueName('dlq.processor');
  const sinkDlq = uniqueName('dlq.sink');
  // Payroll's own numbers and the HR worker ids they link to (the crosswalk column).
  const payrollWorkerIds = ['W000001', 'W000002', 'W000003', 'W900001', 'W900002'];
  const payrollNumberOf = (workerId: string) => `E${workerId.slice(1)}`;
  const employeeId = (number: string) => canonicalId('employee', number);
  const versionOf = (number: string) => (['W000004', 'W900001'].includes(number) ? '2' : '1');

  let options: ReconcileOptionsInput;

  beforeAll(async () => {
    kafka = testKafka('reconcile-test');
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsReady(admin, {
      topics: [rawWorkers, rawPayroll, canonicalTopic, processorDlq, sinkDlq].map((topic) => ({
        topic,
        numPartitions: 2,
      })),
      waitForLeaders: true,
    });
    await admin.disconnect();
    producer = kafka.producer();
    await producer.connect();

    hr = new HrSimulator({ seed: 11, records: 30 });
    hrUrl = (await hr.start({ port: 0, host: '127.0.0.1' })).url;
    const workers = hr.groundTruth('workers').records as { id: string }[];
    expect(workers).toHaveLength(30);

    const raw = (stream: string, naturalKey: string, payload: unknown, operation = 'upsert') => ({
      key: `${stream === 'workers' ? instance : payrollInstance}/${stream}/${naturalKey}`,
      value: Buffer.from(JSON.stringify({ naturalKey, operation, payload })),
      headers: {
        'tributary.content-hash': contentHash(payload),
        'tributary.operation': operation,
      } as IHeaders,
    });
    const gone = { id: 'W000999', firstName: 'Gone' };
    const stuck = { id: 'W000997', firstName: 'Stuck' };
    await producer.send({
      topic: rawWorkers,
      messages: [
        ...workers.map((worker) => raw('workers', worker.id, worker)),
        raw('workers', gone.id, gone),
        raw('workers', gone.id, gone, 'delete'),
        { key: `${instance}/workers/${gone.id}`, value: null },
        raw('workers', stuck.id, stuck),
        raw('workers', stuck.id, stuck, 'delete'),
        { key: `${instance}/workers/${stuck.id}`, value: null },
      ],
    });
    await producer.send({
      topic: rawPayroll,
      messages: payrollWorkerIds.map((workerId) =>
        raw('payroll.employees', payrollNumberOf(workerId), {
          employee_number: payrollNumberOf(workerId),
          hr_worker_id: workerId,
          first_name: 'P',
        }),
      ),
    });

    const expectedNumbers = [...new Set([...workers.map((worker) => worker.id), ...payrollWorkerIds])];
    await producer.send({
      topic: canonicalTopic,
      messages: [
        ...expectedNumbers
          .filter((number) => number !== 'W000010')
          .flatMap((number) =>
            ['1', '2']
              .filter((version) => version <= versionOf(number))
              .map((version) => ({
                key: employeeId(number),
                value: Buffer.from(`employee ${number} v${version}`),
                headers: { 'tributary.version': version, 'tributary.content-hash': `h${version}` },
              })),
          ),
        { key: employeeId('W000997'), value: Buffer.from('x'), headers: { 'tributary.version': '1' } },
        { key: employeeId('W000998'), value: Buffer.from('x'), headers: { 'tributary.version': '1' } },
        { key: employeeId('W000998'), value: null, headers: { 'tributary.version': '2' } },
      ],
    });
    await producer.send({
      topic: processorDlq,
      messages: [
        {
          key: `${instance}/workers/W000010`,
          value: Buffer.from('{}'),
          headers: {
            [deadLetterHeaders.topic]: rawWorkers,
            [deadLetterHeaders.partition]: '0',
            [deadLetterHeaders.offset]: '9',
            [deadLetterHeaders.error]: 'unknown status',
            [deadLetterHeaders.stage]: 'map',
          },
        },
        {
          key: `${instance}/workers/W000997`,
          value: Buffer.from('{}'),
          headers: {
            [deadLetterHeaders.topic]: rawWorkers,
            [deadLetterHeaders.partition]: '1',
            [deadLetterHeaders.offset]: '20',
            [deadLetterHeaders.error]: 'cannot delete',
            [deadLetterHeaders.stage]: 'map',
          },
        },
      ],
    });
    await producer.send({
      topic: sinkDlq,
      messages: [
        {
          key: employeeId('W000011'),
          value: Buffer.from('x'),
          headers: {
            [deadLetterHeaders.topic]: canonicalTopic,
            [deadLetterHeaders.partition]: '0',
            [deadLetterHeaders.offset]: '3',
            [deadLetterHeaders.error]: 'check constraint',
            [deadLetterHeaders.stage]: 'upsert',
          },
        },
      ],
    });

    const sinkUrl = await createTestDatabase('trib_reconcile_sink');
    await migrate({ databaseUrl: sinkUrl, directory: join(projectRoot, 'migrations'), log: testLogger() });
    sinkPool = new pg.Pool({ connectionString: sinkUrl, max: 2 });
    const insert = `INSERT INTO employee (id, version, data, provenance, source_topic, source_partition, source_offset, deleted_at)
      VALUES ($1, $2, '{}', '{}', $3, 0, 0, $4)`;
    for (const number of expectedNumbers.filter((n) => n !== 'W000010' && n !== 'W000011'))
      await sinkPool.query(insert, [employeeId(number), versionOf(number), canonicalTopic, null]);
    await sinkPool.query(insert, [employeeId('W000997'), 1, canonicalTopic, null]);
    await sinkPool.query(insert, [employeeId('W000998'), 2, canonicalTopic, new Date()]);

    const payrollUrl = await createTestDatabase('trib_reconcile_payroll');
    payrollPool = new pg.Pool({ connectionString: payrollUrl, max: 2 });
    await payrollPool.query(
      'CREATE SCHEMA payroll; CREATE TABLE payroll.employees (employee_number text PRIMARY KEY, hr_worker_id text)',
    );
    for (const workerId of payrollWorkerIds)
      await payrollPool.query('INSERT INTO payroll.employees VALUES ($1, $2)', [
        payrollNumberOf(workerId),
        workerId,
      ]);

    // Payroll mappings are passed explicitly: the test is about the union of two sources.
    const streams = reconcileStreams({ HR_INSTANCE: instance }, [hrWorkersMapping, payrollEmployeesMapping])
      .filter((stream) => stream.entity === 'employee')
      .map((stream) => ({ ...stream, rawTopic: stream.source === 'hr' ? rawWorkers : rawPayroll }));
    expect(streams.map((stream) => `${stream.source}.${stream.stream}`)).toEqual([
      'hr.workers',
      'payroll.payroll.employees',
    ]);
    options = {
      kafka,
      db: sinkPool,
      entities: ['employee'],
      streams,
      sources: [
        httpSimulatorTruth({ source: 'hr', instance, url: hrUrl }),
        payrollTruth({ pool: payrollPool, instance: payrollInstance, where: 'test payroll db' }),
      ],
      canonicalTopicOf: () => canonicalTopic,
      dlqTopics: [processorDlq, sinkDlq],
      sampleSize: 5,
    };
  });

  afterAll(async () => {
    await producer?.disconnect();
    await hr?.stop();
    await sinkPool?.end();
    await payrollPool?.end();
  });

  const figure = (report: ReconcileReport, entity: string, stage: string) =>
    report.figures.filter((row) => row.entity === entity && row.stage === stage);
  const differing = (report: ReconcileReport): DriftFinding[] =>
    report.drift.filter((entry) => entry.count > 0);

  it('reports equal figures on a consistent dataset, dead letters apart, and the gauges carry them', async () => {
    const metrics = createMetricsRegistry({ defaultMetrics: false });
    const report = await reconcile({ ...options, metrics });
    if (process.env['OPS_TEST_PRINT']) process.stdout.write(`${formatReconcile(report).join('\n')}\n`);

    expect(differing(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(reconcileExitCode(report)).toBe(0);

    const [hrSource] = figure(report, 'hr.workers', 'source');
    const [hrRaw] = figure(report, 'hr.workers', 'raw');
    expect(hrSource?.records).toBe(30);
    expect(hrRaw?.records).toBe(30);
    expect(hrRaw?.checksum).toBe(hrSource?.checksum);
    expect(hrRaw?.checksum).not.toBe('0'.repeat(64));
    const [payrollSource] = figure(report, 'payroll.payroll.employees', 'source');
    expect(payrollSource).toMatchObject({ records: 5, checksum: null });
    expect(figure(report, 'payroll.payroll.employees', 'raw')[0]?.records).toBe(5);

    expect(figure(report, 'employee', 'expected')[0]?.records).toBe(32);
    const [canonical] = figure(report, 'employee', 'canonical');
    const [postgres] = figure(report, 'employee', 'postgres');
    expect(canonical).toMatchObject({ records: 32, note: '1 tombstoned' });
    expect(postgres?.records).toBe(31);

    expect(report.deadLettered).toEqual([
      {
        entity: 'employee',
        stage: 'canonical',
        count: 2,
        sample: [
          `${employeeId('W000010')} ← ${instance}/workers/W000010`,
          `${employeeId('W000997')} (delete of ${instance}/workers/W000997 dead-lettered)`,
        ],
      },
      { entity: 'employee', stage: 'postgres', count: 1, sample: [employeeId('W000011')] },
    ]);
    // Every comparison is present with a zero count (so gauges reset when drift clears).
    expect(report.drift.map((entry) => `${entry.entity}/${entry.stage}/${entry.kind}`).sort()).toEqual(
      [
        'employee/canonical/extra',
        'employee/canonical/missing',
        'employee/canonical/unmappable',
        'employee/postgres/extra',
        'employee/postgres/missing',
        'employee/postgres/version_mismatch',
        'hr.workers/raw/content_mismatch',
        'hr.workers/raw/extra',
        'hr.workers/raw/missing',
        'payroll.payroll.employees/raw/extra',
        'payroll.payroll.employees/raw/missing',
      ].sort(),
    );

    const gauges = await metrics.getMetricsAsJSON();
    const values = (name: string) =>
      gauges
        .find((metric) => metric.name === name)
        ?.values.map((value) => ({ ...value.labels, value: value.value }));
    expect(values('tributary_reconcile_records')).toEqual(
      expect.arrayContaining([
        { entity: 'hr.workers', stage: 'source', value: 30 },
        { entity: 'hr.workers', stage: 'raw', value: 30 },
        { entity: 'payroll.payroll.employees', stage: 'source', value: 5 },
        { entity: 'employee', stage: 'expected', value: 32 },
        { entity: 'employee', stage: 'canonical', value: 32 },
        { entity: 'employee', stage: 'postgres', value: 31 },
      ]),
    );
    const drift = values('tributary_reconcile_drift_records') ?? [];
    expect(drift).toHaveLength(11);
    expect(drift.every((value) => value.value === 0)).toBe(true);
    expect(values('tributary_reconcile_dead_lettered_records')).toEqual([
      { entity: 'employee', stage: 'canonical', value: 2 },
      { entity: 'employee', stage: 'postgres', value: 1 },
    ]);
  });

  it('detects a row deleted by hand: exactly that id missing in postgres, exit code 1, gauge 1', async () => {
    const victim = employeeId('W000005');
    await sinkPool.query('DELETE FROM employee WHERE id = $1', [victim]);
    const metrics = createMetricsRegistry({ defaultMetrics: false });
    const { report, lines } = await reconcileReport({ ...options, metrics });

    expect(differing(report)).toEqual([
      {
        entity: 'employee',
        stage: 'postgres',
        against: 'canonical',
        kind: 'missing',
        count: 1,
        sample: [victim],
      },
    ]);
    expect(report.ok).toBe(false);
    expect(reconcileExitCode(report)).toBe(1);
    expect(figure(report, 'employee', 'postgres')[0]?.records).toBe(30);
    expect(figure(report, 'employee', 'canonical')[0]?.records).toBe(32);
    expect(lines).toContain('  employee postgres vs canonical: 1 missing');
    expect(lines).toContain(`    ${victim}`);
    expect(lines.at(-1)).toBe('reconcile: DRIFT — 1 records differ in 1 comparisons');

    const gauges = await metrics.getMetricsAsJSON();
    const drift = gauges.find((metric) => metric.name === 'tributary_reconcile_drift_records')?.values ?? [];
    expect(drift.filter((value) => value.value !== 0)).toEqual([
      { labels: { entity: 'employee', stage: 'postgres', kind: 'missing' }, value: 1 },
    ]);
  });

  it('raw published by the real polling producers equals the simulators truth, and source changes not yet synced are listed exactly', async () => {
    const hrSim = new HrSimulator({ seed: 3, records: 40 });
    const erpSim = new ErpSimulator({ seed: 3, records: 30 });
    const hrAt = (await hrSim.start({ port: 0, host: '127.0.0.1' })).url;
    const erpAt = (await erpSim.start({ port: 0, host: '127.0.0.1' })).url;
    try {
      const env = {
        HR_BASE_URL: hrAt,
        HR_INSTANCE: uniqueName('hr-rec'),
        HR_CLIENT_ID: 'tributary-client',
        HR_CLIENT_SECRET: 'tributary-secret',
        ERP_BASE_URL: erpAt,
        ERP_INSTANCE: uniqueName('erp-rec'),
        ERP_USERNAME: 'tributary',
        ERP_PASSWORD: 'tributary-password',
      };
      // The source name is part of the raw topic: unique names keep the shared raw topics clean.
      const names = {
        hr: uniqueName('rechr').replace(/-/g, ''),
        erp: uniqueName('recerp').replace(/-/g, ''),
      };
      const definitions = [hrConnector(env), erpConnector(env)].map((definition) => ({
        ...definition,
        source: { ...definition.source, name: names[definition.source.name as 'hr' | 'erp'] },
      }));
      const streams = reconcileStreams(env, [])
        .filter((stream) => stream.source !== 'payroll')
        .map((stream) => ({
          ...stream,
          rawTopic: `raw.${names[stream.source as 'hr' | 'erp']}.${stream.stream}`,
        }));
      const stateTopic = uniqueName('_tributary.reconcile-state');
      const admin = kafka.admin();
      await admin.connect();
      await applyTopics(admin, [
        topicSpec(stateTopic, { partitions: 1 }),
        ...streams.map((stream) => topicSpec(stream.rawTopic, { partitions: 2 })),
      ]);
      await admin.disconnect();
      const sync = async () => {
        for (const definition of definitions) {
          const polling = new PollingProducer({
            kafka,
            definition,
            log: testLogger(),
            metrics: createMetricsRegistry({ defaultMetrics: false }),
            stateTopic,
            secrets: { env },
          });
          await polling.open();
          const reports = await polling.syncOnce();
          await polling.stop();
          expect(reports.every((report) => report.outcome === 'success')).toBe(true);
        }
      };
      const check = () =>
        reconcile({
          kafka,
          streams,
          entities: [],
          sources: [
            inProcessSimulatorTruth({ source: 'hr', instance: env.HR_INSTANCE, simulator: hrSim }),
            inProcessSimulatorTruth({ source: 'erp', instance: env.ERP_INSTANCE, simulator: erpSim }),
          ],
          dlqTopics: [],
          sampleSize: 100,
        });
      const streamDrift = (report: ReconcileReport) => differing(report);

      hrSim.mutate({ updates: 3, creates: 2, deletes: 2 });
      erpSim.mutate({ resource: 'vendors', updates: 2, deletes: 1 });
      await sync();
      const synced = await check();
      expect(streamDrift(synced)).toEqual([]);
      expect(synced.figures.every((row) => row.stage === 'source' || row.stage === 'raw')).toBe(true);
      for (const [label, resource, simulator] of [
        ['hr.workers', 'workers', hrSim],
        ['hr.org_units', 'orgUnits', hrSim],
        ['erp.vendors', 'vendors', erpSim],
        ['erp.invoices', 'invoices', erpSim],
        ['erp.fx_rates', 'exchangeRates', erpSim],
      ] as const) {
        const truthSize = simulator.groundTruth(resource).records.length;
        expect(truthSize).toBeGreaterThan(0);
        const rows = figure(synced, label, 'raw').concat(figure(synced, label, 'source'));
        expect(rows.map((row) => row.records)).toEqual([truthSize, truthSize]);
        expect(rows[0]?.checksum).toBe(rows[1]?.checksum);
      }

      // Changed at the source, not synced yet: the raw log lags by exactly these records.
      const changes = hrSim.mutate({ updates: 2, creates: 1, deletes: 1 }).changes;
      const ids = (op: string) =>
        changes
          .filter((change) => change.op === op)
          .map((change) => change.id)
          .sort();
      const lagging = await check();
      expect(streamDrift(lagging)).toEqual([
        {
          entity: 'hr.workers',
          stage: 'raw',
          against: 'source',
          kind: 'missing',
          count: 1,
          sample: ids('create'),
        },
        {
          entity: 'hr.workers',
          stage: 'raw',
          against: 'source',
          kind: 'extra',
          count: 1,
          sample: ids('delete'),
        },
        {
          entity: 'hr.workers',
          stage: 'raw',
          against: 'source',
          kind: 'content_mismatch',
          count: 2,
          sample: ids('update'),
        },
      ]);
      expect(reconcileExitCode(lagging)).toBe(1);
    } finally {
      await hrSim.stop();
      await erpSim.stop();
    }
  });
});
