import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TributaryError } from '../../../platform/errors.js';
import {
  createCircuitBreakers,
  resolveCircuitBreakerOptions,
} from '../../../producers/connector/circuitBreaker.js';
import { HttpError } from '../../../producers/connector/http.js';
import { createConnectorMetrics } from '../../../producers/connector/metrics.js';

// opossum schedules its reset and window rotation with setTimeout/setInterval and Date.now,
// so these tests drive vitest's fake timers rather than the injected Clock.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const serverError = (): HttpError =>
  new HttpError(
    'acme/workers: GET /workers → HTTP 503',
    {
      source: 'acme',
      stream: 'workers',
      method: 'GET',
      url: '/workers',
      status: 503,
      reason: 'status',
    },
    { retryable: true },
  );

const status = (code: number): HttpError =>
  new HttpError(
    `→ HTTP ${code}`,
    { source: 'acme', stream: 'w', method: 'GET', url: '/', status: code, reason: 'status' },
    {
      retryable: code >= 500 || code === 429,
    },
  );

function setup() {
  const registry = new Registry();
  const breakers = createCircuitBreakers({
    source: 'acme',
    metrics: createConnectorMetrics(registry),
    options: {
      volumeThreshold: 4,
      errorThresholdPercentage: 50,
      resetTimeoutMs: 10_000,
      rollingWindowMs: 10_000,
    },
  });
  const gauge = async (endpoint: string): Promise<number | undefined> => {
    const metric = await registry.getSingleMetric('tributary_connector_circuit_state')?.get();
    return metric?.values.find((v) => v.labels['endpoint'] === endpoint)?.value;
  };
  return { breakers, gauge, registry };
}

const fail = (error: unknown) => () => Promise.reject(error);
const succeed = () => Promise.resolve('ok');

describe('circuit breaker per source endpoint', () => {
  it('opens on the error rate, rejects with retryable CIRCUIT_OPEN, and exports the state', async () => {
    const { breakers, gauge, registry } = setup();
    const workers = breakers.forEndpoint('/workers');
    expect(await gauge('/workers')).toBe(0);
    for (let i = 0; i < 4; i++)
      await expect(workers.execute(fail(serverError()))).rejects.toBeInstanceOf(HttpError);
    expect(workers.state).toBe('open');
    expect(await gauge('/workers')).toBe(2);

    const called = vi.fn(succeed);
    const rejection = await workers.execute(called).catch((e: unknown) => e);
    expect(called).not.toHaveBeenCalled();
    expect(rejection).toBeInstanceOf(TributaryError);
    expect(rejection).toMatchObject({
      code: 'CIRCUIT_OPEN',
      retryable: true,
      details: { source: 'acme', endpoint: '/workers' },
    });
    expect(await registry.metrics()).toContain(
      'tributary_connector_circuit_rejections_total{source="acme",endpoint="/workers"} 1',
    );
    breakers.shutdown();
  });

  it('other endpoints of the same source carry on while one is open', async () => {
    const { breakers } = setup();
    const workers = breakers.forEndpoint('/workers');
    for (let i = 0; i < 4; i++) await workers.execute(fail(serverError())).catch(() => undefined);
    expect(workers.state).toBe('open');
    await expect(breakers.forEndpoint('/orgs').execute(succeed)).resolves.toBe('ok');
    breakers.shutdown();
  });

  it('half-opens after resetTimeout, lets one probe through, closes on success', async () => {
    const { breakers, gauge } = setup();
    const workers = breakers.forEndpoint('/workers');
    for (let i = 0; i < 4; i++) await workers.execute(fail(serverError())).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(workers.state).toBe('open');
    await vi.advanceTimersByTimeAsync(1);
    expect(workers.state).toBe('half-open');
    expect(await gauge('/workers')).toBe(1);

    let finishProbe: (value: string) => void = () => undefined;
    const probe = workers.execute(() => new Promise<string>((resolve) => (finishProbe = resolve)));
    // While the probe is out, others are refused: one probe only.
    await expect(workers.execute(succeed)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    finishProbe('ok');
    await expect(probe).resolves.toBe('ok');
    expect(workers.state).toBe('closed');
    expect(await gauge('/workers')).toBe(0);
    breakers.shutdown();
  });

  it('a failed probe opens the circuit again', async () => {
    const { breakers } = setup();
    const workers = breakers.forEndpoint('/workers');
    for (let i = 0; i < 4; i++) await workers.execute(fail(serverError())).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(10_000);
    await workers.execute(fail(serverError())).catch(() => undefined);
    expect(workers.state).toBe('open');
    breakers.shutdown();
  });

  it('404s, 429s and programmer errors do not open the circuit', async () => {
    const { breakers } = setup();
    const workers = breakers.forEndpoint('/workers');
    for (const error of [
      status(404),
      status(429),
      new TypeError('bug'),
      status(400),
      status(404),
      status(429),
    ]) {
      await workers.execute(fail(error)).catch(() => undefined);
    }
    expect(workers.state).toBe('closed');
    breakers.shutdown();
  });

  it('waitUntilClosed parks the caller until the circuit half-opens; executeWhenClosed then succeeds', async () => {
    const { breakers } = setup();
    const workers = breakers.forEndpoint('/workers');
    for (let i = 0; i < 4; i++) await workers.execute(fail(serverError())).catch(() => undefined);
    let done = false;
    const waiting = workers.executeWhenClosed(succeed).then((value) => {
      done = true;
      return value;
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(waiting).resolves.toBe('ok');
    expect(workers.state).toBe('closed');
    breakers.shutdown();
  });

  it('waitUntilClosed gives up when its signal aborts', async () => {
    const { breakers } = setup();
    const workers = breakers.forEndpoint('/workers');
    for (let i = 0; i < 4; i++) await workers.execute(fail(serverError())).catch(() => undefined);
    const controller = new AbortController();
    const waiting = workers.waitUntilClosed(controller.signal);
    controller.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    breakers.shutdown();
  });

  it('forgets failures older than the rolling window', async () => {
    const { breakers } = setup();
    const workers = breakers.forEndpoint('/workers');
    for (let i = 0; i < 3; i++) await workers.execute(fail(serverError())).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(10_000);
    for (let i = 0; i < 3; i++) await workers.execute(succeed);
    await workers.execute(fail(serverError())).catch(() => undefined);
    // In-window: 1 failure of 4 calls. Counting the old ones it would be 4 of 7 and open.
    expect(workers.state).toBe('closed');
    breakers.shutdown();
  });

  it('validates its options, naming the field', () => {
    expect(() => resolveCircuitBreakerOptions({ errorThresholdPercentage: 0 })).toThrow(
      /errorThresholdPercentage/,
    );
    expect(() => resolveCircuitBreakerOptions({ rollingWindowMs: 1_001, rollingBuckets: 10 })).toThrow(
      /rollingWindowMs/,
    );
  });
});
