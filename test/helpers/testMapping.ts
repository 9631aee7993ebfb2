import type { Mapping } from '../../processors/mapping.js';
import { hrWorkersMapping } from '../../processors/mappings/hrWorkers.js';

/** The real HR workers mapping, on a test's raw topic, emitting a test-scoped entity name. */
export function testWorkersMapping(version: number, rawTopic: string, testEntity: string): Mapping {
  return {
    ...hrWorkersMapping,
    version,
    topics: [rawTopic],
    map: (envelope, observe, context) =>
      hrWorkersMapping
        .map(envelope, observe, context)
        .map((fragment) => ({ ...fragment, entity: testEntity })),
  };
}
