import type { Kafka } from 'kafkajs';
import { readTopicToEnd } from '../topicReader.js';
import { type DlqEntry, parseDlqEntry } from './dlqEntry.js';
import { readOffsetRanges } from './partitionRangeReader.js';

/** Every entry of a DLQ topic, up to the high watermark at the start of the read. */
export async function readDlq(kafka: Kafka, dlqTopic: string): Promise<DlqEntry[]> {
  const entries: DlqEntry[] = [];
  await readTopicToEnd({
    kafka,
    topic: dlqTopic,
    onMessage: (message, partition) => {
      entries.push(parseDlqEntry({ topic: dlqTopic, partition, ...message }));
    },
  });
  return entries.sort((a, b) =>
    a.dlqPartition !== b.dlqPartition
      ? a.dlqPartition - b.dlqPartition
      : a.dlqOffset < b.dlqOffset
        ? -1
        : a.dlqOffset > b.dlqOffset
          ? 1
          : 0,
  );
}

/** One DLQ entry, read by seeking to it; undefined when the offset holds no record. */
export async function readDlqEntry(
  kafka: Kafka,
  dlqTopic: string,
  partition: number,
  offset: bigint,
): Promise<DlqEntry | undefined> {
  let found: DlqEntry | undefined;
  await readOffsetRanges({
    kafka,
    topic: dlqTopic,
    ranges: new Map([[partition, { from: offset, to: offset + 1n }]]),
    timeoutMs: 30_000,
    onMessage: (message) => {
      if (BigInt(message.offset) === offset)
        found = parseDlqEntry({ topic: dlqTopic, partition, ...message });
    },
  });
  return found;
}
