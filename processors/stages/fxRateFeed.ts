import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../../platform/logger.js';
import { readTopicToEnd } from '../../platform/topicReader.js';
import { erpFxRateFields } from '../mappings/erpFxRates.js';
import { FxRateTable } from '../normalize/fx.js';
import { parseRawEnvelope } from './mapStage.js';

/**
 * Every exchange rate of the raw FX stream, in every map-stage instance (a "global table": each
 * instance reads all partitions, outside the consumer group). Read to the end before the stage
 * processes anything, then kept current by a tailing consumer.
 */
export class FxRateFeed {
  readonly table = new FxRateTable();
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly log: Logger,
  ) {}

  private apply(value: Buffer | null): void {
    if (value === null) return;
    try {
      const envelope = parseRawEnvelope(value);
      if (envelope.operation !== 'upsert') return;
      const fx = erpFxRateFields(envelope.payload);
      this.table.add({ base: fx.base, quote: fx.quote, rate: fx.rate, date: fx.date, source: 'erp' });
    } catch (error) {
      this.log.warn(
        { err: error, topic: this.topic },
        'unreadable exchange rate skipped (the map stage dead-letters it)',
      );
    }
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const exists = (await admin.listTopics()).includes(this.topic);
    await admin.disconnect();
    if (!exists) {
      this.log.warn({ topic: this.topic }, 'no FX topic: conversions will wait for rates');
      return;
    }
    await readTopicToEnd({
      kafka: this.kafka,
      topic: this.topic,
      onMessage: (message) => this.apply(message.value),
    });
    // Tail from the beginning so nothing written since the read above is missed; re-adding a
    // loaded rate is harmless (same pair, date and value).
    const consumer = this.kafka.consumer({
      groupId: `tributary-fx-feed-${randomUUID()}`,
      readUncommitted: false,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({ autoCommit: false, eachMessage: async ({ message }) => this.apply(message.value) });
    this.log.info({ rates: this.table.size }, 'FX rates loaded');
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
