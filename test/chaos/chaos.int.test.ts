import { describe, expect, it } from 'vitest';
import { endpoints } from '../helpers/stack.js';
import { formatChaosReport, runChaos } from './runChaos.js';

/**
 * The short chaos run of CI (CHAOS_SECONDS, default 120; CHAOS_SEED to replay a failure). It resets
 * the pipeline topics and restarts the broker, so it runs alone: `npm run test:chaos`, after
 * `npm test`. CHAOS_RESTART_POSTGRES=1 adds PostgreSQL restarts in immediate mode (CI sets it: the
 * server is CI's own; on a shared machine leave it off).
 */
const seconds = Number(process.env['CHAOS_SECONDS'] ?? 120);
const seed = Number(process.env['CHAOS_SEED'] ?? Date.now() % 1_000_000);
const restartPostgres = process.env['CHAOS_RESTART_POSTGRES'] === '1';

describe('chaos', () => {
  it(`keeps PostgreSQL equal to the sources through ${seconds} s of kills, broker restarts, ${restartPostgres ? 'PostgreSQL restarts, ' : ''}registry stalls and HTTP faults (seed ${seed})`, async () => {
    if (process.env['TRIBUTARY_CHAOS_PROJECT'] !== '1')
      throw new Error(
        'the chaos run resets the pipeline topics and kills the broker: run it alone with `npm run test:chaos` (vitest --config test/chaos/vitest.config.ts)',
      );
    const e = endpoints();
    // Every child process inherits these.
    process.env['KAFKA_BROKERS'] = e.kafkaBrokers.join(',');
    process.env['SCHEMA_REGISTRY_URL'] = e.schemaRegistryUrl;
    process.env['DATABASE_URL'] = e.databaseUrl;
    const report = await runChaos({
      seconds,
      seed,
      restartPostgres,
      write: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`${formatChaosReport(report).join('\n')}\n`);

    // The faults really happened: every role was killed, and the load really changed the sources.
    for (const role of ['hr', 'erp', 'cdc', 'map', 'merge', 'sink'])
      expect(report.actions[`kill:${role}`] ?? 0, `kills of ${role}`).toBeGreaterThan(0);
    if (restartPostgres) expect(report.actions['postgres'] ?? 0, 'PostgreSQL restarts').toBeGreaterThan(0);
    expect(report.sourceChanges.hr).toBeGreaterThan(100);
    expect(report.sourceChanges.erp).toBeGreaterThan(100);
    expect(report.sourceChanges.payroll).toBeGreaterThan(50);
    // Zero missing, duplicated, regressed or unexplained rows; the DLQ holds only rejected records.
    const problems = [
      ...Object.entries(report.reconcile.raw)
        .filter(([, c]) => c.missing + c.differing + c.extra > 0)
        .map(([topic, c]) => `${topic}: ${JSON.stringify(c)}`),
      ...Object.entries(report.reconcile.entities)
        .filter(([, c]) => c.missing + c.duplicated + c.regressed + c.extra > 0)
        .map(([entity, c]) => `${entity}: ${JSON.stringify(c)}`),
    ];
    expect(problems, report.reconcile.examples.join('\n')).toEqual([]);
    expect(report.reconcile.dlq.processorUnexpected).toBe(0);
    expect(report.reconcile.dlq.sink).toBe(0);
    expect(Object.keys(report.reconcile.entities).length).toBeGreaterThanOrEqual(5);
    expect(report.ok).toBe(true);
  }, 900_000);
});
