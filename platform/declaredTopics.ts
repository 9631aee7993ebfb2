import { type TopicSpec, topicSpec } from './topics.js';

/**
 * Every topic the platform uses. Components add their topics here as they are built; the
 * `topics apply` command and the tests read this one list.
 */
export const sourceStateTopic = '_tributary.source-state';

export function declaredTopics(): TopicSpec[] {
  return [
    topicSpec(sourceStateTopic, { partitions: 3 }),
    topicSpec('raw.hr.workers'),
    topicSpec('canonical.employee'),
    topicSpec('dlq.processor'),
    topicSpec('dlq.sink'),
  ];
}
