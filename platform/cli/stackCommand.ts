import type { Command } from 'commander';
import { stackDown, stackStatus, stackUp } from '../stack/stack.js';
import { formatBytes, printTable } from './output.js';

export function registerStackCommand(program: Command): void {
  const stack = program.command('stack').description('the local Kafka + schema registry + PostgreSQL stack');
  stack
    .command('up')
    .description('fetch (once, cached), start and health-check Kafka, the registry and PostgreSQL')
    .action(async () => {
      const report = await stackUp({ report: (line) => process.stdout.write(`${line}\n`) });
      const { endpoints } = report;
      process.stdout.write(
        [
          `stack up in ${(report.elapsedMs / 1000).toFixed(1)} s`,
          `  downloaded:      ${report.downloaded.join(', ') || 'nothing (cached)'}`,
          `  started:         ${report.started.join(', ') || 'nothing'}`,
          `  already running: ${report.alreadyRunning.join(', ') || 'nothing'}`,
          `  KAFKA_BROKERS=${endpoints.kafkaBrokers.join(',')}${endpoints.external.kafka ? ' (external)' : ''}`,
          `  SCHEMA_REGISTRY_URL=${endpoints.schemaRegistryUrl}${endpoints.external.registry ? ' (external)' : ''}`,
          `  DATABASE_URL=${endpoints.databaseUrl.replace(/\/\/[^@/]*@/, '//…@')}`,
          '',
        ].join('\n'),
      );
    });
  stack
    .command('down')
    .description('stop the Kafka and registry processes this checkout started (by pid)')
    .option('--wipe', 'also delete the local broker data')
    .action(async (options: { wipe?: boolean }) => {
      const report = await stackDown({ wipe: options.wipe ?? false });
      process.stdout.write(
        `stopped: ${report.stopped.join(', ') || 'nothing'}; not running: ${report.notRunning.join(', ') || 'none'}\n`,
      );
    });
  stack
    .command('status')
    .description('health, pid and memory of each service')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      const services = await stackStatus();
      if (options.json) {
        process.stdout.write(`${JSON.stringify(services, null, 2)}\n`);
      } else {
        printTable(
          ['service', 'healthy', 'managed', 'pid', 'rss', 'version', 'endpoint'],
          services.map((service) => [
            service.name,
            service.healthy ? 'yes' : 'NO',
            service.managed ? 'local' : 'external',
            service.pid === undefined ? '-' : String(service.pid),
            service.rssBytes === undefined ? '-' : formatBytes(service.rssBytes),
            service.version ?? '-',
            service.endpoint,
          ]),
        );
      }
      if (services.some((service) => !service.healthy)) process.exitCode = 1;
    });
}
