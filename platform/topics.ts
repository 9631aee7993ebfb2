import kafkajs, { type Admin } from 'kafkajs';
import { TributaryError } from './errors.js';

/**
 * Declarative topic specs. Every topic Tributary uses is declared here (or by the component that
 * owns it) and applied by `tributary topics apply`; brokers never auto-create topics.
 */
export type TopicKind = 'raw' | 'canonical' | 'dlq' | 'internal';

export interface TopicSpec {
  name: string;
  kind: TopicKind;
  partitions: number;
  config: Record<string, string>;
}

const DAY_MS = 86_400_000;

/**
 * raw.* and canonical.* are the replayable log: compacted forever, a record may only be compacted
 * away an hour after it was written (so slow consumers and replays still see every version for a
 * while), and delete tombstones stay a day so every consumer sees the delete.
 */
export const topicClassDefaults: Record<TopicKind, Record<string, string>> = {
  raw: {
    'cleanup.policy': 'compact',
    'min.compaction.lag.ms': String(60 * 60 * 1000),
    'delete.retention.ms': String(DAY_MS),
    'min.cleanable.dirty.ratio': '0.5',
    'max.message.bytes': String(4 * 1024 * 1024),
  },
  canonical: {
    'cleanup.policy': 'compact',
    'min.compaction.lag.ms': String(60 * 60 * 1000),
    'delete.retention.ms': String(DAY_MS),
    'min.cleanable.dirty.ratio': '0.5',
  },
  dlq: {
    'cleanup.policy': 'delete',
    'retention.ms': String(14 * DAY_MS),
  },
  internal: {
    'cleanup.policy': 'compact',
    'min.compaction.lag.ms': String(60 * 60 * 1000),
    'delete.retention.ms': String(DAY_MS),
  },
};

export function topicKindOf(name: string): TopicKind {
  if (name.startsWith('raw.')) return 'raw';
  if (name.startsWith('canonical.')) return 'canonical';
  if (name.startsWith('dlq.')) return 'dlq';
  if (name.startsWith('_tributary.')) return 'internal';
  throw new TributaryError(
    'TOPIC_SPEC_INVALID',
    `topic ${name}: name must start with raw., canonical., dlq. or _tributary.`,
  );
}

export function topicSpec(
  name: string,
  options: { partitions?: number; config?: Record<string, string> } = {},
): TopicSpec {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(name)) {
    throw new TributaryError(
      'TOPIC_SPEC_INVALID',
      `topic ${name}: only letters, digits, '.', '_' and '-' are allowed`,
    );
  }
  const kind = topicKindOf(name);
  const partitions = options.partitions ?? (kind === 'internal' ? 3 : 6);
  return { name, kind, partitions, config: { ...topicClassDefaults[kind], ...options.config } };
}

export interface TopicDrift {
  topic: string;
  setting: string;
  expected: string;
  actual: string;
}

export interface TopicsApplyResult {
  created: string[];
  altered: string[];
  partitionsAdded: string[];
  unchanged: string[];
  /** Differences left after applying (e.g. more partitions on the broker than declared). */
  drift: TopicDrift[];
}

async function describe(admin: Admin, names: string[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  if (names.length === 0) return out;
  const described = await admin.describeConfigs({
    resources: names.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name })),
    includeSynonyms: false,
  });
  for (const resource of described.resources) {
    const config: Record<string, string> = {};
    for (const entry of resource.configEntries) config[entry.configName] = entry.configValue;
    out.set(resource.resourceName, config);
  }
  return out;
}

/** Waits until every partition of the topics has a leader (new topics take a moment). */
export async function waitForLeaders(
  admin: Admin,
  topics: readonly string[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const led = metadata.topics.every(
        (topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0),
      );
      // A fresh KRaft broker can name a leader before that leader serves the partition: only a
      // successful ListOffsets on every topic proves it is usable.
      if (led) {
        for (const topic of topics) await admin.fetchTopicOffsets(topic);
        return;
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new TributaryError(
        'KAFKA_UNAVAILABLE',
        `topics without leaders after ${timeoutMs} ms: ${topics.join(', ')}`,
        { retryable: true },
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Compares declared specs with the broker without changing anything. */
export async function diffTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
): Promise<{ missing: string[]; drift: TopicDrift[] }> {
  const existing = new Set(await admin.listTopics());
  const present = specs.filter((spec) => existing.has(spec.name));
  const missing = specs.filter((spec) => !existing.has(spec.name)).map((spec) => spec.name);
  const drift: TopicDrift[] = [];
  if (present.length === 0) return { missing, drift };
  const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
  const configs = await describe(
    admin,
    present.map((spec) => spec.name),
  );
  for (const spec of present) {
    const partitions = metadata.topics.find((topic) => topic.name === spec.name)?.partitions.length ?? 0;
    if (partitions !== spec.partitions) {
      drift.push({
        topic: spec.name,
        setting: 'partitions',
        expected: String(spec.partitions),
        actual: String(partitions),
      });
    }
    const actual = configs.get(spec.name) ?? {};
    for (const [key, value] of Object.entries(spec.config)) {
      if (actual[key] !== value)
        drift.push({ topic: spec.name, setting: key, expected: value, actual: actual[key] ?? '(unset)' });
    }
  }
  return { missing, drift };
}

/**
 * Creates missing topics, sets declared configs that differ and adds partitions where fewer
 * exist than declared. Idempotent: a second run changes nothing. Partitions are never removed
 * (Kafka cannot), so a broker with more than declared is reported as drift.
 */
export async function applyTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<TopicsApplyResult> {
  const result: TopicsApplyResult = {
    created: [],
    altered: [],
    partitionsAdded: [],
    unchanged: [],
    drift: [],
  };
  const before = await diffTopics(admin, specs);
  const missing = specs.filter((spec) => before.missing.includes(spec.name));
  if (missing.length > 0) {
    await admin.createTopics({
      // Leaders are awaited below: kafkajs' own wait fails on UNKNOWN_TOPIC_OR_PARTITION while a
      // busy broker is still propagating the new topic's metadata.
      waitForLeaders: false,
      topics: missing.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: -1,
        configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
      })),
    });
    result.created.push(...missing.map((spec) => spec.name));
    await waitForLeaders(
      admin,
      missing.map((spec) => spec.name),
    );
  }
  const driftByTopic = new Map<string, TopicDrift[]>();
  for (const drift of before.drift)
    driftByTopic.set(drift.topic, [...(driftByTopic.get(drift.topic) ?? []), drift]);
  for (const spec of specs) {
    if (result.created.includes(spec.name)) continue;
    const drifts = driftByTopic.get(spec.name) ?? [];
    if (drifts.length === 0) {
      result.unchanged.push(spec.name);
      continue;
    }
    const partitionDrift = drifts.find((drift) => drift.setting === 'partitions');
    if (partitionDrift && Number(partitionDrift.actual) < spec.partitions) {
      await admin.createPartitions({ topicPartitions: [{ topic: spec.name, count: spec.partitions }] });
      result.partitionsAdded.push(spec.name);
    }
    if (drifts.some((drift) => drift.setting !== 'partitions')) {
      // alterConfigs (non-incremental) replaces the topic's dynamic config with exactly the declared set.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: kafkajs.ConfigResourceTypes.TOPIC,
            name: spec.name,
            configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      result.altered.push(spec.name);
    }
  }
  result.drift = (await diffTopics(admin, specs)).drift;
  return result;
}
