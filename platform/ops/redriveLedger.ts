import type { Admin, Kafka } from 'kafkajs';
import { z } from 'zod/v4';
import { TributaryError } from '../errors.js';
import { readTopicToEnd } from '../topicReader.js';
import { topicSpec } from '../topics.js';

/**
 * What has been redriven, per DLQ partition, in the compacted `_tributary.dlq-redrives` topic
 * (key `<dlqTopic>/<partition>`). It is written in the same Kafka transaction as the redriven
 * records, so a DLQ offset is redriven at most once even across crashes and concurrent runs.
 * Ranges rather than one high mark: redriving by error code leaves lower offsets that may be
 * redriven later.
 */
export const redriveLedgerTopic = '_tributary.dlq-redrives';

/** Inclusive offset ranges `[from, to]`, sorted, non-overlapping, non-adjacent. */
export type OffsetRanges = readonly (readonly [bigint, bigint])[];

const offsetText = z.string().regex(/^\d+$/);

const ledgerValueSchema = z.object({
  version: z.literal(1),
  redriven: z.array(z.tuple([offsetText, offsetText])),
  /** Highest DLQ offset ever redriven from this partition (for status displays). */
  highestRedriven: offsetText.nullable(),
  /** Records redriven by the last run and when it committed. */
  lastRun: z.object({ id: z.string(), records: z.number().int().min(0), at: z.iso.datetime() }),
});

export type LedgerValue = z.output<typeof ledgerValueSchema>;

export function ledgerKey(dlqTopic: string, partition: number): string {
  return `${dlqTopic}/${partition}`;
}

/** Adds offsets to a range set, merging overlapping and adjacent ranges. */
export function addOffsets(ranges: OffsetRanges, offsets: Iterable<bigint>): [bigint, bigint][] {
  const all: [bigint, bigint][] = [...ranges.map(([from, to]) => [from, to] as [bigint, bigint])];
  for (const offset of offsets) all.push([offset, offset]);
  all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const merged: [bigint, bigint][] = [];
  for (const [from, to] of all) {
    const last = merged.at(-1);
    if (last && from <= last[1] + 1n) {
      // bigint: Math.max does not apply.
      if (to > last[1]) last[1] = to;
    } else merged.push([from, to]);
  }
  return merged;
}

export function containsOffset(ranges: OffsetRanges, offset: bigint): boolean {
  return ranges.some(([from, to]) => offset >= from && offset <= to);
}

export function encodeLedgerValue(
  ranges: OffsetRanges,
  lastRun: { id: string; records: number; at: Date },
): Buffer {
  const value: LedgerValue = {
    version: 1,
    redriven: ranges.map(([from, to]) => [from.toString(), to.toString()]),
    highestRedriven: ranges.at(-1)?.[1].toString() ?? null,
    lastRun: { id: lastRun.id, records: lastRun.records, at: lastRun.at.toISOString() },
  };
  return Buffer.from(JSON.stringify(value));
}

export function decodeLedgerValue(key: string, value: Buffer): { ranges: OffsetRanges; value: LedgerValue } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new TributaryError('VALIDATION_FAILED', `redrive ledger ${key}: not JSON`, { cause: error });
  }
  const result = ledgerValueSchema.safeParse(parsed);
  if (!result.success)
    throw new TributaryError(
      'VALIDATION_FAILED',
      `redrive ledger ${key}: ${result.error.issues[0]?.message}`,
    );
  return {
    ranges: result.data.redriven.map(([from, to]) => [BigInt(from), BigInt(to)] as const),
    value: result.data,
  };
}

/** Creates the ledger topic when missing (brokers never auto-create topics). */
export async function ensureLedgerTopic(admin: Admin): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(redriveLedgerTopic)) return;
  const spec = topicSpec(redriveLedgerTopic, { partitions: 1 });
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic: spec.name,
        numPartitions: spec.partitions,
        configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
      },
    ],
  });
}

/** The committed ledger of one DLQ topic, per DLQ partition. */
export async function loadLedger(kafka: Kafka, dlqTopic: string): Promise<Map<number, OffsetRanges>> {
  const ledger = new Map<number, OffsetRanges>();
  const prefix = `${dlqTopic}/`;
  await readTopicToEnd({
    kafka,
    topic: redriveLedgerTopic,
    onMessage: (message) => {
      const key = message.key?.toString('utf8');
      if (key === undefined || !key.startsWith(prefix)) return;
      const partition = Number(key.slice(prefix.length));
      if (!Number.isInteger(partition)) return;
      if (message.value === null) ledger.delete(partition);
      else ledger.set(partition, decodeLedgerValue(key, message.value).ranges);
    },
  });
  return ledger;
}
