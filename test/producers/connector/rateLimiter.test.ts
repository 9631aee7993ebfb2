import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../producers/connector/clock.js';
import { createConnectorMetrics } from '../../../producers/connector/metrics.js';
import { createRateLimiter } from '../../../producers/connector/rateLimiter.js';

/** Acquires `n` permits one after another (releasing each), recording when each was granted. */
async function grantTimes(
  clock: FakeClock,
  limiter: ReturnType<typeof createRateLimiter>,
  n: number,
): Promise<number[]> {
  const times: number[] = [];
  const run = (async () => {
    for (let i = 0; i < n; i++) {
      const release = await limiter.acquire();
      times.push(clock.now());
      release();
    }
  })();
  while (times.length < n) await clock.advanceToNext();
  await run;
  return times;
}

describe('rate limiter', () => {
  it('lets a burst through, then paces at the configured rate', async () => {
    const clock = new FakeClock(0);
    const limiter = createRateLimiter({ source: 'acme', clock, requestsPerSecond: 10, burst: 3 });
    expect(await grantTimes(clock, limiter, 7)).toEqual([0, 0, 0, 100, 200, 300, 400]);
  });

  it('refills the bucket while idle, never beyond burst', async () => {
    const clock = new FakeClock(0);
    const limiter = createRateLimiter({ source: 'acme', clock, requestsPerSecond: 10, burst: 2 });
    await grantTimes(clock, limiter, 2);
    await clock.advance(10_000);
    expect(await grantTimes(clock, limiter, 3)).toEqual([10_000, 10_000, 10_100]);
  });

  it('caps concurrency: the third caller waits for a release', async () => {
    const clock = new FakeClock(0);
    const limiter = createRateLimiter({
      source: 'acme',
      clock,
      requestsPerSecond: 1_000,
      burst: 10,
      maxConcurrency: 2,
    });
    const first = await limiter.acquire();
    await limiter.acquire();
    let third = false;
    const waiting = limiter.acquire().then((release) => {
      third = true;
      return release;
    });
    await clock.advance(1_000);
    expect(third).toBe(false);
    expect(limiter.inFlight).toBe(2);
    first();
    first(); // releasing twice is harmless
    (await waiting)();
    expect(third).toBe(true);
    expect(limiter.inFlight).toBe(1);
  });

  it('on 429 halves the rate once per burst of rejections, then recovers gradually after the cool-down', async () => {
    const clock = new FakeClock(0);
    const limiter = createRateLimiter({
      source: 'acme',
      clock,
      requestsPerSecond: 8,
      cooldownMs: 30_000,
      recoveryIntervalMs: 5_000,
      recoveryFactor: 1.5,
    });
    limiter.onRateLimited();
    limiter.onRateLimited(); // same burst: ignored
    expect(limiter.currentRate).toBe(4);
    await clock.advance(29_999);
    expect(limiter.currentRate).toBe(4);
    await clock.advance(5_001);
    expect(limiter.currentRate).toBe(6);
    await clock.advance(5_000);
    expect(limiter.currentRate).toBe(8); // 9 capped at the configured rate
    limiter.onRateLimited();
    await clock.advance(1_000);
    limiter.onRateLimited(); // a new 429 after the debounce halves again
    expect(limiter.currentRate).toBe(2);
  });

  it('never drops below the floor', () => {
    const clock = new FakeClock(0);
    const limiter = createRateLimiter({
      source: 'acme',
      clock,
      requestsPerSecond: 4,
      minRequestsPerSecond: 1,
      slowDownDebounceMs: 0,
    });
    for (let i = 0; i < 10; i++) limiter.onRateLimited();
    expect(limiter.currentRate).toBe(1);
  });

  it('holds every caller until Retry-After has passed', async () => {
    const clock = new FakeClock(0);
    const limiter = createRateLimiter({ source: 'acme', clock, requestsPerSecond: 100, burst: 10 });
    limiter.onRateLimited(7_000);
    const [first] = await grantTimes(clock, limiter, 1);
    expect(first).toBe(7_000);
  });

  it('counts waits and wait time in metrics', async () => {
    const clock = new FakeClock(0);
    const registry = new Registry();
    const limiter = createRateLimiter({
      source: 'acme',
      clock,
      requestsPerSecond: 2,
      burst: 1,
      metrics: createConnectorMetrics(registry),
    });
    await grantTimes(clock, limiter, 3);
    const text = await registry.metrics();
    expect(text).toContain('tributary_connector_rate_limit_waits_total{source="acme"} 2');
    expect(text).toContain('tributary_connector_rate_limit_wait_seconds_total{source="acme"} 1');
  });

  it('a caller that gives up while waiting frees its slot', async () => {
    const clock = new FakeClock(0);
    const limiter = createRateLimiter({
      source: 'acme',
      clock,
      requestsPerSecond: 1,
      burst: 1,
      maxConcurrency: 1,
    });
    (await limiter.acquire())();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    await clock.advance(10);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(limiter.inFlight).toBe(0);
    const times = await grantTimes(clock, limiter, 1);
    expect(times[0]).toBe(1_000);
  });

  it('rejects impossible settings, naming the field', () => {
    const clock = new FakeClock(0);
    expect(() => createRateLimiter({ source: 'acme', clock, requestsPerSecond: 0 })).toThrow(
      /requestsPerSecond/,
    );
    expect(() =>
      createRateLimiter({ source: 'acme', clock, requestsPerSecond: 1, maxConcurrency: 0 }),
    ).toThrow(/maxConcurrency/);
  });
});
