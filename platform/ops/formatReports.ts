import { printTable } from '../cli/output.js';
import type { DlqEntry } from './dlqEntry.js';
import type { RedriveResult } from './dlqRedrive.js';
import type { OffsetRanges } from './redriveLedger.js';
import { containsOffset } from './redriveLedger.js';
import type { ReplayResult } from './replay.js';
import { planTotals } from './replayPlan.js';
import type { StatusReport } from './status.js';

type Write = (text: string) => void;

/** JSON with bigint offsets as decimal strings and buffers as text where printable. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => {
      if (typeof item === 'bigint') return item.toString();
      if (item && typeof item === 'object' && 'type' in item && item.type === 'Buffer' && 'data' in item) {
        return printable(Buffer.from(item.data as number[]));
      }
      return item;
    },
    2,
  );
}

/** UTF-8 text when the bytes are valid printable UTF-8, otherwise `base64:<…>`. */
export function printable(bytes: Buffer | null): string | null {
  if (bytes === null) return null;
  const text = bytes.toString('utf8');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting binary payloads is the point
  if (Buffer.from(text, 'utf8').equals(bytes) && !/[\u0000-\u0008\u000e-\u001f]/.test(text)) return text;
  return `base64:${bytes.toString('base64')}`;
}

export function formatReplay(result: ReplayResult, write: Write): void {
  const sink = result.mode === 'sink';
  printTable(
    sink
      ? ['topic', 'partition', 'stored', 'kafka-committed', 'target', 'replay', 'skip']
      : ['topic', 'partition', 'committed', 'target', 'replay', 'skip'],
    result.rows.map((row) => [
      row.topic,
      String(row.partition),
      row.current?.toString() ?? '-',
      ...(sink ? [row.kafkaCommitted?.toString() ?? '-'] : []),
      row.target.toString(),
      row.replayOffsets.toString(),
      row.skipOffsets.toString(),
    ]),
    write,
  );
  const totals = planTotals(result.rows);
  const where = sink
    ? `sink group ${result.groupId} (offsets stored in PostgreSQL under ${result.storedGroupId})`
    : `group ${result.groupId} (Kafka committed offsets)`;
  const verb = result.dryRun ? 'would re-read' : 're-reads';
  write(
    `${result.dryRun ? 'dry run: ' : ''}${where}: ${verb} ${totals.replayOffsets} offsets` +
      `${totals.skipOffsets > 0n ? `, skips ${totals.skipOffsets}` : ''} across ${result.rows.length} partitions` +
      `${result.dryRun ? '; nothing changed' : '; offsets moved'}\n`,
  );
  if (result.dryRun && result.activeMembers > 0)
    write(
      `warning: the group has ${result.activeMembers} active member(s); the real replay will refuse until it is stopped\n`,
    );
  write('(offsets on compacted topics: "replay" counts offsets, an upper bound of the records re-read)\n');
}

