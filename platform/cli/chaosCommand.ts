import type { Command } from 'commander';
import { TributaryError } from '../errors.js';

function positiveInteger(name: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new TributaryError('USAGE', `--${name} must be a non-negative integer`);
    return Number(value);
  };
}

/**
 * `tributary chaos --seconds N --seed S`: the chaos run on the local stack (see test/chaos). It
 * deletes and recreates the pipeline topics and kills the local broker: never run it beside other
 * work on the same stack. Exits 1 when the reconciliation finds anything missing, duplicated or
 * regressed.
 */
export function registerChaosCommand(program: Command): void {
  program
    .command('chaos')
    .description(
      'run the pipeline under seeded faults (SIGKILLs of every role, broker restarts, registry stalls, HTTP faults), drain, and reconcile PostgreSQL with the sources; resets the pipeline topics of the local stack',
    )
    .option('--seconds <n>', 'length of the fault phase', positiveInteger('seconds'), 120)
    .option(
      '--seed <n>',
      'seed of the fault schedule and the sample data (printed; replays a failure)',
      positiveInteger('seed'),
    )
    .option('--hr-records <n>', 'HR workers', positiveInteger('hr-records'), 2_000)
    .option('--erp-records <n>', 'ERP vendors and invoices (each)', positiveInteger('erp-records'), 1_000)
    .option(
      '--changes-per-second <n>',
      'source changes per second per simulator',
      positiveInteger('changes-per-second'),
      40,
    )
    .option(
      '--restart-postgres',
      'also restart PostgreSQL in immediate mode (only where nothing else uses it)',
      false,
    )
    .option('--no-broker-restart', 'do not kill and restart the Kafka broker')
    .option('--no-registry-stall', 'do not SIGSTOP the schema registry')
    .option('--keep', 'keep the run databases for inspection', false)
    .action(
      async (options: {
        seconds: number;
        seed?: number;
        hrRecords: number;
        erpRecords: number;
        changesPerSecond: number;
        restartPostgres: boolean;
        brokerRestart: boolean;
        registryStall: boolean;
        keep: boolean;
      }) => {
        // The harness lives with the tests (it spawns the roles from the source tree).
        const modulePath = '../../test/chaos/runChaos.js';
        const { formatChaosReport, runChaos } = (await import(
          modulePath
        )) as typeof import('../../test/chaos/runChaos.js');
        const report = await runChaos({
          seconds: options.seconds,
          seed: options.seed ?? Date.now() % 1_000_000,
          hrRecords: options.hrRecords,
          erpRecords: options.erpRecords,
          changesPerSecond: options.changesPerSecond,
          restartPostgres: options.restartPostgres,
          restartBroker: options.brokerRestart,
          stallRegistry: options.registryStall,
          keep: options.keep,
        });
        process.stdout.write(`${formatChaosReport(report).join('\n')}\n`);
        if (!report.ok) process.exitCode = 1;
      },
    );
}
