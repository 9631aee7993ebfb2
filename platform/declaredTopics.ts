import { entityCatalog } from '../schemas/entityCatalog.js';
import { type TopicSpec, topicSpec } from './topics.js';

/**
 * Every topic the platform uses. `topics apply` and the tests read this one list.
 * Canonical and fragment topics of an entity must have the same partition count: the merge
 * stage writes both partitioned by canonical id (see processors/partitioning.ts).
 */
export const sourceStateTopic = '_tributary.source-state';
export const canonicalPartitions = 6;

export function fragmentsTopic(entity: string): string {
  return `_tributary.fragments.${entity}`;
}

export interface DeclaredTopicsOptions {
  /** Raw topics of the configured sources (raw.<source>.<stream>). */
  rawTopics?: readonly string[];
}

export function declaredTopics(options: DeclaredTopicsOptions = {}): TopicSpec[] {
  return [
    topicSpec(sourceStateTopic, { partitions: 3 }),
    ...(options.rawTopics ?? []).map((name) => topicSpec(name)),
    ...entityCatalog.map((contract) => topicSpec(contract.topic, { partitions: canonicalPartitions })),
    ...entityCatalog.map((contract) =>
      topicSpec(fragmentsTopic(contract.entity), { partitions: canonicalPartitions }),
    ),
    topicSpec('dlq.processor', { partitions: 3 }),
    topicSpec('_tributary.dlq-redrives', { partitions: 1 }),
    topicSpec('dlq.sink', { partitions: 3 }),
  ];
}
