/** Retry delays as validated data; attempts are unbounded for the sink (it waits for the database). */
export interface BackoffPolicy {
  /** @default 100 */
  initialMs: number;
  /** @default 5000 */
  maxMs: number;
  /** @default 2 */
  coefficient: number;
  /** Fraction of the delay randomised (0..1) so instances do not retry in lockstep. @default 0.2 */
  jitter: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 100, maxMs: 5000, coefficient: 2, jitter: 0.2 };

export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.coefficient ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - policy.jitter + 2 * policy.jitter * random()));
}
