import { TributaryError } from '../platform/errors.js';
import { type CompatibilityRule, checkBackwardCompatibility } from './compatibility.js';
import type { EntityContract } from './entityContract.js';
import { type JsonObject, jsonEqual, publishedJsonSchema } from './jsonSchema.js';
import type { PublishedSchema, SchemaHistory } from './schemaHistory.js';

/** Problems with how the history is kept, next to the compatibility rules proper. */
export type GateRule =
  | CompatibilityRule
  | 'HISTORY_GAP'
  | 'HISTORY_AHEAD'
  | 'NOT_PUBLISHED'
  | 'UNPUBLISHED_CHANGE';

export interface GateViolation {
  entity: string;
  /** Contract version the candidate schema was compared with, when the rule is about a pair. */
  againstVersion?: number;
  path: string;
  rule: GateRule;
  detail: string;
}

/** "employee: data.hireDate: TYPE_NARROWED (vs v1): ..." — entity, field path and rule first. */
export function formatGateViolation(violation: GateViolation): string {
  const against = violation.againstVersion === undefined ? '' : ` (vs v${violation.againstVersion})`;
  return `${violation.entity}: ${violation.path}: ${violation.rule}${against}: ${violation.detail}`;
}

/**
 * BACKWARD_TRANSITIVE: the candidate must read data written with every earlier version, not
 * only the latest, because a compacted topic keeps records written under all of them.
 */
export function checkBackwardTransitive(
  entity: string,
  candidate: JsonObject,
  earlier: readonly PublishedSchema[],
): GateViolation[] {
  return earlier.flatMap((published) =>
    checkBackwardCompatibility(published.schema, candidate).map((found) => ({
      entity,
      againstVersion: published.version,
      ...found,
    })),
  );
}

function historyProblems(contract: EntityContract, history: readonly PublishedSchema[]): GateViolation[] {
  const found: GateViolation[] = [];
  history.forEach((published, index) => {
    if (published.version !== index + 1) {
      found.push({
        entity: contract.entity,
        path: '(history)',
        rule: 'HISTORY_GAP',
        detail: `expected v${index + 1} next in the history, found v${published.version}`,
      });
    }
  });
  const ahead = history.filter((published) => published.version > contract.version);
  for (const published of ahead) {
    found.push({
      entity: contract.entity,
      path: '(history)',
      rule: 'HISTORY_AHEAD',
      detail: `v${published.version} is published but the contract says version ${contract.version}`,
    });
  }
  return found;
}

/**
 * The gate for one contract: its history is v1..version without gaps, the current zod schema
 * is exactly the published v<version> (published versions are immutable), and it is backward
 * compatible with every earlier version.
 */
export async function checkContract(
  contract: EntityContract,
  history: SchemaHistory,
): Promise<GateViolation[]> {
  const published = await history.versions(contract.entity);
  const candidate = publishedJsonSchema(contract.schema);
  const found = historyProblems(contract, published);
  const current = published.find((entry) => entry.version === contract.version);
  if (!current) {
    found.push({
      entity: contract.entity,
      path: '(history)',
      rule: 'NOT_PUBLISHED',
      detail: `v${contract.version} is not in the history; run "tributary schemas generate"`,
    });
  } else if (!jsonEqual(current.schema, candidate)) {
    found.push({
      entity: contract.entity,
      path: '(schema)',
      rule: 'UNPUBLISHED_CHANGE',
      detail: `the schema differs from the published v${contract.version}; published versions are immutable: bump the contract version and run "tributary schemas generate"`,
    });
  }
  const earlier = published.filter((entry) => entry.version < contract.version);
  found.push(...checkBackwardTransitive(contract.entity, candidate, earlier));
  return found;
}

export async function checkContracts(
  contracts: readonly EntityContract[],
  history: SchemaHistory,
): Promise<GateViolation[]> {
  const results = await Promise.all(contracts.map((contract) => checkContract(contract, history)));
  return results.flat();
}

/** Throws SCHEMA_INCOMPATIBLE listing every violation; the registry is never contacted first. */
export function assertNoViolations(violations: readonly GateViolation[]): void {
  if (violations.length === 0) return;
  throw new TributaryError(
    'SCHEMA_INCOMPATIBLE',
    // One line: the CLI prints only an error's first line.
    `schema compatibility gate failed (BACKWARD_TRANSITIVE): ${violations.map(formatGateViolation).join('; ')}`,
    {
      details: {
        violations: violations.map(({ entity, path, rule, againstVersion }) => ({
          entity,
          path,
          rule,
          againstVersion,
        })),
      },
    },
  );
}

export type PublishOutcome = 'published' | 'unchanged';

/**
 * Publishes the contract's current schema as v<version> when it is not in the history yet and
 * is backward compatible with every earlier version; refuses otherwise. Idempotent.
 */
export async function publishContract(
  contract: EntityContract,
  history: SchemaHistory,
): Promise<PublishOutcome> {
  const published = await history.versions(contract.entity);
  const candidate = publishedJsonSchema(contract.schema);
  const existing = published.find((entry) => entry.version === contract.version);
  if (existing) {
    if (jsonEqual(existing.schema, candidate)) return 'unchanged';
    assertNoViolations([
      {
        entity: contract.entity,
        path: '(schema)',
        rule: 'UNPUBLISHED_CHANGE',
        detail: `the schema differs from the published v${contract.version}; published versions are immutable: bump the contract version`,
      },
    ]);
  }
  const earlier = published.filter((entry) => entry.version < contract.version);
  const problems = historyProblems(contract, published);
  if (earlier.length !== contract.version - 1) {
    problems.push({
      entity: contract.entity,
      path: '(history)',
      rule: 'HISTORY_GAP',
      detail: `cannot publish v${contract.version}: the history holds ${earlier.length} earlier version(s), expected ${contract.version - 1}`,
    });
  }
  problems.push(...checkBackwardTransitive(contract.entity, candidate, earlier));
  assertNoViolations(problems);
  await history.publish(contract.entity, { version: contract.version, schema: candidate });
  return 'published';
}
