import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, Message } from 'kafkajs';
import type { Logger } from '../logger.js';
import { type DlqEntry, originalKey, redriveHeaders } from './dlqEntry.js';
import { readDlq } from './dlqReader.js';
import { type DlqSelector, decideRedrives, type RedriveDecision } from './dlqSelection.js';
import { readOffsetRanges } from './partitionRangeReader.js';
import {
  addOffsets,
  encodeLedgerValue,
  ensureLedgerTopic,
  ledgerKey,
  loadLedger,
  type OffsetRanges,
  redriveLedgerTopic,
} from './redriveLedger.js';

export interface RedriveOptions {
  kafka: Kafka;
  admin: Admin;
  log: Logger;
  dlqTopic: string;
  selector: DlqSelector;
  dryRun?: boolean;
  /** Redrive even when the original topic has a newer record for the key. @default false */
  includeSuperseded?: boolean;
  /** Records per Kafka transaction (each also updates the ledger). @default 500 */
  recordsPerTransaction?: number;
  now?: () => Date;
}

export interface RedriveResult {
  runId: string;
  dryRun: boolean;
  decisions: RedriveDecision[];
  redriven: number;
}

/** Key → highest offset per original partition, for the entries' origins after their offsets. */
async function laterKeys(kafka: Kafka, admin: Admin, entries: readonly DlqEntry[]) {
  const later = new Map<string, Map<string, bigint>>(); // `${topic}/${partition}` → key → max offset
  const byTopic = new Map<string, Map<number, bigint>>();
  for (const entry of entries) {
    if (entry.originTopic === null || entry.originPartition === null || entry.originOffset === null) continue;
    const partitions = byTopic.get(entry.originTopic) ?? new Map<number, bigint>();
    const start = entry.originOffset + 1n;
    const current = partitions.get(entry.originPartition);
    if (current === undefined || start < current) partitions.set(entry.originPartition, start);
    byTopic.set(entry.originTopic, partitions);
  }
  for (const [topic, starts] of byTopic) {
    const high = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    const ranges = new Map(
      [...starts].map(([partition, from]) => [partition, { from, to: high.get(partition) ?? from }]),
    );
    await readOffsetRanges({
      kafka,
      topic,
      ranges,
      onMessage: (message, partition) => {
        const id = `${topic}/${partition}`;
        const keys = later.get(id) ?? new Map<string, bigint>();
        keys.set(message.key?.toString('base64') ?? '', BigInt(message.offset));
        later.set(id, keys);
      },
    });
  }
  return (entry: DlqEntry): boolean => {
    const newest = later
      .get(`${entry.originTopic}/${entry.originPartition}`)
      ?.get(originalKey(entry)?.toString('base64') ?? '');
    return newest !== undefined && entry.originOffset !== null && newest > entry.originOffset;
  };
}

/**
 * Puts selected DLQ entries back on their original topic and partition, each chunk in one Kafka
 * transaction together with the updated redrive ledger. The transactional producer is started
 * (fencing any concurrent redrive of the same DLQ) before the ledger is read, so what it reads
 * is final: an entry is never redriven twice.
 */
export async function redriveDlq(options: RedriveOptions): Promise<RedriveResult> {
  const { kafka, admin, log, dlqTopic } = options;
  const runId = randomUUID();
  const now = options.now ?? (() => new Date());
  const dryRun = options.dryRun ?? false;
  if (!dryRun) await ensureLedgerTopic(admin);
  const producer = dryRun
    ? undefined
    : kafka.producer({
        transactionalId: `tributary-dlq-redrive.${dlqTopic}`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
  try {
    if (producer) {
      await producer.connect();
      const fence = await producer.transaction();
      await fence.abort();
    }
    const topics = await admin.listTopics();
    const ledger = topics.includes(redriveLedgerTopic)
      ? await loadLedger(kafka, dlqTopic)
      : new Map<number, OffsetRanges>();
    const entries = await readDlq(kafka, dlqTopic);
    let decisions = decideRedrives(entries, options.selector, ledger, () => false);
    if (!options.includeSuperseded) {
      // Only the candidates' original partitions are read, from just after each failed offset.
      const candidates = decisions.filter((d) => d.action === 'redrive').map((d) => d.entry);
      const superseded = await laterKeys(kafka, admin, candidates);
      decisions = decideRedrives(entries, options.selector, ledger, superseded);
    }
    const chosen = decisions.filter((decision) => decision.action === 'redrive').map((d) => d.entry);
    if (!producer || chosen.length === 0) return { runId, dryRun, decisions, redriven: 0 };

    const perTransaction = options.recordsPerTransaction ?? 500;
    const ranges = new Map(ledger);
    for (let start = 0; start < chosen.length; start += perTransaction) {
      const chunk = chosen.slice(start, start + perTransaction);
      const byTopic = new Map<string, Message[]>();
      const touched = new Map<number, bigint[]>();
      for (const entry of chunk) {
        const topic = entry.originTopic as string;
        const messages = byTopic.get(topic) ?? [];
        messages.push({
          key: originalKey(entry),
          value: entry.value,
          headers: redriveHeaders(entry),
          partition: entry.originPartition as number,
        });
        byTopic.set(topic, messages);
        touched.set(entry.dlqPartition, [...(touched.get(entry.dlqPartition) ?? []), entry.dlqOffset]);
      }
      const at = now();
      const ledgerMessages: Message[] = [];
      for (const [partition, offsets] of touched) {
        const merged = addOffsets(ranges.get(partition) ?? [], offsets);
        ranges.set(partition, merged);
        ledgerMessages.push({
          key: ledgerKey(dlqTopic, partition),
          value: encodeLedgerValue(merged, { id: runId, records: offsets.length, at }),
        });
      }
      const transaction = await producer.transaction();
      try {
        await transaction.sendBatch({
          topicMessages: [
            ...[...byTopic].map(([topic, messages]) => ({ topic, messages })),
            { topic: redriveLedgerTopic, messages: ledgerMessages },
          ],
        });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
      log.info(
        {
          runId,
          dlqTopic,
          records: chunk.length,
          entries: chunk.map((entry) => `${entry.dlqPartition}:${entry.dlqOffset}`),
        },
        'dlq entries redriven',
      );
    }
    return { runId, dryRun, decisions, redriven: chosen.length };
  } finally {
    await producer?.disconnect().catch(() => undefined);
  }
}
