import type { Admin, Kafka } from 'kafkajs';
import { readTopicToEnd } from './topicReader.js';

/**
 * Committed records a consumer has not consumed yet, per topic, counted exactly. Offsets alone
 * overstate it: transactional writers leave commit/abort markers (several when many producers
 * write one partition), which a consumer never "consumes", so high watermark − committed offset
 * stays above zero on a drained partition. Only partitions with an offset gap are read.
 */
export async function unconsumedRecords(
  kafka: Kafka,
  topic: string,
  nextOffsets: ReadonlyMap<number, string>,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  let partitions: number[];
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    partitions = ends
      .filter((end) => {
        const next = nextOffsets.get(end.partition);
        const from = next === undefined || next === '-1' ? BigInt(end.low) : BigInt(next);
        return BigInt(end.high) > from;
      })
      .map((end) => end.partition);
  } finally {
    await admin.disconnect();
  }
  if (partitions.length === 0) return 0;
  const startOffsets = new Map([...nextOffsets.entries()].filter(([, offset]) => offset !== '-1'));
  const { messages } = await readTopicToEnd({
    kafka,
    topic,
    partitions,
    startOffsets,
    onMessage: () => undefined,
  });
  return messages;
}

/** Next offsets a Kafka consumer group will read, per partition ('-1' when none committed). */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, string>> {
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((committed[0]?.partitions ?? []).map((entry) => [entry.partition, entry.offset]));
}

/** Records a Kafka consumer group has still to consume, over the given topics. */
export async function groupBacklog(
  kafka: Kafka,
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<number> {
  let total = 0;
  for (const topic of topics)
    total += await unconsumedRecords(kafka, topic, await committedOffsets(admin, groupId, topic));
  return total;
}
