import type { Registry } from 'prom-client';
import type { Authenticator } from './auth/authenticator.js';
import { createAuthenticator, credentialQueryParams } from './auth/createAuthenticator.js';
import { type CircuitBreakers, createCircuitBreakers } from './circuitBreaker.js';
import { type Clock, systemClock } from './clock.js';
import type { ConnectorDefinition } from './connectorDefinition.js';
import { createHttpClient, type HttpClient } from './http.js';
import { type ConnectorMetrics, createConnectorMetrics } from './metrics.js';
import { createRateLimiter, type RateLimiter } from './rateLimiter.js';
import type { SecretSources } from './secrets.js';
import { createSourceRequester, type SourceRequester } from './sourceRequester.js';

export interface SourcePlumbingDeps {
  registry: Registry;
  /** @default systemClock */
  clock?: Clock;
  secrets?: SecretSources;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  random?: () => number;
}

export interface SourcePlumbing {
  http: HttpClient;
  authenticator: Authenticator;
  rateLimiter: RateLimiter;
  circuitBreakers: CircuitBreakers;
  requester: SourceRequester;
  metrics: ConnectorMetrics;
  /** Stops circuit breaker timers. */
  close(): void;
}

/** Builds the whole request path for one source from its resolved definition (reads secrets). */
export async function createSourcePlumbing(
  definition: ConnectorDefinition,
  deps: SourcePlumbingDeps,
): Promise<SourcePlumbing> {
  const { source } = definition;
  const clock = deps.clock ?? systemClock;
  const metrics = createConnectorMetrics(deps.registry);
  const http = createHttpClient({
    source: source.name,
    clock,
    metrics,
    timeoutMs: source.timeouts.requestMs,
    maxResponseBytes: source.timeouts.maxResponseBytes,
    redactQueryParams: credentialQueryParams(source.auth),
    userAgent: `tributary/${definition.name}@${definition.version}`,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const authenticator = await createAuthenticator(source.auth, {
    http,
    clock,
    metrics,
    ...(deps.secrets ? { secrets: deps.secrets } : {}),
  });
  const rateLimiter = createRateLimiter({
    source: source.name,
    clock,
    metrics,
    requestsPerSecond: source.rateLimit.requestsPerSecond,
    maxConcurrency: source.rateLimit.maxConcurrency,
    ...(source.rateLimit.burst === undefined ? {} : { burst: source.rateLimit.burst }),
  });
  const circuitBreakers = createCircuitBreakers({
    source: source.name,
    metrics,
    options: source.circuitBreaker,
  });
  const requester = createSourceRequester({
    http,
    authenticator,
    rateLimiter,
    circuitBreakers,
    retryPolicy: source.retry,
    clock,
    metrics,
    ...(deps.random ? { random: deps.random } : {}),
  });
  return {
    http,
    authenticator,
    rateLimiter,
    circuitBreakers,
    requester,
    metrics,
    close: () => circuitBreakers.shutdown(),
  };
}
