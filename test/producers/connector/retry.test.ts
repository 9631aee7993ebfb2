import { describe, expect, it } from 'vitest';
import { RetriesExhaustedError, TributaryError } from '../../../platform/errors.js';
import { FakeClock } from '../../../producers/connector/clock.js';
import {
  backoffMs,
  isRetryableStatus,
  parseRetryAfter,
  resolveRetryPolicy,
  retry,
  retryDelayMs,
} from '../../../producers/connector/retry.js';

const retryable = (message = 'flaky', details: Record<string, unknown> = {}): TributaryError =>
  new TributaryError('HTTP_ERROR', message, { retryable: true, details });

/** Drives the operation's sleeps until it settles. */
async function settle<T>(clock: FakeClock, promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  let result: PromiseSettledResult<T> | undefined;
  promise.then(
    (value) => {
      result = { status: 'fulfilled', value };
    },
    (reason: unknown) => {
      result = { status: 'rejected', reason };
    },
  );
  for (let i = 0; i < 1_000 && !result; i++) await clock.advanceToNext();
  if (!result) throw new Error('operation never settled');
  return result;
}

describe('resolveRetryPolicy', () => {
  it('fills defaults and rejects invalid policies naming the field', () => {
    expect(resolveRetryPolicy()).toEqual({
      initialIntervalMs: 500,
      maxIntervalMs: 30_000,
      multiplier: 2,
      maxAttempts: 6,
      maxElapsedMs: 120_000,
    });
    expect(() => resolveRetryPolicy({ initialIntervalMs: 1_000, maxIntervalMs: 10 })).toThrow(
      /maxIntervalMs/,
    );
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
  });
});

describe('isRetryableStatus', () => {
  it('retries 408, 425, 429 and 5xx only', () => {
    const retried = [400, 401, 403, 404, 408, 409, 422, 425, 429, 500, 502, 503, 504, 599].filter(
      isRetryableStatus,
    );
    expect(retried).toEqual([408, 425, 429, 500, 502, 503, 504, 599]);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('reads an HTTP-date relative to now, past dates as 0', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('ignores absent and malformed values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
  });
});

describe('backoff', () => {
  const policy = resolveRetryPolicy({ initialIntervalMs: 100, maxIntervalMs: 1_000, multiplier: 2 });
  it('draws uniformly below an exponentially growing ceiling capped at maxIntervalMs (full jitter)', () => {
    const almostOne = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(policy, n, almostOne))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffMs(policy, 3, () => 0)).toBe(0);
    expect(backoffMs(policy, 3, () => 0.5)).toBe(200);
  });
  it('treats Retry-After as a floor, not capped by maxIntervalMs', () => {
    const error = retryable('429', { retryAfterMs: 5_000 });
    expect(retryDelayMs(policy, 1, error, () => 0.5)).toBe(5_000);
    expect(retryDelayMs(policy, 1, retryable('503', { retryAfterMs: 10 }), () => 0.5)).toBe(50);
  });
});

describe('retry', () => {
  const policy = resolveRetryPolicy({
    initialIntervalMs: 100,
    maxIntervalMs: 1_000,
    maxAttempts: 4,
    maxElapsedMs: 60_000,
  });

  it('retries retryable errors with backoff and returns the first success', async () => {
    const clock = new FakeClock(0);
    const attemptsAt: number[] = [];
    const delays: number[] = [];
    const result = await settle(
      clock,
      retry(
        async (attempt) => {
          attemptsAt.push(clock.now());
          if (attempt < 3) throw retryable();
          return 'ok';
        },
        { policy, clock, random: () => 0.5, onRetry: (info) => delays.push(info.delayMs) },
      ),
    );
    expect(result).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(delays).toEqual([50, 100]);
    expect(attemptsAt).toEqual([0, 50, 150]);
  });

  it('throws RetriesExhaustedError keeping every attempt', async () => {
    const clock = new FakeClock(0);
    const errors = [retryable('a'), retryable('b'), retryable('c'), retryable('d')];
    let i = 0;
    const result = await settle(
      clock,
      retry(
        async () => {
          throw errors[i++];
        },
        { policy, clock, random: () => 0.5, description: 'acme/workers GET /workers' },
      ),
    );
    expect(result.status).toBe('rejected');
    const error = (result as PromiseRejectedResult).reason as RetriesExhaustedError;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.attempts).toEqual(errors);
    expect(error.message).toContain('acme/workers GET /workers failed after 4 attempts');
  });

  it('never retries non-retryable errors or programmer errors', async () => {
    const clock = new FakeClock(0);
    for (const thrown of [
      new TributaryError('HTTP_ERROR', '404', { retryable: false }),
      new TypeError('x is undefined'),
    ]) {
      let calls = 0;
      await expect(
        retry(
          async () => {
            calls++;
            throw thrown;
          },
          { policy, clock },
        ),
      ).rejects.toBe(thrown);
      expect(calls).toBe(1);
    }
  });

  it('waits at least Retry-After before the next attempt', async () => {
    const clock = new FakeClock(0);
    const attemptsAt: number[] = [];
    await settle(
      clock,
      retry(
        async (attempt) => {
          attemptsAt.push(clock.now());
          if (attempt === 1) throw retryable('429', { retryAfterMs: 7_000 });
        },
        { policy, clock, random: () => 0.5 },
      ),
    );
    expect(attemptsAt).toEqual([0, 7_000]);
  });

  it('gives up at once when the next wait would pass maxElapsedMs', async () => {
    const clock = new FakeClock(0);
    const tight = resolveRetryPolicy({
      initialIntervalMs: 100,
      maxIntervalMs: 1_000,
      maxAttempts: 10,
      maxElapsedMs: 5_000,
    });
    let calls = 0;
    const result = await settle(
      clock,
      retry(
        async () => {
          calls++;
          throw retryable('503', { retryAfterMs: 60_000 });
        },
        { policy: tight, clock, random: () => 0.5 },
      ),
    );
    expect(calls).toBe(1);
    expect(clock.now()).toBe(0);
    expect((result as PromiseRejectedResult).reason).toBeInstanceOf(RetriesExhaustedError);
  });

  it('stops waiting when the signal aborts', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const running = retry(
      async () => {
        throw retryable();
      },
      { policy, clock, random: () => 0.9, signal: controller.signal },
    );
    await clock.advance(0);
    controller.abort(new Error('shutdown'));
    await expect(running).rejects.toThrow('shutdown');
  });
});