function truncate(text: string | null, length: number): string {
  if (text === null) return '-';
  const line = text.split('\n')[0] ?? '';
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

export function formatDlqList(
  entries: readonly DlqEntry[],
  ledgers: ReadonlyMap<string, ReadonlyMap<number, OffsetRanges>>,
  write: Write,
): void {
  printTable(
    ['dlq', 'entry', 'stage', 'code', 'origin', 'attempts', 'failed-at', 'redriven', 'error'],
    entries.map((entry) => [
      entry.dlqTopic,
      `${entry.dlqPartition}:${entry.dlqOffset}`,
      entry.stage ?? '-',
      entry.errorCode ?? '-',
      entry.originTopic === null
        ? '-'
        : `${entry.originTopic}/${entry.originPartition}/${entry.originOffset}`,
      String(entry.attempts),
      entry.failedAt ?? new Date(entry.timestamp).toISOString(),
      containsOffset(ledgers.get(entry.dlqTopic)?.get(entry.dlqPartition) ?? [], entry.dlqOffset)
        ? 'yes'
        : 'no',
      truncate(entry.error, 70),
    ]),
    write,
  );
  write(`${entries.length} entries\n`);
}

export function dlqEntryView(entry: DlqEntry, redriven: boolean) {
  return {
    dlq: `${entry.dlqTopic}/${entry.dlqPartition}/${entry.dlqOffset}`,
    redriven,
    stage: entry.stage,
    errorCode: entry.errorCode,
    sqlstate: entry.sqlstate,
    error: entry.error,
    origin:
      entry.originTopic === null
        ? null
        : {
            topic: entry.originTopic,
            partition: entry.originPartition,
            offset: entry.originOffset?.toString(),
          },
    attempts: entry.attempts,
    failedAt: entry.failedAt ?? new Date(entry.timestamp).toISOString(),
    headerDialect: entry.dialect,
    key: printable(entry.key),
    headers: Object.fromEntries(
      Object.entries(entry.headers).map(([name, value]) => [name, printable(value)]),
    ),
    value: printable(entry.value),
  };
}

export function formatDlqShow(entry: DlqEntry, redriven: boolean, write: Write): void {
  const view = dlqEntryView(entry, redriven);
  write(`entry      ${view.dlq}${redriven ? '  (already redriven)' : ''}\n`);
  write(`stage      ${view.stage ?? '-'}\n`);
  write(
    `error      ${view.errorCode ?? '-'}${view.sqlstate ? ` (SQLSTATE ${view.sqlstate})` : ''}: ${view.error ?? '-'}\n`,
  );
  write(
    `origin     ${view.origin ? `${view.origin.topic}/${view.origin.partition}/${view.origin.offset}` : '-'}\n`,
  );
  write(`attempts   ${view.attempts}\n`);
  write(`failed at  ${view.failedAt}\n`);
  write(`key        ${view.key ?? '(none)'}\n`);
  write('headers\n');
  for (const [name, value] of Object.entries(view.headers)) write(`  ${name}: ${truncate(value, 200)}\n`);
  write(`value\n${view.value ?? '(tombstone)'}\n`);
}

export function formatRedrive(dlqTopic: string, result: RedriveResult, write: Write): void {
  printTable(
    ['entry', 'origin', 'code', 'attempts', 'action'],
    result.decisions.map(({ entry, action }) => [
      `${entry.dlqPartition}:${entry.dlqOffset}`,
      entry.originTopic === null
        ? '-'
        : `${entry.originTopic}/${entry.originPartition}/${entry.originOffset}`,
      entry.errorCode ?? '-',
      String(entry.attempts),
      action === 'redrive' ? (result.dryRun ? 'would redrive' : 'redriven') : `skipped: ${action}`,
    ]),
    write,
  );
  const wanted = result.decisions.filter((decision) => decision.action === 'redrive').length;
  write(
    result.dryRun
      ? `dry run: ${wanted} of ${result.decisions.length} selected entries of ${dlqTopic} would be redriven; nothing changed\n`
      : `redriven ${result.redriven} of ${result.decisions.length} selected entries of ${dlqTopic} (run ${result.runId}, recorded in _tributary.dlq-redrives)\n`,
  );
}

function age(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)}h`;
  return `${(seconds / 86_400).toFixed(1)}d`;
}

export function formatStatus(report: StatusReport, write: Write): void {
  write(`status at ${report.generatedAt}\n\nconsumer groups\n`);
  printTable(
    ['group', 'kind', 'state', 'members', 'topic', 'partition', 'committed', 'stored', 'high', 'lag'],
    report.groups.flatMap((group) =>
      group.partitions.length === 0
        ? [[group.groupId, group.kind, group.state, String(group.members), '-', '-', '-', '-', '-', '-']]
        : group.partitions.map((p) => [
            group.groupId,
            group.kind,
            group.state,
            String(group.members),
            p.topic,
            String(p.partition),
            p.committed ?? '-',
            p.stored ?? '-',
            p.high,
            p.lag,
          ]),
    ),
    write,
  );
  for (const group of report.groups) write(`  ${group.groupId}: total lag ${group.totalLag}\n`);
  write('\nsource streams\n');
  printTable(
    ['stream', 'position', 'freshness', 'last sync', 'updated at'],
    report.sources.map((source) => [
      source.key,
      source.cursorTime !== null
        ? `cursor ${source.cursorTime}`
        : typeof source.position['lsn'] === 'string'
          ? `lsn ${source.position['lsn']}${typeof source.position['phase'] === 'string' ? ` (${source.position['phase']})` : ''}`
          : (source.problem ??
            (Object.keys(source.position).length > 0 ? JSON.stringify(source.position) : '-')),
      age(source.freshnessSeconds),
      source.lastSyncId,
      source.updatedAt,
    ]),
    write,
  );
  if (report.slots.length > 0) {
    write('\nreplication slots (CDC)\n');
    printTable(
      ['source', 'slot', 'database', 'plugin', 'active', 'lag bytes', 'retained WAL bytes'],
      report.slots.map((slot) => [
        slot.sourceKey ?? '-',
        slot.slotName,
        slot.database,
        slot.plugin ?? '-',
        String(slot.active),
        slot.lagBytes ?? '-',
        slot.retainedBytes ?? '-',
      ]),
      write,
    );
  }
  for (const scrape of report.metrics) {
    write(`\nmetrics from ${scrape.url}${scrape.error ? `: ${scrape.error}` : ''}\n`);
    for (const sample of scrape.samples) {
      const labels = Object.entries(sample.labels)
        .map(([name, value]) => `${name}=${value}`)
        .join(',');
      write(`  ${sample.name}${labels ? `{${labels}}` : ''} ${sample.value}\n`);
    }
  }
  if (report.notes.length > 0) {
    write('\nnotes\n');
    for (const note of report.notes) write(`  - ${note}\n`);
  }
}
