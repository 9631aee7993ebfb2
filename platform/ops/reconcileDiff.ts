import { createHash } from 'node:crypto';

/**
 * Order-independent checksum of a set of (key, value) pairs: the XOR of SHA-256(key NUL value).
 * Two stages holding the same keys with the same versions/content hashes have equal checksums
 * whatever order they were read in; a set has no duplicates, so XOR's self-cancellation never
 * hides anything. Hex, 64 chars; all zeros for the empty set.
 */
export function setChecksum(entries: Iterable<readonly [string, string]>): string {
  const acc = Buffer.alloc(32);
  for (const [key, value] of entries) {
    const digest = createHash('sha256').update(key).update('\u0000').update(value).digest();
    for (let i = 0; i < 32; i++) acc[i] = (acc[i] ?? 0) ^ (digest[i] ?? 0);
  }
  return acc.toString('hex');
}

export interface KeyDiff {
  /** In the reference, not in the compared stage. */
  missing: string[];
  /** In the compared stage, not in the reference. */
  extra: string[];
  /** In both with different values (version or content hash). */
  mismatched: string[];
}

/**
 * Compares a stage with its reference, key by key. A reference value of null means "value not
 * known" (a source that only gives keys): such keys are compared by presence only. Lists are
 * sorted so reports and tests are deterministic.
 */
export function diffKeys(
  reference: ReadonlyMap<string, string | null>,
  actual: ReadonlyMap<string, string>,
): KeyDiff {
  const missing: string[] = [];
  const mismatched: string[] = [];
  for (const [key, value] of reference) {
    const found = actual.get(key);
    if (found === undefined) missing.push(key);
    else if (value !== null && value !== found) mismatched.push(key);
  }
  const extra: string[] = [];
  for (const key of actual.keys()) if (!reference.has(key)) extra.push(key);
  return { missing: missing.sort(), extra: extra.sort(), mismatched: mismatched.sort() };
}
