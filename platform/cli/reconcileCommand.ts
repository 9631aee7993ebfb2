import { rename, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { pino } from 'pino';
import { connectorFor } from '../../producers/sources/index.js';
import { loadConfig } from '../config.js';
import { TributaryError } from '../errors.js';
import { createKafka } from '../kafka.js';
import { createLogger, redactUrl } from '../logger.js';
import { createMetricsRegistry } from '../metrics.js';
import { toJson } from '../ops/formatReports.js';
import { reconcile } from '../ops/reconcile.js';
import { formatReconcile, reconcileExitCode } from '../ops/reconcileReport.js';
import { httpSimulatorTruth, payrollTruth, type SourceTruth } from '../ops/reconcileSources.js';
import { createPgPool } from '../postgres.js';

const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
];

/** `hr=http://…,erp=http://…` → { hr: url, erp: url }; only polling sources have simulator truth. */
export function parseSourceUrls(items: readonly string[]): Map<string, string> {
  const urls = new Map<string, string>();
  for (const item of items) {
    const at = item.indexOf('=');
    const name = at > 0 ? item.slice(0, at) : '';
    const url = item.slice(at + 1);
    if (!['hr', 'erp'].includes(name) || !/^https?:\/\//.test(url))
      throw new TributaryError(
        'USAGE',
        `--source-url expects hr=<http url> or erp=<http url>, got ${JSON.stringify(item)}`,
      );
    urls.set(name, url);
  }
  return urls;
}

interface ReconcileCliOptions {
  entity?: string[];
  sourceUrl?: string[];
  payrollUrl?: string;
  database: boolean;
  sample: string;
  metricsFile?: string;
  json?: boolean;
}

/** `tributary reconcile`: exits 1 when any checked stage differs from its reference. */
export function registerReconcileCommand(program: Command): void {
  program
    .command('reconcile')
    .description(
      'count and checksum every stage (source, raw, canonical, PostgreSQL) per entity and source, list the differences; exit 1 on drift',
    )
    .option(
      '--entity <entity>',
      'only this entity and the streams feeding it (repeatable, or comma-separated)',
      collect,
    )
    .option(
      '--source-url <name=url>',
      'ground truth of a simulator source: hr=<url>,erp=<url> (GET <url>/_admin/truth); without it the source stage is not checked',
      collect,
    )
    .option(
      '--payroll-url <postgres url>',
      'the payroll (CDC) source database; without it payroll is not checked',
    )
    .option('--no-database', 'skip the PostgreSQL stage (DATABASE_URL)')
    .option('--sample <n>', 'keys listed per difference', '10')
    .option(
      '--metrics-file <path>',
      'also write the tributary_reconcile_* gauges in Prometheus text format (node_exporter textfile collector)',
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Source and raw rows are per stream (entity column "<source>.<stream>"), expected/canonical/postgres
rows per entity. "expected" is the set of canonical ids the source records imply (the raw log's
where the source is not readable); for merged entities the union of every stream feeding them.
Records in dlq.processor / dlq.sink are reported as dead-lettered, not missing. Run it on a
quiescent pipeline: records in flight between stages show as drift until they land.
Source instances come from HR_INSTANCE, ERP_INSTANCE, CDC_INSTANCE (defaults acme-hr, acme-erp, payroll).`,
    )
    .action(async (options: ReconcileCliOptions) => {
      const sample = Number(options.sample);
      if (!Number.isInteger(sample) || sample < 0)
        throw new TributaryError('USAGE', `--sample must be a non-negative integer, got ${options.sample}`);
      const urls = parseSourceUrls(options.sourceUrl ?? []);
      const config = loadConfig(process.env);
      const log = createLogger({
        level: config.LOG_LEVEL,
        name: 'tributary-ops',
        destination: pino.destination(2),
      });
      const kafka = createKafka({ config, log, clientId: `${config.KAFKA_CLIENT_ID}-reconcile` });
      const db = options.database ? createPgPool({ ...config, DATABASE_POOL_SIZE: 2 }) : undefined;
      const payrollPool = options.payrollUrl
        ? createPgPool({ DATABASE_URL: options.payrollUrl, DATABASE_POOL_SIZE: 2 })
        : undefined;
      try {
        const sources: SourceTruth[] = [...urls].map(([source, url]) =>
          httpSimulatorTruth({ source, instance: connectorFor(source).source.instance, url }),
        );
        if (payrollPool && options.payrollUrl)
          sources.push(
            payrollTruth({
              pool: payrollPool,
              instance: process.env['CDC_INSTANCE'] ?? 'payroll',
              where: redactUrl(options.payrollUrl),
            }),
          );
        const metrics = createMetricsRegistry({ defaultMetrics: false });
        const report = await reconcile({
          kafka,
          sources,
          sampleSize: sample,
          metrics,
          ...(db ? { db } : {}),
          ...(options.entity?.length ? { entities: options.entity } : {}),
        });
        if (options.metricsFile) {
          // Write then rename: a collector never reads a half-written file.
          await writeFile(`${options.metricsFile}.tmp`, await metrics.metrics());
          await rename(`${options.metricsFile}.tmp`, options.metricsFile);
        }
        process.stdout.write(
          options.json ? `${toJson(report)}\n` : `${formatReconcile(report).join('\n')}\n`,
        );
        if (reconcileExitCode(report) !== 0) process.exitCode = reconcileExitCode(report);
      } finally {
        await db?.end().catch(() => undefined);
        await payrollPool?.end().catch(() => undefined);
      }
    });
}
