import { TributaryError } from '../../platform/errors.js';
import type { Clock } from './clock.js';
import type { ConnectorMetrics } from './metrics.js';
import { Semaphore } from './semaphore.js';

export interface RateLimiterOptionsInput {
  source: string;
  clock: Clock;
  /** Sustained rate the source allows. */
  requestsPerSecond: number;
  /** Bucket size: requests that may go out back to back after a quiet period. @default max(1, ceil(requestsPerSecond)) */
  burst?: number;
  /** Requests in flight at once. @default 4 */
  maxConcurrency?: number;
  /** How long a 429 keeps the rate reduced before recovery starts. @default 30000 */
  cooldownMs?: number;
  /** Floor the rate never drops below. @default requestsPerSecond / 32 */
  minRequestsPerSecond?: number;
  /** After the cool-down, the rate grows by `recoveryFactor` every interval until back to normal. @default 5000 */
  recoveryIntervalMs?: number;
  /** @default 1.5 */
  recoveryFactor?: number;
  /**
   * 429s within this time of the last slow-down are one event: a burst of concurrent requests
   * rejected together must halve the rate once, not once per request. @default 1000
   */
  slowDownDebounceMs?: number;
  metrics?: ConnectorMetrics;
}

export interface RateLimiterOptions extends Required<Omit<RateLimiterOptionsInput, 'metrics'>> {
  metrics: ConnectorMetrics | undefined;
}

export function resolveRateLimiterOptions(input: RateLimiterOptionsInput): RateLimiterOptions {
  const rps = input.requestsPerSecond;
  const options: RateLimiterOptions = {
    source: input.source,
    clock: input.clock,
    requestsPerSecond: rps,
    burst: input.burst ?? Math.max(1, Math.ceil(rps)),
    maxConcurrency: input.maxConcurrency ?? 4,
    cooldownMs: input.cooldownMs ?? 30_000,
    minRequestsPerSecond: input.minRequestsPerSecond ?? rps / 32,
    recoveryIntervalMs: input.recoveryIntervalMs ?? 5_000,
    recoveryFactor: input.recoveryFactor ?? 1.5,
    slowDownDebounceMs: input.slowDownDebounceMs ?? 1_000,
    metrics: input.metrics,
  };
  const invalid = (field: string, rule: string): never => {
    throw new TributaryError('CONFIG_INVALID', `rate limiter for ${input.source}: ${field} ${rule}`);
  };
  if (!(rps > 0)) invalid('requestsPerSecond', 'must be > 0');
  if (!(options.burst >= 1)) invalid('burst', 'must be >= 1');
  if (!Number.isInteger(options.maxConcurrency) || options.maxConcurrency < 1) {
    invalid('maxConcurrency', 'must be a positive integer');
  }
  if (!(options.minRequestsPerSecond > 0 && options.minRequestsPerSecond <= rps)) {
    invalid('minRequestsPerSecond', 'must be > 0 and <= requestsPerSecond');
  }
  if (!(options.recoveryFactor > 1)) invalid('recoveryFactor', 'must be > 1');
  return options;
}

export interface RateLimiter {
  /** Waits for a concurrency slot and a token; resolves to the release function of the slot. */
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** acquire + run + release. */
  run<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** The source answered 429: halve the rate for a cool-down and honour Retry-After for everyone. */
  onRateLimited(retryAfterMs?: number): void;
  /** Current (possibly reduced) requests per second. */
  readonly currentRate: number;
  readonly inFlight: number;
}

/**
 * Token bucket per source plus a concurrency semaphore. Tokens refill continuously at the
 * current rate up to `burst`. A 429 halves the rate (down to a floor), empties the bucket and
 * blocks every caller until Retry-After has passed; after the cool-down the rate grows back
 * multiplicatively. Waiters are served in arrival order.
 */
export function createRateLimiter(input: RateLimiterOptionsInput): RateLimiter {
  const options = resolveRateLimiterOptions(input);
  const { clock } = options;
  const semaphore = new Semaphore(options.maxConcurrency);
  let rate = options.requestsPerSecond;
  let tokens = options.burst;
  let lastRefill = clock.now();
  let blockedUntil = 0;
  let cooldownUntil = 0;
  let lastRecovery = 0;
  let lastSlowDown = Number.NEGATIVE_INFINITY;
  let tokenQueue: Promise<unknown> = Promise.resolve();

  const refill = (now: number): void => {
    if (rate < options.requestsPerSecond && now >= cooldownUntil) {
      const steps = Math.floor((now - Math.max(cooldownUntil, lastRecovery)) / options.recoveryIntervalMs);
      if (steps > 0) {
        rate = Math.min(options.requestsPerSecond, rate * options.recoveryFactor ** steps);
        lastRecovery = Math.max(cooldownUntil, lastRecovery) + steps * options.recoveryIntervalMs;
      }
    }
    const elapsed = Math.max(0, now - lastRefill);
    tokens = Math.min(options.burst, tokens + (elapsed * rate) / 1000);
    lastRefill = now;
  };

  const waitForToken = async (signal?: AbortSignal): Promise<number> => {
    let waited = 0;
    for (;;) {
      signal?.throwIfAborted();
      const now = clock.now();
      refill(now);
      const blockedFor = blockedUntil - now;
      if (blockedFor <= 0 && tokens >= 1) {
        tokens -= 1;
        return waited;
      }
      const wait = Math.max(blockedFor, Math.ceil(((1 - tokens) * 1000) / rate), 1);
      waited += wait;
      await clock.sleep(wait, signal);
    }
  };

  const takeToken = (signal?: AbortSignal): Promise<number> => {
    const turn = tokenQueue.then(() => waitForToken(signal));
    tokenQueue = turn.catch(() => undefined);
    return turn;
  };

  const acquire = async (signal?: AbortSignal): Promise<() => void> => {
    const started = clock.now();
    await semaphore.acquire(signal);
    try {
      await takeToken(signal);
    } catch (error) {
      semaphore.release();
      throw error;
    }
    const waitedMs = clock.now() - started;
    if (waitedMs > 0) {
      options.metrics?.rateLimitWaits.inc({ source: options.source });
      options.metrics?.rateLimitWaitSeconds.inc({ source: options.source }, waitedMs / 1000);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      semaphore.release();
    };
  };

  return {
    acquire,
    async run(operation, signal) {
      const release = await acquire(signal);
      try {
        return await operation();
      } finally {
        release();
      }
    },
    onRateLimited(retryAfterMs) {
      const now = clock.now();
      refill(now);
      if (retryAfterMs !== undefined && retryAfterMs > 0)
        blockedUntil = Math.max(blockedUntil, now + retryAfterMs);
      if (now - lastSlowDown < options.slowDownDebounceMs) return;
      lastSlowDown = now;
      rate = Math.max(options.minRequestsPerSecond, rate / 2);
      tokens = Math.min(tokens, 0);
      cooldownUntil = Math.max(cooldownUntil, now + options.cooldownMs, blockedUntil);
      lastRecovery = cooldownUntil;
    },
    get currentRate() {
      refill(clock.now());
      return rate;
    },
    get inFlight() {
      return semaphore.inUse;
    },
  };
}
