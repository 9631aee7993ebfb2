import type { Kafka } from 'kafkajs';
import { readTopicToEnd } from '../../platform/topicReader.js';
import type { RawEnvelope } from '../../schemas/rawEnvelope.js';

export interface RawTopicView {
  /** Latest live payload per natural key (tombstoned keys absent). */
  latest: Map<string, unknown>;
  tombstoned: Set<string>;
  /** How often each event id (content version) was published. */
  eventIdCounts: Map<string, number>;
  records: number;
}

/** Reads a raw topic (read_committed) into what a compacted consumer would end up with. */
export async function readRawTopic(kafka: Kafka, topic: string, keyPrefix = ''): Promise<RawTopicView> {
  const view: RawTopicView = {
    latest: new Map(),
    tombstoned: new Set(),
    eventIdCounts: new Map(),
    records: 0,
  };
  await readTopicToEnd({
    kafka,
    topic,
    onMessage: (message) => {
      view.records++;
      const key = message.key?.toString('utf8') ?? '';
      if (!key.startsWith(keyPrefix)) return;
      const naturalKey = key.split('/').slice(2).join('/');
      if (message.value === null) {
        view.latest.delete(naturalKey);
        view.tombstoned.add(naturalKey);
        return;
      }
      const envelope = JSON.parse(message.value.toString('utf8')) as RawEnvelope;
      view.eventIdCounts.set(envelope.eventId, (view.eventIdCounts.get(envelope.eventId) ?? 0) + 1);
      if (envelope.operation === 'delete') {
        view.latest.delete(naturalKey);
        return;
      }
      view.tombstoned.delete(naturalKey);
      view.latest.set(naturalKey, envelope.payload);
    },
  });
  return view;
}
