import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { sourceStateTopic } from '../../platform/declaredTopics.js';
import type { Logger } from '../../platform/logger.js';
import type { Clock } from '../connector/clock.js';
import type { ConnectorDefinition } from '../connector/connectorDefinition.js';
import { createSourcePlumbing, type SourcePlumbing } from '../connector/createSourcePlumbing.js';
import type { SecretSources } from '../connector/secrets.js';
import { PollingStream, rawTopicOf, SharedDedupeIndex, type SyncReport } from './pollingStream.js';

export interface PollingProducerOptions {
  kafka: Kafka;
  definition: ConnectorDefinition;
  log: Logger;
  metrics: Registry;
  clock?: Clock;
  stateTopic?: string;
  /** Only these streams (default: all). */
  streams?: readonly string[];
  /** Where secret references are resolved. @default process.env and the file system */
  secrets?: SecretSources;
}

/**
 * A source's streams, each on its own schedule. Streams sync concurrently (the source's rate
 * limiter and concurrency cap bound the load on the source); each stream has at most one page in
 * flight, so memory stays bounded however far behind it is, and a slow Kafka slows the stream.
 */
export class PollingProducer {
  private plumbing: SourcePlumbing | undefined;
  private readonly streams: PollingStream[] = [];
  /**
   * Streams writing the same raw topic (an entity stream, then its delete feeds) sync one after
   * the other in one loop: a delete fetched after the entity page that still held the record is
   * published after that record, so the raw log never ends with a stale upsert.
   */
  private groups: PollingStream[][] = [];
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(private readonly options: PollingProducerOptions) {}

  async open(): Promise<void> {
    const { definition } = this.options;
    this.plumbing = await createSourcePlumbing(definition, {
      registry: this.options.metrics,
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      ...(this.options.secrets ? { secrets: this.options.secrets } : {}),
    });
    const wanted = this.options.streams;
    const indexes = new Map<string, SharedDedupeIndex>();
    const groups = new Map<string, PollingStream[]>();
    const ordered = [...definition.streams].sort(
      (a, b) => Number(a.deleteSignal?.type === 'feed') - Number(b.deleteSignal?.type === 'feed'),
    );
    for (const stream of ordered) {
      if (wanted && !wanted.includes(stream.name)) continue;
      const topic = rawTopicOf(definition, stream);
      const index = indexes.get(topic) ?? new SharedDedupeIndex();
      indexes.set(topic, index);
      const polling = new PollingStream({
        index,
        kafka: this.options.kafka,
        definition,
        stream,
        plumbing: this.plumbing,
        stateTopic: this.options.stateTopic ?? sourceStateTopic,
        log: this.options.log,
        metrics: this.options.metrics,
      });
      await polling.open();
      this.streams.push(polling);
      groups.set(topic, [...(groups.get(topic) ?? []), polling]);
    }
    this.groups = [...groups.values()];
  }

  private async syncGroup(
    group: readonly PollingStream[],
    options: { full?: boolean },
  ): Promise<SyncReport[]> {
    const reports: SyncReport[] = [];
    for (const stream of group) reports.push(await stream.sync({ ...options, signal: this.abort.signal }));
    return reports;
  }

  /** Syncs every stream once (streams concurrently) and returns their reports. */
  async syncOnce(options: { full?: boolean } = {}): Promise<SyncReport[]> {
    return (await Promise.all(this.groups.map((group) => this.syncGroup(group, options)))).flat();
  }

  /** Runs each stream on its schedule until stop(). */
  start(onReport?: (report: SyncReport) => void): void {
    const { definition } = this.options;
    this.loops = this.groups.map(async (group) => {
      const first = definition.streams.find((candidate) => candidate.name === group[0]?.streamName);
      const interval = first?.schedule.intervalMs ?? 300_000;
      let failures = 0;
      while (!this.abort.signal.aborted) {
        const reports = await this.syncGroup(group, {});
        for (const report of reports) onReport?.(report);
        // A failed sync retries sooner, backing off, never in a hot loop.
        failures = reports.some((report) => report.outcome === 'failed') ? failures + 1 : 0;
        const wait = failures > 0 ? Math.min(interval, 1_000 * 2 ** Math.min(failures, 6)) : interval;
        await sleep(wait, this.abort.signal);
      }
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
    for (const stream of this.streams) await stream.close().catch(() => undefined);
    this.plumbing?.close();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
