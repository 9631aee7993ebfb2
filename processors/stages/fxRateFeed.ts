import type { Kafka } from 'kafkajs';
import type { Logger } from '../../platform/logger.js';
import { erpFxRateFields } from '../mappings/erpFxRates.js';
import { FxRateTable } from '../normalize/fx.js';
import { parseRawEnvelope } from './mapStage.js';
import { ReferenceFeed } from './referenceFeed.js';

/**
 * Every exchange rate of the raw FX stream, in every map-stage instance (a global table, see
 * ReferenceFeed): read to the end before the stage processes anything, then kept current.
 */
export class FxRateFeed {
  readonly table = new FxRateTable();
  private readonly feed: ReferenceFeed;

  constructor(kafka: Kafka, topic: string, log: Logger) {
    this.feed = new ReferenceFeed({
      kafka,
      topic,
      log,
      apply: (message) => {
        if (message.value === null) return;
        try {
          const envelope = parseRawEnvelope(message.value);
          if (envelope.operation !== 'upsert') return;
          const fx = erpFxRateFields(envelope.payload);
          this.table.add({ base: fx.base, quote: fx.quote, rate: fx.rate, date: fx.date, source: 'erp' });
        } catch (error) {
          log.warn({ err: error, topic }, 'unreadable exchange rate skipped (the map stage dead-letters it)');
        }
      },
    });
  }

  async start(): Promise<void> {
    await this.feed.start();
  }

  async stop(): Promise<void> {
    await this.feed.stop();
  }
}
