import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Registry } from 'prom-client';
import { fragmentsTopic } from '../../platform/declaredTopics.js';
import { TributaryError } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { ensureCounter, ensureGauge } from '../../platform/metrics.js';
import type { OutboundRecord } from '../../platform/outboundRecords.js';
import { readTopicToEnd } from '../../platform/topicReader.js';
import type { EntityContract } from '../../schemas/entityContract.js';
import { canonicalIdOfFragmentKey, type Fragment } from '../fragment.js';
import { type MergePolicy, mergeFragments } from '../merge.js';
import type { InputRecord, ProcessingStage } from '../runtime/exactlyOnceProcessor.js';
import { rawPositionHeader } from './mapStage.js';
import { type EntityState, emptyEntityState, MergeStateStore } from './mergeStateStore.js';

/** Headers on canonical records: let state be rebuilt without decoding values. */
export const canonicalHeaders = {
  version: 'tributary.version',
  contentHash: 'tributary.content-hash',
} as const;

interface RawPosition {
  topic: string;
  partition: number;
  offset: bigint;
}

function parsePosition(text: string | undefined): RawPosition | undefined {
  if (!text) return undefined;
  const last = text.lastIndexOf(':');
  const middle = text.lastIndexOf(':', last - 1);
  if (middle < 0) return undefined;
  return {
    topic: text.slice(0, middle),
    partition: Number(text.slice(middle + 1, last)),
    offset: BigInt(text.slice(last + 1)),
  };
}

/** Raw position of a fragment record: in its body, or in a header for a tombstone. */
function positionOf(message: KafkaMessage, fragment: Fragment | null): string | undefined {
  if (fragment) return `${fragment.rawTopic}:${fragment.rawPartition}:${fragment.rawOffset}`;
  return message.headers?.[rawPositionHeader]?.toString();
}

/**
 * A replay re-sends older raw records of a source record; they must not roll the entity back.
 * Older = an earlier offset of the same raw partition (one source record always lives in one).
 */
function isOlder(candidate: string | undefined, known: string | undefined): boolean {
  const a = parsePosition(candidate);
  const b = parsePosition(known);
  if (!a || !b || a.topic !== b.topic || a.partition !== b.partition) return false;
  return a.offset < b.offset;
}

export interface CanonicalEncoder {
  encode(entity: string, record: unknown): Promise<Buffer>;
}

export interface MergeStageOptions {
  kafka: Kafka;
  contracts: readonly EntityContract[];
  policies: Readonly<Record<string, MergePolicy>>;
  encoder: CanonicalEncoder;
  log: Logger;
  metrics: Registry;
  /** Parent directory of the on-disk merge state (one fresh subdirectory per process). */
  stateDirectory: string;
  /** Entries staged while a partition is rebuilt before they are written to disk (bounds memory). @default 5000 */
  rebuildFlushEvery?: number;
  now?: () => Date;
}

/**
 * Stage 2: fragments → merged canonical records. Input partition p of
 * `_tributary.fragments.<entity>` holds every fragment of the canonical ids that live in
 * partition p of `canonical.<entity>`, so one owner merges them. Its state (current fragments,
 * last version and content hash per id) is rebuilt on assignment from those two partitions, read
 * committed, after fencing — so it survives crashes and rebalances. The state lives on local disk
 * (`MergeStateStore`, LMDB); the heap holds only the entries of the transaction in flight.
 */
export class MergeStage implements ProcessingStage {
  readonly name = 'merge';
  private readonly store: MergeStateStore;
  /** Partitions whose state is loaded in this generation. */
  private readonly loaded = new Set<string>();
  private readonly entitiesGauge;
  private readonly staleFragments;
  private readonly contractByTopic = new Map<string, EntityContract>();

