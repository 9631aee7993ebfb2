import { Prng } from './prng.js';

/** Seed records were last changed between these instants (fixed, so data never depends on wall time). */
export const seedPeriodStart = Date.UTC(2024, 0, 1);
export const seedPeriodEnd = Date.UTC(2026, 0, 1);

/** Seed records are generated in import batches of this size; some of each batch share one time. */
const batchSize = 40;

/**
 * Change time of seed record `seq` of a resource, at whole seconds. About a fifth of the records
 * were "bulk imported" and share their batch's exact timestamp, so ties on the cursor field are
 * common from the first sync on (where Airbyte-style `>` cursors lose records).
 */
export function seedTime(seed: number, resource: string, seq: number): number {
  const prng = Prng.derive(seed, `${resource}:time:${seq}`);
  const seconds = (seedPeriodEnd - seedPeriodStart) / 1000;
  if (prng.chance(0.2)) {
    const batch = Prng.derive(seed, `${resource}:batch:${Math.floor(seq / batchSize)}`);
    return seedPeriodStart + batch.int(0, seconds - 1) * 1000;
  }
  return seedPeriodStart + prng.int(0, seconds - 1) * 1000;
}
