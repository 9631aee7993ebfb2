import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHealthServer } from '../../platform/healthServer.js';
import { createMetricsRegistry, ensureGauge } from '../../platform/metrics.js';
import { collectStatus } from '../../platform/ops/status.js';
import { projectRoot } from '../helpers/childProcess.js';
import { createTestDatabase, createTopicsReady, endpoints, testKafka, uniqueName } from '../helpers/stack.js';

const NOW = new Date('2026-11-27T11:00:00.000Z');

function runCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(projectRoot, 'test/ops/opsCli.ts'), ...args],
      {
        cwd: projectRoot,
        env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('tributary status', () => {
  let kafka: Kafka;
  let admin: Admin;
  let databaseUrl: string;
  let pool: pg.Pool;
  const topic = uniqueName('canonical.ops-status');
  const stateTopic = uniqueName('_tributary.ops-status-state');
  const processorGroup = uniqueName('tributary-processor-merge');
  const sinkGroup = uniqueName('tributary-sink-postgres');

  beforeAll(async () => {
    kafka = testKafka('ops-status-test');
    admin = kafka.admin();
    await admin.connect();
    databaseUrl = await createTestDatabase('trib_ops_status');
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    await pool.query(readFileSync(join(projectRoot, 'migrations/0100_sink_offsets.sql'), 'utf8'));
    await createTopicsReady(admin, {
      topics: [
        { topic, numPartitions: 2 },
        {
          topic: stateTopic,
          numPartitions: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      waitForLeaders: true,
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        ...Array.from({ length: 10 }, (_, i) => ({ partition: 0, key: `a${i}`, value: 'x' })),
        ...Array.from({ length: 4 }, (_, i) => ({ partition: 1, key: `b${i}`, value: 'y' })),
      ],
    });
    const state = (position: Record<string, unknown>, syncId: string, updatedAt: string) =>
      Buffer.from(JSON.stringify({ stateVersion: 1, position, syncId, updatedAt }));
    await producer.send({
      topic: stateTopic,
      messages: [
        {
          key: 'hr-demo/workers',
          value: state(
            { cursor: JSON.stringify({ updatedAt: '2026-11-27T09:30:00.000000000Z', id: '17' }) },
            'sync-old',
            '2026-11-27T09:31:00.000Z',
          ),
        },
        {
          key: 'hr-demo/workers',
          value: state(
            { cursor: JSON.stringify({ updatedAt: '2026-11-27T10:00:00.000000000Z', id: '42' }) },
            'sync-2',
            '2026-11-27T10:05:00.000Z',
          ),
        },
        { key: 'payroll/cdc', value: state({ lsn: '0/16B3748' }, 'tx-991', '2026-11-27T10:59:00.000Z') },
        {
          key: 'broken/stream',
          value: state({ cursor: '{"updatedAt":"yesterday","id":"1"}' }, 's', '2026-11-27T10:00:00.000Z'),
        },
      ],
    });
    await producer.disconnect();
    // The processor group committed 7 of 10 and 4 of 4; the sink stored 10 of 10 and 1 of 4.
    await admin.setOffsets({
      groupId: processorGroup,
      topic,
      partitions: [
        { partition: 0, offset: '7' },
        { partition: 1, offset: '4' },
      ],
    });
    await pool.query(
      `INSERT INTO tributary_sink_offsets (group_id, topic, partition, next_offset) VALUES ($1, $2, 0, 10), ($1, $2, 1, 1)`,
      [sinkGroup, topic],
    );
  });
  afterAll(async () => {
    await pool.end();
    await admin.disconnect();
  });

  it('reports lag, stored vs committed offsets, source freshness, slots and scraped role state', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    ensureGauge(registry, 'tributary_sink_paused_partitions', 'paused').set(2);
    ensureGauge(registry, 'tributary_connector_circuit_state', 'circuit', ['source', 'endpoint']).set(
      { source: 'hr-demo', endpoint: '/v1/workers' },
      2,
    );
    const health = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      registry,
      isLive: () => true,
      isReady: () => true,
    });
    try {
      const report = await collectStatus({
        kafka,
        admin,
        db: pool,
        databaseUrl,
        groups: [processorGroup, sinkGroup],
        stateTopic,
        metricsUrls: [`http://127.0.0.1:${health.port}/metrics`],
        now: () => NOW,
      });
      const processor = report.groups.find((group) => group.groupId === processorGroup);
      expect(processor).toMatchObject({ kind: 'kafka', members: 0, totalLag: '3' });
      expect(processor?.partitions.map((p) => [p.partition, p.committed, p.stored, p.high, p.lag])).toEqual([
        [0, '7', null, '10', '3'],
        [1, '4', null, '4', '0'],
      ]);
      const sink = report.groups.find((group) => group.groupId === sinkGroup);
      expect(sink).toMatchObject({ kind: 'sink', totalLag: '3' });
      expect(sink?.partitions.map((p) => [p.partition, p.committed, p.stored, p.lag])).toEqual([
        [0, null, '10', '0'],
        [1, null, '1', '3'],
      ]);
      expect(report.sources).toEqual([
        {
          key: 'broken/stream',
          cursor: '{"updatedAt":"yesterday","id":"1"}',
          cursorTime: null,
          freshnessSeconds: null,
          lastSyncId: 's',
          updatedAt: '2026-11-27T10:00:00.000Z',
          position: {},
          problem: 'cursor unreadable: stored cursor has the wrong shape',
        },
        {
          key: 'hr-demo/workers',
          cursor: JSON.stringify({ updatedAt: '2026-11-27T10:00:00.000000000Z', id: '42' }),
          cursorTime: '2026-11-27T10:00:00.000Z',
          freshnessSeconds: 3600,
          lastSyncId: 'sync-2',
          updatedAt: '2026-11-27T10:05:00.000Z',
          position: {},
        },
        {
          key: 'payroll/cdc',
          cursor: null,
          cursorTime: null,
          freshnessSeconds: null,
          lastSyncId: 'tx-991',
          updatedAt: '2026-11-27T10:59:00.000Z',
          position: { lsn: '0/16B3748' },
        },
      ]);
      // Slots are cluster-wide and owned by other tests (max_replication_slots may be exhausted),
      // so the report is checked against pg_replication_slots read directly.
      const direct = await pool.query<{ slot_name: string; plugin: string; retained: string | null }>(
        `SELECT slot_name, plugin, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint::text AS retained
           FROM pg_replication_slots ORDER BY slot_name`,
      );
      expect(report.slots.map((entry) => [entry.slotName, entry.plugin])).toEqual(
        direct.rows.map((row) => [row.slot_name, row.plugin]),
      );
      for (const entry of report.slots) {
        const row = direct.rows.find((candidate) => candidate.slot_name === entry.slotName);
        // WAL only grows between the two reads.
        if (row?.retained != null)
          expect(BigInt(row.retained)).toBeGreaterThanOrEqual(BigInt(entry.retainedBytes ?? '0'));
        expect(entry.database).not.toContain('password');
      }
      expect(report.metrics[0]?.samples).toEqual(
        expect.arrayContaining([
          { name: 'tributary_sink_paused_partitions', labels: {}, value: 2 },
          {
            name: 'tributary_connector_circuit_state',
            labels: { source: 'hr-demo', endpoint: '/v1/workers' },
            value: 2,
          },
        ]),
      );
    } finally {
      await health.close();
    }
  });

  it('prints the same figures from the CLI, and replay --dry-run plans without moving anything', async () => {
    const env = { KAFKA_BROKERS: endpoints().kafkaBrokers.join(','), DATABASE_URL: databaseUrl };
    const status = await runCli(['status', '--group', `${processorGroup},${sinkGroup}`, '--json'], env);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { groups: { groupId: string; totalLag: string }[] };
    expect(parsed.groups.map((group) => [group.groupId, group.totalLag])).toEqual(
      [
        [processorGroup, '3'],
        [sinkGroup, '3'],
      ].sort(),
    );
    const table = await runCli(['status', '--group', processorGroup], env);
    expect(table.stdout).toMatch(
      new RegExp(`${processorGroup}\\s+kafka\\s+\\S+\\s+0\\s+${topic}\\s+0\\s+7\\s+-\\s+10\\s+3`),
    );
    if (process.env['OPS_TEST_PRINT'])
      process.stdout.write(`\n$ tributary status --group ${processorGroup}\n${table.stdout}`);

    const dryRun = await runCli(['replay', '--group', sinkGroup, '--to-earliest', '--dry-run'], env);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain(`would re-read 11 offsets across 2 partitions; nothing changed`);
    if (process.env['OPS_TEST_PRINT'])
      process.stdout.write(
        `\n$ tributary replay --group ${sinkGroup} --to-earliest --dry-run\n${dryRun.stdout}`,
      );
    const stored = await pool.query<{ next_offset: string }>(
      'SELECT next_offset::text FROM tributary_sink_offsets WHERE group_id = $1 ORDER BY partition',
      [sinkGroup],
    );
    expect(stored.rows.map((row) => row.next_offset)).toEqual(['10', '1']);

    const refused = await runCli(
      ['replay', '--group', sinkGroup, '--to-earliest', '--to-offsets', `${topic}:0=1`],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'USAGE: give exactly one of --to-earliest, --to-timestamp, --to-offsets',
    );

    // Moving the merge group back would re-merge history: refused, pointing at the map group.
    const merge = await runCli(['replay', '--group', 'tributary-processor-merge', '--to-earliest'], env);
    expect(merge.code).toBe(1);
    expect(merge.stderr).toContain('replay the raw log through tributary-processor-map instead');
  });
});