  constructor(private readonly options: MergeStageOptions) {
    this.store = new MergeStateStore(options.stateDirectory);
    for (const contract of options.contracts)
      this.contractByTopic.set(fragmentsTopic(contract.entity), contract);
    this.staleFragments = ensureCounter(
      options.metrics,
      'tributary_merge_stale_fragments_total',
      'Fragments older than the one already merged for their source record (replays), ignored',
      ['entity'],
    );
    this.entitiesGauge = ensureGauge(
      options.metrics,
      'tributary_merge_state_entities',
      'Entities in the merge state of the assigned partitions (on disk)',
      ['entity'],
    );
  }

  get inputTopics(): string[] {
    return [...this.contractByTopic.keys()];
  }

  private contractOf(topic: string): EntityContract {
    const contract = this.contractByTopic.get(topic);
    if (!contract) throw new TributaryError('MAPPING_FAILED', `no entity contract for ${topic}`);
    return contract;
  }

  async loadPartition(
    topic: string,
    partition: number,
    committedOffset: string,
    keepAlive: () => Promise<void> = async () => undefined,
  ): Promise<void> {
    // Rebuilding a large partition takes longer than the group session: keep the membership alive
    // (a failed heartbeat means a rebalance; the next generation rebuilds anyway).
    const heartbeats = setInterval(() => void keepAlive().catch(() => undefined), 1_000);
    try {
      await this.rebuild(topic, partition, committedOffset);
    } finally {
      clearInterval(heartbeats);
    }
  }

  private async rebuild(topic: string, partition: number, committedOffset: string): Promise<void> {
    const contract = this.contractOf(topic);
    const started = Date.now();
    let fragmentRecords = 0;
    const partitionKey = `${topic}:${partition}`;
    this.loaded.delete(partitionKey);
    this.store.reset(partitionKey);
    const flushEvery = this.options.rebuildFlushEvery ?? 5_000;
    // The caller mutates the returned entry: flush before staging it, never between staging and
    // mutating (a flush there wrote the entry unchanged and dropped the mutation — found by the
    // e2e bench's replay: a few entities per 5,000 rebuilt forgot their last version).
    const entityState = (id: string): EntityState => {
      if (this.store.stagedCount(partitionKey) >= flushEvery) this.store.commit(partitionKey);
      const entry = this.store.get(partitionKey, id) ?? emptyEntityState();
      this.store.stage(partitionKey, id, entry);
      return entry;
    };
    // Fragments up to the committed input offset: exactly what the committed outputs reflect.
    if (committedOffset !== '-1') {
      await readTopicToEnd({
        kafka: this.options.kafka,
        topic,
        partitions: [partition],
        endOffsets: new Map([[partition, committedOffset]]),
        onMessage: (message) => {
          fragmentRecords++;
          const key = message.key?.toString('utf8') ?? '';
          const id = canonicalIdOfFragmentKey(key);
          const sourceKey = key.slice(id.length + 1);
          const text = message.value === null ? null : message.value.toString('utf8');
          const fragment = text === null ? null : (JSON.parse(text) as Fragment);
          const entry = entityState(id);
          const position = positionOf(message, fragment);
          if (isOlder(position, entry.positions[sourceKey])) return;
          if (position) entry.positions[sourceKey] = position;
          if (text !== null) entry.fragments[sourceKey] = text;
          else delete entry.fragments[sourceKey];
        },
      });
    }
    // Last committed version and content hash per id, from the canonical record headers.
    await readTopicToEnd({
      kafka: this.options.kafka,
      topic: contract.topic,
      partitions: [partition],
      onMessage: (message) => {
        const id = message.key?.toString('utf8') ?? '';
        const version = Number(message.headers?.[canonicalHeaders.version]?.toString() ?? '0');
        const entry = entityState(id);
        entry.version = Math.max(entry.version, version);
        entry.contentHash =
          message.value === null
            ? null
            : (message.headers?.[canonicalHeaders.contentHash]?.toString() ?? null);
      },
    });
    this.store.commit(partitionKey);
    this.loaded.add(partitionKey);
    this.entitiesGauge.set({ entity: contract.entity }, this.countEntities(contract));
    this.options.log.info(
      {
        topic,
        partition,
        entities: this.store.count(partitionKey),
        fragmentRecords,
        seconds: (Date.now() - started) / 1000,
      },
      'merge state rebuilt',
    );
  }

