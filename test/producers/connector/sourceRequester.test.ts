import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RetriesExhaustedError } from '../../../platform/errors.js';
import type { Authenticator } from '../../../producers/connector/auth/authenticator.js';
import { createCircuitBreakers } from '../../../producers/connector/circuitBreaker.js';
import { FakeClock } from '../../../producers/connector/clock.js';
import { defineConnector } from '../../../producers/connector/connectorDefinition.js';
import { createSourcePlumbing } from '../../../producers/connector/createSourcePlumbing.js';
import { createHttpClient } from '../../../producers/connector/http.js';
import { createConnectorMetrics } from '../../../producers/connector/metrics.js';
import { createRateLimiter } from '../../../producers/connector/rateLimiter.js';
import { resolveRetryPolicy } from '../../../producers/connector/retry.js';
import { createSourceRequester } from '../../../producers/connector/sourceRequester.js';
import { sendJson, startTestServer } from './helpers/testServer.js';

const noAuth: Authenticator = { apply: async (r) => r, onUnauthorized: async () => false };

/** Lets real I/O progress and moves the fake clock (backoff, limiter) until the promise settles. */
async function drive<T>(clock: FakeClock, promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  let result: PromiseSettledResult<T> | undefined;
  promise.then(
    (value) => (result = { status: 'fulfilled', value }),
    (reason: unknown) => (result = { status: 'rejected', reason }),
  );
  for (let i = 0; i < 2_000 && !result; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    await clock.advanceToNext();
  }
  if (!result) throw new Error('never settled');
  return result;
}

function setup(url: string, circuit = { volumeThreshold: 100, resetTimeoutMs: 100 }) {
  const clock = new FakeClock(0);
  const registry = new Registry();
  const metrics = createConnectorMetrics(registry);
  const rateLimiter = createRateLimiter({
    source: 'acme',
    clock,
    requestsPerSecond: 100,
    burst: 10,
    metrics,
  });
  const circuitBreakers = createCircuitBreakers({
    source: 'acme',
    metrics,
    options: { ...circuit, rollingWindowMs: 10_000, errorThresholdPercentage: 50 },
  });
  const requester = createSourceRequester({
    http: createHttpClient({ source: 'acme', metrics }), // real clock: timeouts stay real
    authenticator: noAuth,
    rateLimiter,
    circuitBreakers,
    retryPolicy: resolveRetryPolicy({ initialIntervalMs: 100, maxIntervalMs: 1_000, maxAttempts: 5 }),
    clock,
    metrics,
    random: () => 0.5,
  });
  const send = (path = '/workers') =>
    requester.send({
      stream: 'workers',
      endpoint: '/workers',
      request: { method: 'GET', url: `${url}${path}`, headers: {} },
    });
  return { clock, registry, rateLimiter, circuitBreakers, send };
}

describe('source requester (retry → circuit → rate limit → auth → http)', () => {
  it('on 429 honours Retry-After, slows the source down, retries and succeeds', async () => {
    const server = await startTestServer((_req, res, _body, index) => {
      if (index === 0) sendJson(res, 429, {}, { 'retry-after': '2' });
      else sendJson(res, 200, { ok: true });
    });
    const { clock, registry, rateLimiter, circuitBreakers, send } = setup(server.url);
    const result = await drive(clock, send());
    expect(result.status).toBe('fulfilled');
    expect(server.requests).toHaveLength(2);
    expect(clock.now()).toBeGreaterThanOrEqual(2_000);
    expect(rateLimiter.currentRate).toBe(50);
    const text = await registry.metrics();
    expect(text).toContain(
      'tributary_connector_retries_total{source="acme",stream="workers",reason="429"} 1',
    );
    expect(text).toContain(
      'tributary_connector_requests_total{source="acme",stream="workers",status="429"} 1',
    );
    circuitBreakers.shutdown();
  });

  it('retries 5xx with backoff and gives up with every attempt kept', async () => {
    const server = await startTestServer((_req, res) => sendJson(res, 503, {}));
    const { clock, circuitBreakers, send } = setup(server.url);
    const result = await drive(clock, send());
    expect(server.requests).toHaveLength(5);
    const error = (result as PromiseRejectedResult).reason as RetriesExhaustedError;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.attempts).toHaveLength(5);
    expect(error.message).toContain('acme/workers GET /workers failed after 5 attempts');
    circuitBreakers.shutdown();
  });

  it('does not retry a 404', async () => {
    const server = await startTestServer((_req, res) => sendJson(res, 404, {}));
    const { clock, circuitBreakers, send } = setup(server.url);
    const result = await drive(clock, send());
    expect(result.status).toBe('rejected');
    expect(server.requests).toHaveLength(1);
    circuitBreakers.shutdown();
  });

  it('waits while the endpoint circuit is open (without spending attempts), then recovers', async () => {
    const server = await startTestServer((_req, res, _body, index) =>
      sendJson(res, index < 3 ? 503 : 200, {}),
    );
    const { clock, circuitBreakers, send } = setup(server.url, { volumeThreshold: 2, resetTimeoutMs: 100 });
    const result = await drive(clock, send());
    expect(result.status).toBe('fulfilled');
    // 503, 503 (opens), probe 503 (re-opens), probe 200 (closes)
    expect(server.requests).toHaveLength(4);
    expect(circuitBreakers.forEndpoint('/workers').state).toBe('closed');
    circuitBreakers.shutdown();
  });
});

describe('createSourcePlumbing', () => {
  it('wires a definition into a working request path with its secrets', async () => {
    const server = await startTestServer((req, res) => sendJson(res, 200, { key: req.headers['x-api-key'] }));
    const definition = defineConnector({
      name: 'demo',
      version: '0.1.0',
      source: {
        name: 'demo',
        system: 'sim',
        instance: 'demo-1',
        baseUrl: server.url,
        auth: { type: 'api-key', in: 'header', name: 'x-api-key', value: { env: 'DEMO_KEY' } },
      },
      streams: [{ name: 'items', path: '/items', pagination: { type: 'none' }, naturalKey: 'id' }],
    });
    const plumbing = await createSourcePlumbing(definition, {
      registry: new Registry(),
      secrets: { env: { DEMO_KEY: 'k-1' } },
    });
    const response = await plumbing.requester.send({
      stream: 'items',
      endpoint: '/items',
      request: { method: 'GET', url: `${server.url}/items`, headers: {} },
    });
    expect(response.json()).toEqual({ key: 'k-1' });
    expect(server.requests[0]?.headers['user-agent']).toBe('tributary/demo@0.1.0');
    plumbing.close();
  });
});
