import type { Command } from 'commander';
import type { Admin, Kafka } from 'kafkajs';
import type pg from 'pg';
import { pino } from 'pino';
import { type Config, loadConfig } from '../config.js';
import { TributaryError } from '../errors.js';
import { createKafka } from '../kafka.js';
import { createLogger, type Logger } from '../logger.js';
import { readDlq, readDlqEntry } from '../ops/dlqReader.js';
import { redriveDlq } from '../ops/dlqRedrive.js';
import { resolveDlqSelector } from '../ops/dlqSelection.js';
import {
  dlqEntryView,
  formatDlqList,
  formatDlqShow,
  formatRedrive,
  formatReplay,
  formatStatus,
  toJson,
} from '../ops/formatReports.js';
import { resolveOffsetTarget } from '../ops/offsetTarget.js';
import { containsOffset, loadLedger, type OffsetRanges, redriveLedgerTopic } from '../ops/redriveLedger.js';
import { replay } from '../ops/replay.js';
import { collectStatus } from '../ops/status.js';
import { createPgPool } from '../postgres.js';

const write = (text: string): void => {
  process.stdout.write(text);
};

interface OpsSession {
  config: Config;
  log: Logger;
  kafka: Kafka;
  admin: Admin;
}

/** Operational commands log to stderr, so stdout stays the table or JSON the operator asked for. */
async function withSession<T>(run: (session: OpsSession) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const log = createLogger({
    level: config.LOG_LEVEL,
    name: 'tributary-ops',
    destination: pino.destination(2),
  });
  const kafka = createKafka({ config, log, clientId: `${config.KAFKA_CLIENT_ID}-ops` });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await run({ config, log, kafka, admin });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function withPool<T>(config: Config, run: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = createPgPool({ ...config, DATABASE_POOL_SIZE: 2 });
  try {
    return await run(pool);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
];

async function ledgersOf(kafka: Kafka, admin: Admin, topics: readonly string[]) {
  const present = await admin.listTopics();
  const ledgers = new Map<string, Map<number, OffsetRanges>>();
  for (const topic of topics)
    ledgers.set(topic, present.includes(redriveLedgerTopic) ? await loadLedger(kafka, topic) : new Map());
  return ledgers;
}

/** The merge processor's group (processors/runProcessor.ts processorGroupId('merge')). */
const mergeGroup = 'tributary-processor-merge';

function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(
      'move a consumer group (processor or sink) to earliest, a time or explicit offsets; refuses while the group has members',
    )
    .requiredOption(
      '--group <group>',
      'consumer group, e.g. tributary-processor-map or tributary-sink-postgres',
    )
    .option('--to-earliest', 'the first offset still in the log')
    .option('--to-timestamp <iso>', 'the first offset at or after this instant (ISO 8601 with zone)')
    .option('--to-offsets <spec>', 'explicit offsets: topic:partition=offset[,topic:partition=offset]')
    .option('--topic <topic>', 'only this topic (repeatable, or comma-separated)', collect)
    .option(
      '--sink',
      'the group is the PostgreSQL sink: rewrite tributary_sink_offsets (detected when omitted)',
    )
    .option('--kafka', 'the group keeps its offsets in Kafka (processors); skips the sink detection')
    .option(
      '--stored-group <id>',
      'key of the stored sink offsets when it differs from --group (SINK_GROUP_ID)',
    )
    .option('--dry-run', 'show per partition current → target and the offsets re-read; change nothing')
    .option(
      '--force',
      'also move the merge group (normally refused: replay the raw log through the map group)',
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Processors keep their position in Kafka (committed with their transactions), so the standard
tool works for them too, with the processor stopped:
  kafka-consumer-groups.sh --bootstrap-server … --group tributary-processor-map \\
    --reset-offsets --to-earliest --all-topics --execute
It does NOT work for the sink: the sink's truth is tributary_sink_offsets in PostgreSQL (stored
with the rows, seeked to on assignment), so a Kafka-only reset is ignored. Use this command.

Replay the raw log through the map group. The merge group is refused without --force: its state
pairs each source record with the raw record it was last merged from, built from the fragments
it has consumed; moved back, it forgets that and re-merges the history, writing intermediate
versions (old content under new version numbers) until it catches up.`,
    )
    .action(
      async (options: {
        group: string;
        toEarliest?: boolean;
        toTimestamp?: string;
        toOffsets?: string;
        topic?: string[];
        sink?: boolean;
        kafka?: boolean;
        storedGroup?: string;
        dryRun?: boolean;
        force?: boolean;
        json?: boolean;
      }) => {
        if (options.sink && options.kafka)
          throw new TributaryError('USAGE', 'give at most one of --sink, --kafka');
        if (options.group === mergeGroup && !options.force && !options.dryRun)
          throw new TributaryError(
            'USAGE',
            `${options.group}: replay the raw log through tributary-processor-map instead (moving the merge group back re-merges history and writes intermediate versions); --force to do it anyway`,
          );
        const target = resolveOffsetTarget(options);
        await withSession(async ({ config, admin }) => {
          const run = (db?: pg.Pool) =>
            replay(db ? { admin, db } : { admin }, {
              groupId: options.group,
              target,
              ...(options.topic ? { topics: options.topic } : {}),
              mode: options.sink ? 'sink' : options.kafka ? 'kafka' : 'auto',
              ...(options.storedGroup ? { storedGroupId: options.storedGroup } : {}),
              dryRun: options.dryRun ?? false,
            });
          const result = options.kafka ? await run() : await withPool(config, run);
          if (options.json) write(`${toJson(result)}\n`);
          else formatReplay(result, write);
        });
      },
    );
}

function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description('inspect and redrive dead-lettered records');
  dlq
    .command('list')
    .description('list DLQ entries with their error, stage, origin, attempts and redrive state')
    .option('--topic <topic>', 'DLQ topic (repeatable); default dlq.processor and dlq.sink', collect)
    .option('--json', 'machine-readable output')
    .action(async (options: { topic?: string[]; json?: boolean }) => {
      await withSession(async ({ kafka, admin }) => {
        const present = await admin.listTopics();
        const topics =
          options.topic ?? ['dlq.processor', 'dlq.sink'].filter((topic) => present.includes(topic));
        for (const topic of topics) {
          if (!present.includes(topic))
            throw new TributaryError('NOT_FOUND', `topic ${topic} does not exist`);
        }
        const entries = (await Promise.all(topics.map((topic) => readDlq(kafka, topic)))).flat();
        const ledgers = await ledgersOf(kafka, admin, topics);
        if (options.json) {
          write(
            `${toJson(
              entries.map((entry) =>
                dlqEntryView(
                  entry,
                  containsOffset(ledgers.get(entry.dlqTopic)?.get(entry.dlqPartition) ?? [], entry.dlqOffset),
                ),
              ),
            )}\n`,
          );
        } else formatDlqList(entries, ledgers, write);
      });
    });
  dlq
    .command('show')
    .description('one DLQ entry in full: error, origin, headers, key and value')
    .argument('<topic>', 'DLQ topic, e.g. dlq.processor')
    .argument('<position>', 'partition:offset')
    .option('--json', 'machine-readable output')
    .action(async (topic: string, position: string, options: { json?: boolean }) => {
      const match = /^(\d+):(\d+)$/.exec(position);
      if (!match) throw new TributaryError('USAGE', `"${position}" is not partition:offset`);
      const partition = Number(match[1]);
      const offset = BigInt(match[2] ?? '0');
      await withSession(async ({ kafka, admin }) => {
        const entry = await readDlqEntry(kafka, topic, partition, offset);
        if (!entry) throw new TributaryError('NOT_FOUND', `${topic} has no record at ${position}`);
        const ledgers = await ledgersOf(kafka, admin, [topic]);
        const redriven = containsOffset(ledgers.get(topic)?.get(partition) ?? [], offset);
        if (options.json) write(`${toJson(dlqEntryView(entry, redriven))}\n`);
        else formatDlqShow(entry, redriven, write);
      });
    });
  dlq
    .command('redrive')
    .description(
      'put selected DLQ entries back on their original topic/partition (original key, bytes, headers; attempt count carried), each at most once',
    )
    .argument('<topic>', 'DLQ topic, e.g. dlq.processor')
    .option(
      '--offsets <range>',
      'entries of one DLQ partition: partition:from-to (inclusive) or partition:offset',
    )
    .option('--error-code <code>', 'entries with this error code (e.g. MAPPING_FAILED)')
    .option('--all', 'every entry not redriven yet')
    .option('--include-superseded', 'also redrive entries whose key has a newer record on the original topic')
    .option('--dry-run', 'show what would be redriven; change nothing')
    .option('--json', 'machine-readable output')
    .action(
      async (
        topic: string,
        options: {
          offsets?: string;
          errorCode?: string;
          all?: boolean;
          includeSuperseded?: boolean;
          dryRun?: boolean;
          json?: boolean;
        },
      ) => {
        const selector = resolveDlqSelector(options);
        await withSession(async ({ kafka, admin, log }) => {
          if (!(await admin.listTopics()).includes(topic))
            throw new TributaryError('NOT_FOUND', `topic ${topic} does not exist`);
          const result = await redriveDlq({
            kafka,
            admin,
            log,
            dlqTopic: topic,
            selector,
            dryRun: options.dryRun ?? false,
            includeSuperseded: options.includeSuperseded ?? false,
          });
          if (options.json) {
            write(
              `${toJson({
                runId: result.runId,
                dryRun: result.dryRun,
                redriven: result.redriven,
                decisions: result.decisions.map(({ entry, action }) => ({
                  entry: `${entry.dlqPartition}:${entry.dlqOffset}`,
                  origin:
                    entry.originTopic === null
                      ? null
                      : `${entry.originTopic}/${entry.originPartition}/${entry.originOffset}`,
                  errorCode: entry.errorCode,
                  attempts: entry.attempts,
                  action,
                })),
              })}\n`,
            );
          } else formatRedrive(topic, result, write);
        });
      },
    );
}

function registerStatus(program: Command): void {
  program
    .command('status')
    .description('lag per group and partition, stored vs committed sink offsets, source freshness, CDC slots')
    .option('--group <group>', 'only this group (repeatable)', collect)
    .option(
      '--metrics-url <url>',
      "a running role's /metrics endpoint, for paused/circuit/sync state (repeatable)",
      collect,
    )
    .option('--cdc-url <url>', 'a CDC source database to read replication slots from (repeatable)', collect)
    .option('--no-database', 'skip PostgreSQL (sink offsets, slots of DATABASE_URL)')
    .option('--json', 'machine-readable output')
    .action(
      async (options: {
        group?: string[];
        metricsUrl?: string[];
        cdcUrl?: string[];
        database: boolean;
        json?: boolean;
      }) => {
        await withSession(async ({ config, kafka, admin }) => {
          const run = (db?: pg.Pool) =>
            collectStatus({
              kafka,
              admin,
              ...(db ? { db, databaseUrl: config.DATABASE_URL } : {}),
              ...(options.group ? { groups: options.group } : {}),
              ...(options.metricsUrl ? { metricsUrls: options.metricsUrl } : {}),
              ...(options.cdcUrl ? { cdcDatabaseUrls: options.cdcUrl } : {}),
            });
          const report = options.database ? await withPool(config, run) : await run();
          if (options.json) write(`${toJson(report)}\n`);
          else formatStatus(report, write);
        });
      },
    );
}

/** `tributary replay`, `tributary dlq list|show|redrive` and `tributary status`. */
export function registerOpsCommands(program: Command): void {
  registerReplay(program);
  registerDlq(program);
  registerStatus(program);
}
