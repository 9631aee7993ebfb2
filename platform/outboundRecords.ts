import type { IHeaders, Message } from 'kafkajs';

/** A record to produce: raw, canonical, state or dead-letter. */
export interface OutboundRecord {
  topic: string;
  key: string;
  /** null publishes a tombstone. */
  value: Buffer | null;
  headers?: IHeaders;
  /** Explicit partition (e.g. partitioned by canonical id rather than by key). */
  partition?: number;
}

/** Groups records into kafkajs' sendBatch shape, keeping order within each topic. */
export function groupByTopic(records: readonly OutboundRecord[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const record of records) {
    const messages = byTopic.get(record.topic) ?? [];
    const message: Message = { key: record.key, value: record.value };
    if (record.headers) message.headers = record.headers;
    if (record.partition !== undefined) message.partition = record.partition;
    messages.push(message);
    byTopic.set(record.topic, messages);
  }
  return [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages }));
}
