import type { Kafka } from 'kafkajs';
import type { Logger } from '../../platform/logger.js';
import { Crosswalk, type CrosswalkDefinition } from '../crosswalk.js';
import { parseRawEnvelope } from './mapStage.js';
import { ReferenceFeed } from './referenceFeed.js';

/**
 * The crosswalk links of every declared crosswalk, learned from their raw topics (global tables,
 * see ReferenceFeed). A lookup that misses catches the feeds up before it is believed.
 */
export class CrosswalkFeed {
  readonly crosswalk = new Crosswalk();
  private readonly feeds: ReferenceFeed[];

  constructor(kafka: Kafka, definitions: readonly CrosswalkDefinition[], log: Logger) {
    this.feeds = definitions.map(
      (definition) =>
        new ReferenceFeed({
          kafka,
          topic: definition.topic,
          log,
          apply: (message) => {
            if (message.value === null) return;
            try {
              this.crosswalk.learn(definition, parseRawEnvelope(message.value));
            } catch (error) {
              log.warn(
                { err: error, topic: definition.topic, offset: message.offset, crosswalk: definition.name },
                'unreadable crosswalk record skipped (the map stage dead-letters it)',
              );
            }
          },
        }),
    );
  }

  async start(): Promise<void> {
    await Promise.all(this.feeds.map((feed) => feed.start()));
  }

  /** Waits until every link committed so far is known. */
  async catchUp(): Promise<void> {
    await Promise.all(this.feeds.map((feed) => feed.catchUp()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.feeds.map((feed) => feed.stop()));
  }
}
