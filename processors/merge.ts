import { createHash } from 'node:crypto';
import { canonicalJson } from '../platform/canonicalJson.js';

export { canonicalJson };

import type { FieldProvenance } from '../schemas/provenance.js';
import { type Fragment, provenanceOf } from './fragment.js';

/**
 * How one canonical field is chosen when several sources supply it:
 * - `source-priority`: the first source system in `order` that has a non-null value;
 * - `most-recent`: the value whose source record changed last (sourceUpdatedAt, then observedAt);
 * - `first-non-null`: any non-null value, choosing deterministically by source system then key.
 */
export type SurvivorshipRule =
  | { strategy: 'source-priority'; order: readonly string[] }
  | { strategy: 'most-recent' }
  | { strategy: 'first-non-null' };

export interface MergePolicy {
  /** Rule per field path; fields without one use `defaultRule`. */
  fields: Readonly<Record<string, SurvivorshipRule>>;
  defaultRule: SurvivorshipRule;
}

export interface MergedEntity {
  data: Record<string, unknown>;
  provenance: Record<string, FieldProvenance>;
  mappingVersions: string[];
  /** SHA-256 over data and mapping versions: unchanged hash → no new canonical version. */
  contentHash: string;
}

function compareRecency(a: Fragment, b: Fragment): number {
  const left = a.sourceUpdatedAt ?? a.observedAt;
  const right = b.sourceUpdatedAt ?? b.observedAt;
  if (left !== right) return left < right ? -1 : 1;
  return a.sourceRecordKey < b.sourceRecordKey ? -1 : a.sourceRecordKey > b.sourceRecordKey ? 1 : 0;
}

function stableOrder(a: Fragment, b: Fragment): number {
  if (a.sourceSystem !== b.sourceSystem) return a.sourceSystem < b.sourceSystem ? -1 : 1;
  return a.sourceRecordKey < b.sourceRecordKey ? -1 : a.sourceRecordKey > b.sourceRecordKey ? 1 : 0;
}

function pick(rule: SurvivorshipRule, candidates: Fragment[], path: string): Fragment | undefined {
  const withValue = candidates.filter((fragment) => {
    const value = fragment.fields[path]?.value;
    return value !== null && value !== undefined;
  });
  if (withValue.length === 0) return undefined;
  switch (rule.strategy) {
    case 'source-priority': {
      const rank = (fragment: Fragment): number => {
        const index = rule.order.indexOf(fragment.sourceSystem);
        return index < 0 ? rule.order.length : index;
      };
      return [...withValue].sort((a, b) => rank(a) - rank(b) || compareRecency(b, a) || stableOrder(a, b))[0];
    }
    case 'most-recent':
      return [...withValue].sort((a, b) => compareRecency(b, a) || stableOrder(a, b))[0];
    case 'first-non-null':
      return [...withValue].sort(stableOrder)[0];
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1) ?? path] = value;
}

/**
 * Merges the current fragments of one entity. A pure function of the fragment set: arrival order
 * cannot change the result (property-tested).
 */
export function mergeFragments(fragments: readonly Fragment[], policy: MergePolicy): MergedEntity {
  const paths = new Set<string>();
  for (const fragment of fragments) for (const path of Object.keys(fragment.fields)) paths.add(path);
  const data: Record<string, unknown> = {};
  const provenance: Record<string, FieldProvenance> = {};
  for (const path of [...paths].sort()) {
    const winner = pick(policy.fields[path] ?? policy.defaultRule, [...fragments], path);
    if (!winner) continue;
    const field = winner.fields[path];
    if (!field) continue;
    setPath(data, path, field.value);
    provenance[path] = provenanceOf(winner, field.transformation);
  }
  const mappingVersions = [...new Set(fragments.map((fragment) => fragment.mapping))].sort();
  const contentHash = createHash('sha256').update(canonicalJson({ data, mappingVersions })).digest('hex');
  return { data, provenance, mappingVersions, contentHash };
}
