import type { Command } from 'commander';
import { cdcSettingsFromEnv } from '../../producers/cdc/cdcSettings.js';
import { runCdcProducer } from '../../producers/cdc/runCdcProducer.js';
import { createPayrollDatabase, payrollTables } from '../../producers/sources/payroll/payrollDatabase.js';
import { PayrollWriter } from '../../producers/sources/payroll/payrollWriter.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { withDatabase } from '../postgres.js';
import { ensureLogicalReplication } from '../stack/logicalReplication.js';

function runGroup(program: Command): Command {
  return (
    program.commands.find((command) => command.name() === 'run') ??
    program
      .command('run')
      .description('run a role as a long-running process (one per Deployment on Kubernetes)')
  );
}

/** CDC sources known by name; `tributary run producer <name>` runs them too. */
export const cdcSources = ['payroll'] as const;

/** Runs a CDC source until stopped; resolves with the exit code. */
export async function runCdcSource(source: string): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, CDC_SOURCE: source };
  if (source === 'payroll' && !env['CDC_TABLES']) env['CDC_TABLES'] = payrollTables.join(',');
  const config = loadConfig(env);
  const log = createLogger({ level: config.LOG_LEVEL, name: `tributary-cdc-${source}` });
  await ensureLogicalReplication(config.DATABASE_URL, (line) => log.info(line));
  return runCdcProducer(config, cdcSettingsFromEnv(env), log);
}

/**
 * `tributary run cdc <source>`: the CDC producer (env: DATABASE_URL of the source, CDC_TABLES,
 * CDC_SLOT, CDC_PUBLICATION, CDC_COLUMNS …; `payroll` defaults CDC_TABLES to the sample tables).
 * `tributary cdc payroll-setup` / `tributary cdc payroll-writer`: the sample database for the demo.
 */
export function registerCdcCommand(program: Command): void {
  runGroup(program)
    .command('cdc')
    .description(
      'stream a PostgreSQL publication (logical replication, pgoutput) into raw.<source>.<schema>.<table>',
    )
    .argument('<source>', 'source name (e.g. payroll)')
    .action(async (source: string) => {
      process.exitCode = await runCdcSource(source);
      process.exit();
    });
  const cdc = program.command('cdc').description('CDC sample source (payroll database)');
  cdc
    .command('payroll-setup')
    .description(
      'switch the local PostgreSQL to wal_level=logical if needed, create and seed the payroll database',
    )
    .option('--database <name>', 'database name', 'payroll')
    .option('--employees <n>', 'employees to seed', '200')
    .action(async (options: { database: string; employees: string }) => {
      const config = loadConfig(process.env);
      const url = withDatabase(config.DATABASE_URL, options.database);
      await ensureLogicalReplication(url, (line) => console.log(line));
      const { seeded } = await createPayrollDatabase(url, { employees: Number(options.employees) });
      console.log(
        seeded
          ? `payroll database ${options.database} created and seeded`
          : `payroll database ${options.database} already seeded`,
      );
    });
  cdc
    .command('payroll-writer')
    .description('background inserts, updates and deletes on the payroll database until stopped')
    .option('--database <name>', 'database name', 'payroll')
    .option('--rate <n>', 'source transactions per second', '5')
    .action(async (options: { database: string; rate: string }) => {
      const config = loadConfig(process.env);
      const writer = new PayrollWriter({
        databaseUrl: withDatabase(config.DATABASE_URL, options.database),
        ratePerSecond: Number(options.rate),
        onError: (error) => console.error(String(error)),
      });
      writer.start();
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      console.log(JSON.stringify(await writer.stop()));
    });
}
