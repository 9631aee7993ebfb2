/**
 * End-to-end benchmark: N entities from the sample sources through every stage, on the local stack.
 *
 *   node --import tsx bench/e2e/e2eBench.ts [--entities 100000] [--latency-seconds 30] [--rate 2000]
 *     [--poll-ms 500] [--profile <dir>] [--no-readme] [--keep]
 *
 * Resets the pipeline topics (raw.hr.*, raw.erp.*, raw.payroll.*, fragments, canonical.*, dlq.*):
 * run it alone. Stages run one after another on the same data (producers → raw, then map, then
 * merge, then the sink), so each rate is that stage's own capacity; then, with every role running,
 * HR changes at a steady rate give the end-to-end latency from a source change to its committed
 * PostgreSQL row. Writes the table into bench/README.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../../platform/config.js';
import { fragmentsTopic } from '../../platform/declaredTopics.js';
import { replay } from '../../platform/ops/replay.js';
import { pinnedKafkaVersion } from '../../platform/stack/kafkaService.js';
import { projectRoot } from '../../platform/stack/paths.js';
import { readTopicToEnd } from '../../platform/topicReader.js';
import { connectorFor } from '../../producers/sources/index.js';
import { entityCatalog } from '../../schemas/entityCatalog.js';
import { entityTables } from '../../sinks/postgres/specs/entityTables.js';
import { PipelineRun, type Role } from '../../test/chaos/pipelineRun.js';
import { kafkaProducerPerf } from './kafkaProducerPerf.js';
import { summarizeProfiles } from './profileSummary.js';
import { waitForStage } from './stageWatch.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const write = (line: string): void => void process.stdout.write(`${line}\n`);

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const { values } = parseArgs({
  options: {
    entities: { type: 'string', default: '100000' },
    'latency-seconds': { type: 'string', default: '30' },
    rate: { type: 'string', default: '2000' },
    'floor-rate': { type: 'string', default: '200' },
    'poll-ms': { type: 'string', default: '500' },
    profile: { type: 'string' },
    'no-readme': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const entities = Number(values.entities);
const latencySeconds = Number(values['latency-seconds']);
const rate = Number(values.rate);
const floorRate = Number(values['floor-rate']);
const pollMs = Number(values['poll-ms']);

interface SyncLine {
  event: string;
  stream?: string;
  outcome?: string;
  published?: number;
}

/** When the CDC producer started streaming, i.e. its snapshot is committed (it holds its slot from then on). */
async function cdcStreamingSince(run: PipelineRun): Promise<number> {
  const payroll = new pg.Client({ connectionString: run.payrollUrl });
  await payroll.connect();
  try {
    for (;;) {
      const { rows } = await payroll.query<{ streaming: boolean }>(
        'SELECT active_pid IS NOT NULL AS streaming FROM pg_replication_slots WHERE slot_name = $1',
        [run.cdcSlot],
      );
      if (rows[0]?.streaming) return Date.now();
      await sleep(250);
    }
  } finally {
    await payroll.end();
  }
}

