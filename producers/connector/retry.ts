import { z } from 'zod/v4';
import { isRetryable, RetriesExhaustedError, TributaryError } from '../../platform/errors.js';
import type { Clock } from './clock.js';

/**
 * A retry policy is data: validated once, logged, compared. Exponential backoff with full
 * jitter (AWS architecture blog, "Exponential Backoff And Jitter"): the wait before retry n is
 * uniform in [0, min(maxIntervalMs, initialIntervalMs * multiplier^(n-1))].
 */
export const retryPolicySchema = z
  .object({
    /** Backoff ceiling for the first retry. @default 500 */
    initialIntervalMs: z.number().int().positive().default(500),
    /** Ceiling of our own backoff; does not cap a server's Retry-After (see retryDelayMs). @default 30000 */
    maxIntervalMs: z.number().int().positive().default(30_000),
    /** Growth per attempt. @default 2 */
    multiplier: z.number().min(1).default(2),
    /** Total attempts including the first. @default 6 */
    maxAttempts: z.number().int().min(1).default(6),
    /** Time budget from the first attempt; no retry starts after it. @default 120000 */
    maxElapsedMs: z.number().int().positive().default(120_000),
  })
  .refine((p) => p.maxIntervalMs >= p.initialIntervalMs, {
    message: 'maxIntervalMs must be >= initialIntervalMs',
    path: ['maxIntervalMs'],
  });

export type RetryPolicyInput = z.input<typeof retryPolicySchema>;
export type RetryPolicy = z.output<typeof retryPolicySchema>;

export function resolveRetryPolicy(input: RetryPolicyInput = {}): RetryPolicy {
  const parsed = retryPolicySchema.safeParse(input);
  if (!parsed.success) {
    throw new TributaryError('CONFIG_INVALID', `invalid retry policy: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** The statuses worth retrying: timeouts, too-early, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Parses Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns milliseconds
 * to wait from `nowMs` (0 for a date in the past), or undefined when absent or malformed.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only accept the date forms HTTP allows, not whatever Date.parse is lenient about.
  if (!/^[A-Za-z]{3},? /.test(trimmed) && !/^[A-Za-z]+day, /.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Full-jitter backoff ceiling and draw for retry number `retry` (1 = first retry). */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxIntervalMs, policy.initialIntervalMs * policy.multiplier ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Walks the cause chain for a server-requested delay. HTTP errors carry it as
 * `details.retryAfterMs` (see http.ts).
 */
export function retryAfterOf(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    if (current instanceof TributaryError) {
      const value = current.details['retryAfterMs'];
      if (typeof value === 'number' && Number.isFinite(value)) return value;
    }
    current = current.cause;
  }
  return undefined;
}

/**
 * Delay before retry `retry`. Retry-After is a floor: we never call sooner than the server
 * asked, because that only earns another 429/503. It is deliberately not capped by
 * maxIntervalMs (that bounds our own guesswork); the cap is the elapsed-time budget — if the
 * requested wait would end past maxElapsedMs, `retry()` gives up immediately instead.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  retry: number,
  error: unknown,
  random: () => number,
): number {
  const jittered = backoffMs(policy, retry, random);
  const requested = retryAfterOf(error);
  return requested === undefined ? jittered : Math.max(jittered, requested);
}

export interface RetryAttemptInfo {
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  error: unknown;
  delayMs: number;
}

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  /** Uniform in [0, 1). @default Math.random */
  random?: () => number;
  signal?: AbortSignal;
  /** Names the operation in the exhausted error, e.g. "workday/workers GET /workers". */
  description?: string;
  /** Called before each backoff sleep (metrics, logs). */
  onRetry?: (info: RetryAttemptInfo) => void;
  /** @default isRetryable from platform/errors (cause chain; programmer errors never) */
  shouldRetry?: (error: unknown) => boolean;
}

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error (rethrown as is), or
 * attempts / elapsed time run out (RetriesExhaustedError keeping every attempt's error).
 */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, clock } = options;
  const random = options.random ?? Math.random;
  const shouldRetry = options.shouldRetry ?? isRetryable;
  const description = options.description ?? 'operation';
  const started = clock.now();
  const errors: unknown[] = [];
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (!shouldRetry(error)) throw error;
      errors.push(error);
      if (attempt >= policy.maxAttempts) {
        throw new RetriesExhaustedError(`${description} failed after ${attempt} attempts`, errors);
      }
      const delayMs = retryDelayMs(policy, attempt, error, random);
      const elapsedAfterWait = clock.now() + delayMs - started;
      if (elapsedAfterWait > policy.maxElapsedMs) {
        throw new RetriesExhaustedError(
          `${description} failed after ${attempt} attempts: the next retry (in ${delayMs} ms) would pass the ${policy.maxElapsedMs} ms budget`,
          errors,
        );
      }
      options.onRetry?.({ attempt, error, delayMs });
      await clock.sleep(delayMs, options.signal);
    }
  }
}