  private countEntities(contract: EntityContract): number {
    let total = 0;
    for (const key of this.loaded)
      if (key.startsWith(`${fragmentsTopic(contract.entity)}:`)) total += this.store.count(key);
    return total;
  }

  commitPartition(topic: string, partition: number): void {
    this.store.commit(`${topic}:${partition}`);
  }

  rollbackPartition(topic: string, partition: number): void {
    // Staged entries belong to outputs that were never committed: drop them, and rebuild the
    // partition on its next batch (the runtime re-fences and calls loadPartition).
    const partitionKey = `${topic}:${partition}`;
    this.store.rollback(partitionKey);
    this.loaded.delete(partitionKey);
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  async process(input: InputRecord): Promise<OutboundRecord[]> {
    const { topic, partition, message } = input;
    const contract = this.contractOf(topic);
    const partitionKey = `${topic}:${partition}`;
    if (!this.loaded.has(partitionKey))
      throw new TributaryError('INVALID_STATE', `merge state of ${topic}[${partition}] not loaded`, {
        retryable: false,
      });
    const key = message.key?.toString('utf8') ?? '';
    const id = canonicalIdOfFragmentKey(key);
    if (!id)
      throw new TributaryError(
        'VALIDATION_FAILED',
        `fragment key ${JSON.stringify(key.slice(0, 80))} has no canonical id`,
      );
    const sourceKey = key.slice(id.length + 1);
    const entry = this.store.get(partitionKey, id) ?? emptyEntityState();
    const incomingText = message.value === null ? null : message.value.toString('utf8');
    const incoming = incomingText === null ? null : (JSON.parse(incomingText) as Fragment);
    const position = positionOf(message, incoming);
    if (isOlder(position, entry.positions[sourceKey])) {
      this.staleFragments.inc({ entity: contract.entity });
      return [];
    }
    // The entry is this transaction's own copy (staged, or freshly decoded from disk): mutate it.
    this.store.stage(partitionKey, id, entry);
    if (position) entry.positions[sourceKey] = position;
    if (incomingText === null) delete entry.fragments[sourceKey];
    else entry.fragments[sourceKey] = incomingText;
    const fragments: Fragment[] = [];
    for (const [key, text] of Object.entries(entry.fragments))
      fragments.push(key === sourceKey && incoming ? incoming : (JSON.parse(text) as Fragment));

    const output: OutboundRecord[] = [];
    if (fragments.length === 0) {
      if (entry.contentHash !== null) {
        // Every source deleted it: tombstone the canonical record (the version stays, so a
        // re-creation continues the sequence).
        output.push({
          topic: contract.topic,
          key: id,
          value: null,
          partition,
          headers: { [canonicalHeaders.version]: String(entry.version + 1) },
        });
        entry.version += 1;
        entry.contentHash = null;
      }
      return output;
    }
    const policy = this.options.policies[contract.entity] ?? {
      fields: {},
      defaultRule: { strategy: 'most-recent' },
    };
    const merged = mergeFragments(fragments, policy);
    if (merged.contentHash !== entry.contentHash) {
      const version = entry.version + 1;
      const record = {
        id,
        entity: contract.entity,
        version,
        mappingVersions: merged.mappingVersions,
        updatedAt: (this.options.now?.() ?? new Date()).toISOString(),
        data: merged.data,
        provenance: merged.provenance,
      };
      const value = await this.options.encoder.encode(contract.entity, record);
      const headers: IHeaders = {
        [canonicalHeaders.version]: String(version),
        [canonicalHeaders.contentHash]: merged.contentHash,
      };
      output.push({ topic: contract.topic, key: id, value, partition, headers });
      entry.version = version;
      entry.contentHash = merged.contentHash;
    }
    return output;
  }
}