async function main(): Promise<void> {
  const hrRecords = Math.round(entities / 2);
  const erpRecords = Math.round(entities / 4);
  const payrollRecords = Math.round(hrRecords / 5);
  const run = new PipelineRun({
    seed: 42,
    hrRecords,
    erpRecords,
    // A fifth of the workers are also on payroll (CDC); their pay rates reach the employee through
    // the payroll-number → worker-id crosswalk.
    payrollEmployees: payrollRecords,
    resetTopics: true,
    pollIntervalMs: pollMs,
    ...(values.profile ? { cpuProfileDir: values.profile } : {}),
    // Every role's log, to explain a slow or stuck stage afterwards.
    logDir: join(projectRoot, '.tributary', 'e2e-logs', new Date().toISOString().replace(/[:.]/g, '-')),
    write,
  });
  const timeout = 30 * 60_000;
  try {
    write(
      `e2e bench: ${hrRecords} HR workers, ${erpRecords} ERP vendors + ${erpRecords} invoices (+ derived reference data), ${payrollRecords} payroll employees (CDC)`,
    );
    await run.prepare();

    // Stage 1: producers → raw. Done when every stream has finished one successful sync.
    const published = { total: 0 };
    const pending = new Map<Role, Set<string>>();
    const producersStarted = Date.now();
    let producersDone = 0;
    const allSynced = new Promise<void>((resolve) => {
      for (const source of ['hr', 'erp'] as const) {
        const env = { ...process.env, HR_INSTANCE: run.hrInstance, ERP_INSTANCE: run.erpInstance };
        pending.set(source, new Set(connectorFor(source, env).streams.map((stream) => stream.name)));
        run.start(source, (line) => {
          let parsed: SyncLine;
          try {
            parsed = JSON.parse(line) as SyncLine;
          } catch {
            return;
          }
          if (parsed.event !== 'report') return;
          published.total += parsed.published ?? 0;
          if (parsed.outcome === 'success' && parsed.stream) pending.get(source)?.delete(parsed.stream);
          if ([...pending.values()].every((streams) => streams.size === 0) && producersDone === 0) {
            producersDone = Date.now();
            resolve();
          }
        });
      }
    });
    // The CDC producer snapshots the payroll database, then streams: its slot is held from then on.
    run.start('cdc');
    const snapshotted = cdcStreamingSince(run);
    const cdcDone = await Promise.race([
      allSynced.then(() => snapshotted),
      sleep(timeout).then(() => {
        throw new Error('producers did not finish');
      }),
    ]);
    const producerSeconds = (Math.max(producersDone, cdcDone) - producersStarted) / 1000;

    const stage = async (role: Role, lagName: 'map' | 'merge' | 'sink'): Promise<number> => {
      const started = Date.now();
      run.start(role);
      const done = await waitForStage(run, lagName, { timeoutMs: timeout });
      const seconds = (done - started) / 1000;
      write(`  ${role}: drained in ${seconds.toFixed(1)} s`);
      return seconds;
    };
    const mapSeconds = await stage('map', 'map');
    const mergeSeconds = await stage('merge', 'merge');
    const sinkSeconds = await stage('sink', 'sink');

    // Counts (not timed): inputs of each stage and the resulting rows.
    const countTopics = async (topics: readonly string[]): Promise<{ records: number; bytes: number }> => {
      let records = 0;
      let bytes = 0;
      for (const topic of topics)
        await readTopicToEnd({
          kafka: run.kafka,
          topic,
          timeoutMs: 300_000,
          onMessage: (message) => {
            records++;
            bytes += (message.key?.length ?? 0) + (message.value?.length ?? 0);
          },
        });
      return { records, bytes };
    };
    const raw = await countTopics(run.rawTopics);
    const payrollRaw = await countTopics(run.rawTopics.filter((topic) => topic.startsWith('raw.payroll.')));
    const rawRecords = published.total + payrollRaw.records;
    write(
      `  producers → raw: ${rawRecords} records (${payrollRaw.records} from CDC) in ${producerSeconds.toFixed(1)} s`,
    );
    const fragments = await countTopics(entityCatalog.map((contract) => fragmentsTopic(contract.entity)));
    const canonical = await countTopics(entityCatalog.map((contract) => contract.topic));
    const client = new pg.Client({ connectionString: run.databaseUrl });
    await client.connect();
    let rows = 0;
    for (const spec of entityTables) {
      const result = await client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${pg.escapeIdentifier(spec.table)} WHERE deleted_at IS NULL`,
      );
      rows += Number(result.rows[0]?.n ?? 0);
    }
    const pgVersion =
      (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';

    // Latency: every role running, HR worker updates at a steady rate; then at a low rate the
    // pipeline keeps up with easily, which shows the floor (poll interval + stage hops).
    interface LatencyResult {
      target: number;
      achieved: number;
      seconds: number;
      measured: number;
      unchanged: number;
      row: number[];
      canonical: number[];
    }
    const measureLatency = async (target: number, seconds: number): Promise<LatencyResult> => {
      write(`  latency: ${target} changes/s for ${seconds} s (poll interval ${pollMs} ms)`);
      const changedAt = new Map<string, number>();
      const perTick = Math.max(1, Math.round(target / 10));
      const loadStarted = Date.now();
      let changes = 0;
      let tick = 0;
      while (Date.now() - loadStarted < seconds * 1000) {
        const due = loadStarted + tick * 100;
        if (due > Date.now()) await sleep(due - Date.now());
        tick++;
        const before = Date.now();
        const response = (await run.simulatorPost('hr', '/_admin/mutate', {
          resource: 'workers',
          updates: perTick,
        })) as { changes: { id: string }[] };
        for (const change of response.changes) changedAt.set(change.id, before);
        changes += response.changes.length;
      }
      const achieved = changes / ((Date.now() - loadStarted) / 1000);
      await sleep(pollMs * 2 + 2_000);
      await waitForStage(run, 'map', { timeoutMs: timeout });
      await waitForStage(run, 'merge', { timeoutMs: timeout });
      await waitForStage(run, 'sink', { timeoutMs: timeout });
      const { rows: stamped } = await client.query<{ n: string; row: Date; canonical: Date | null }>(
        'SELECT employee_number AS n, updated_at AS row, canonical_updated_at AS canonical FROM employee WHERE employee_number = ANY($1)',
        [[...changedAt.keys()]],
      );
      const result: LatencyResult = {
        target,
        achieved,
        seconds,
        measured: 0,
        unchanged: 0,
        row: [],
        canonical: [],
      };
      for (const row of stamped) {
        const at = changedAt.get(row.n);
        if (at === undefined) continue;
        // An update that touches no mapped field yields no new canonical version (nothing to measure).
        if (row.row.getTime() < at) {
          result.unchanged++;
          continue;
        }
        result.row.push(row.row.getTime() - at);
        if (row.canonical) result.canonical.push(row.canonical.getTime() - at);
      }
      result.row.sort((a, b) => a - b);
      result.canonical.sort((a, b) => a - b);
      result.measured = result.row.length;
      return result;
    };
    const latencyRuns = [await measureLatency(rate, latencySeconds), await measureLatency(floorRate, 15)];
    await client.end();
    const rss = run.peakRssMb();
    const anon = run.peakAnonRssMb();
    const memory = (role: string): string => `${rss[role]} MB (anon ${anon[role]} MB)`;

    // Replay of the whole raw log (what an operator does after a mapping fix): stop the map stage,
    // reset its group to the earliest offsets and run it with the merge stage until both drained.
    // The merge group keeps its offsets: its state says which raw record each source record was
    // last merged from, so the re-sent fragments are recognised as older. The mapping versions are
    // unchanged, so no canonical record may be written.
    write('  replay: map from the earliest offsets, merge following');
    const canonicalTopics = entityCatalog.map((contract) => contract.topic);
    const canonicalEndBefore = await run.endOffsets(canonicalTopics);
    await run.stop('map', 'SIGTERM');
    const replayInput = await countTopics(run.rawTopics);
    const replayAdmin = run.kafka.admin();
    await replayAdmin.connect();
    await replay({ admin: replayAdmin }, { groupId: run.groups.map, target: { kind: 'earliest' } });
    await replayAdmin.disconnect();
    const replayStarted = Date.now();
    run.start('map');
    await waitForStage(run, 'map', { timeoutMs: timeout });
    const replayDone = await waitForStage(run, 'merge', { timeoutMs: timeout });
    const replaySeconds = (replayDone - replayStarted) / 1000;
    const newCanonical = (await run.endOffsets(canonicalTopics)) - canonicalEndBefore;
    write(
      `  replay: ${replayInput.records} raw records in ${replaySeconds.toFixed(1)} s, ${newCanonical} new canonical offsets`,
    );

    // Reference: Kafka's own producer at our average raw record size.
    const recordSize = Math.max(1, Math.round(raw.bytes / Math.max(1, raw.records)));
    const perf = await kafkaProducerPerf({
      admin: run.kafka.admin(),
      brokers: loadConfig(process.env).KAFKA_BROKERS.join(','),
      topic: `bench.perf-${run.runId}`,
      partitions: 3,
      records: raw.records,
      recordSize,
    }).catch(async (error: unknown) => {
      write(`  kafka producer perf failed: ${String(error)}`);
      return undefined;
    });

    const totalSeconds = producerSeconds + mapSeconds + mergeSeconds + sinkSeconds;
    const rate1 = (n: number, s: number): string => Math.round(n / s).toLocaleString('en-US');
    const table = [
      '| stage | input records | seconds | records/s | peak RSS (anonymous) |',
      '|---|---:|---:|---:|---:|',
      `| producers → raw (HTTP sources and payroll CDC snapshot, transactional) | ${rawRecords.toLocaleString('en-US')} | ${producerSeconds.toFixed(1)} | ${rate1(rawRecords, producerSeconds)} | HR ${memory('hr')}, ERP ${memory('erp')}, CDC ${memory('cdc')} |`,
      `| map (raw → fragments) | ${raw.records.toLocaleString('en-US')} | ${mapSeconds.toFixed(1)} | ${rate1(raw.records, mapSeconds)} | ${memory('map')} |`,
      `| merge (fragments → canonical, registry encoding) | ${fragments.records.toLocaleString('en-US')} | ${mergeSeconds.toFixed(1)} | ${rate1(fragments.records, mergeSeconds)} | ${memory('merge')} |`,
      `| sink (canonical → PostgreSQL) | ${canonical.records.toLocaleString('en-US')} | ${sinkSeconds.toFixed(1)} | ${rate1(canonical.records, sinkSeconds)} | ${memory('sink')} |`,
      `| **end to end** (stages in sequence; ${rows.toLocaleString('en-US')} live rows) | ${raw.records.toLocaleString('en-US')} | ${totalSeconds.toFixed(1)} | ${rate1(rows, totalSeconds)} entities/s | |`,
      `| slowest stage (bound of a pipelined steady state) | | | ${rate1(rows, Math.max(producerSeconds, mapSeconds, mergeSeconds, sinkSeconds))} entities/s | |`,
    ];
    const latencyLines = latencyRuns.map(
      (result) =>
        `- End-to-end latency at ${Math.round(result.achieved)} HR changes/s (target ${result.target}) for ${result.seconds} s, poll interval ${pollMs} ms: ` +
        `source change → committed PostgreSQL row p50 **${percentile(result.row, 50)} ms**, p99 **${percentile(result.row, 99)} ms** ` +
        `(${result.measured} changed rows measured; ${result.unchanged} updates touched no mapped field); ` +
        `source change → canonical record p50 ${percentile(result.canonical, 50)} ms, p99 ${percentile(result.canonical, 99)} ms.`,
    );

    const replayLine =
      `- Replay of the raw log (map group reset to the earliest offsets, merge following, both running; same mapping versions): ` +
      `${replayInput.records.toLocaleString('en-US')} raw records in ${replaySeconds.toFixed(1)} s = **${rate1(replayInput.records, replaySeconds)} records/s**; ` +
      `new canonical records written: ${newCanonical} (a replay with unchanged mappings must write none).`;

    const perfLines = perf
      ? [
          `Reference — Kafka's own producer (\`ProducerPerformance\`, acks=all, idempotent) on the same broker, ${perf.records.toLocaleString('en-US')} records of ${recordSize} bytes (our average raw record): ` +
            `**${Math.round(perf.recordsPerSecond).toLocaleString('en-US')} records/s** (${perf.mbPerSecond} MB/s); ` +
            `our producing stage reaches **${((rawRecords / producerSeconds / perf.recordsPerSecond) * 100).toFixed(1)} %** of it ` +
            '(it also pages two HTTP sources, hashes and dedupes every record and commits a transaction per page).',
        ]
      : ['Kafka producer reference: not measured (see the log).'];
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, Kafka ${pinnedKafkaVersion()} (one local broker), PostgreSQL ${pgVersion}; every role, the simulators, Kafka, the registry and PostgreSQL on the same machine`;
    const markdown = [
      `Run ${new Date().toISOString().slice(0, 10)}: \`node --import tsx bench/e2e/e2eBench.ts --entities ${entities}\` — ${machine}.`,
      '',
      ...table,
      '',
      ...latencyLines,
      replayLine,
      '',
      ...perfLines,
    ];
    write('');
    for (const line of markdown) write(line);
    if (values.profile) {
      // V8 writes a CPU profile when the process exits normally: stop the roles with SIGTERM.
      for (const role of ['hr', 'erp', 'cdc', 'map', 'merge', 'sink'] as const)
        await run.stop(role, 'SIGTERM');
      write('');
      write('CPU profile, top self time per role:');
      for (const line of summarizeProfiles(values.profile)) write(line);
    }
    if (!values['no-readme']) {
      const file = join(projectRoot, 'bench', 'README.md');
      const start = '<!-- e2e-results:start -->';
      const end = '<!-- e2e-results:end -->';
      const text = readFileSync(file, 'utf8');
      const from = text.indexOf(start);
      const to = text.indexOf(end);
      if (from >= 0 && to > from) {
        writeFileSync(
          file,
          `${text.slice(0, from + start.length)}\n${markdown.join('\n')}\n${text.slice(to)}`,
        );
        write(`\nwritten to ${file}`);
      }
    }
  } finally {
    await run.close({ keepDatabases: values.keep });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `e2e bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
